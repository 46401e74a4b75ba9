import { attemptEventCatalogue } from '../../../../domain/communities/attempt-events.ts';
import { checkpointAttemptsStream } from '../../../../domain/communities/streams.ts';
import { submitCheckpointAttempt } from '../../../communities/attempts.ts';
import type { SyncApplier } from '../applier.ts';
import { entityStream } from '../entity-stream.ts';

/**
 * `checkpoint.answer`: an attempt at the checkpoint the change names, on the learner's own attempts
 * stream (a checkpoint they cannot see has none, and the use case refuses it as CHECKPOINT_NOT_FOUND).
 * The attempt's id derives from the change id, so a retry is the same attempt.
 */
export const checkpointAnswer: SyncApplier = {
  async locate(_deps, _context, userId, change) {
    const checkpointId = change.entityId.toLowerCase();
    return {
      entity: entityStream(checkpointAttemptsStream(checkpointId, userId), attemptEventCatalogue),
      communityId: null,
    };
  },
  async apply(deps, context, change, payload) {
    await submitCheckpointAttempt(deps, context, {
      checkpointId: change.entityId,
      answers: payload.answers,
      clientTime: change.clientTime,
      idempotencyKey: change.changeId,
    });
    return null;
  },
};
