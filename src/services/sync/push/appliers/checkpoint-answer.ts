import { uuidv5 } from '../../../../commands/event-ids.ts';
import { attemptEventCatalogue } from '../../../../domain/communities/attempt-events.ts';
import { COMMUNITY_NAMESPACE, checkpointAttemptsStream } from '../../../../domain/communities/streams.ts';
import type { SyncChange } from '../../../../domain/sync/outcomes.ts';
import { submitCheckpointAttempt } from '../../../communities/attempts.ts';
import { commandIdFor, type RequestContext } from '../../../shared/command-context.ts';
import type { SyncApplier } from '../applier.ts';
import { entityStream } from '../entity-stream.ts';

/**
 * `checkpoint.answer`: an attempt at the checkpoint the change names, on the learner's own attempts
 * stream (a checkpoint they cannot see has none, and the use case refuses it as CHECKPOINT_NOT_FOUND).
 * The attempt's id derives from the change id, so a retry is the same attempt, and is recognised by
 * that id: not by its client time, which a retry clamped to a later "now" would send differently.
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
  holds(context, change, events) {
    const attemptId = attemptIdOf(context, change);
    return events.some(
      (event) => event.type === 'CheckpointAttemptSubmitted' && event.data.attemptId === attemptId,
    );
  },
};

/**
 * The id submitCheckpointAttempt gives the attempt this change makes: uuidv5('attempt:' + its
 * command id), the command id deriving from the actor, the operation and the change id alone.
 * Derived on a context of its own: commandIdFor notes the input it was given on the context, and
 * the use case's own call (with the full input) must not meet this bare one there.
 */
function attemptIdOf(context: RequestContext, change: SyncChange): string {
  const checkpointId = change.entityId.toLowerCase();
  const commandId = commandIdFor({ ...context }, `submitCheckpointAttempt:${checkpointId}`, {
    idempotencyKey: change.changeId,
  });
  return uuidv5(`attempt:${commandId}`, COMMUNITY_NAMESPACE);
}
