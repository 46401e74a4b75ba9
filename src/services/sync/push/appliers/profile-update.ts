import { userStream } from '../../../../domain/identity/streams.ts';
import { userEventCatalogue } from '../../../../domain/identity/user-events.ts';
import { notFound } from '../../../../domain/shared/domain-error.ts';
import { updateProfile } from '../../../identity/account.ts';
import type { SyncApplier } from '../applier.ts';
import { entityStream } from '../entity-stream.ts';

/** `profile.update`: the person's own profile only; the device's time goes on the event (per-field LWW). */
export const profileUpdate: SyncApplier = {
  async locate(_deps, _context, userId, change) {
    if (change.entityId.toLowerCase() !== userId) throw notFound('PROFILE_NOT_FOUND', 'No such profile');
    return { entity: entityStream(userStream(userId), userEventCatalogue), communityId: null };
  },
  async apply(deps, context, change, payload) {
    await updateProfile(deps, context, {
      ...payload,
      clientTime: change.clientTime,
      idempotencyKey: change.changeId,
    });
    return null;
  },
};
