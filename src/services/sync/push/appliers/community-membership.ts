import { membershipEventCatalogue } from '../../../../domain/communities/membership-events.ts';
import { communityMemberStream } from '../../../../domain/communities/streams.ts';
import { joinCommunity, leaveCommunity } from '../../../communities/memberships.ts';
import type { SyncApplier } from '../applier.ts';
import { entityStream } from '../entity-stream.ts';

/**
 * `community.join` / `community.leave`: the person's own membership of the community the change
 * names, with the change id as the idempotency key: a join stored before a crash, then a leave made
 * online, is not joined again by the retry (the command pipeline replays the first outcome).
 */
const membership = (use: typeof joinCommunity): SyncApplier => ({
  async locate(_deps, _context, userId, change) {
    const communityId = change.entityId.toLowerCase();
    return {
      entity: entityStream(communityMemberStream(communityId, userId), membershipEventCatalogue),
      communityId,
    };
  },
  async apply(deps, context, change) {
    await use(deps, context, { communityId: change.entityId, idempotencyKey: change.changeId });
    return null;
  },
});

export const communityJoin = membership(joinCommunity);
export const communityLeave = membership(leaveCommunity);
