import type { SyncConflictCommand } from '../../../domain/sync/conflict-commands.ts';
import { syncConflictsAggregate } from '../../../domain/sync/conflict-decider.ts';
import type { EntityView } from '../../../domain/sync/entity-views.ts';
import type { SyncChange, SyncOutcome } from '../../../domain/sync/outcomes.ts';
import { syncConflictId, syncConflictsStream } from '../../../domain/sync/streams.ts';
import {
  commandIdFor,
  envelope,
  execute,
  nowFrom,
  type RequestContext,
} from '../../shared/command-context.ts';
import type { SyncDeps } from '../deps.ts';
import type { LocatedEntity } from './applier.ts';
import { noteAppended, type Written } from './written.ts';

/** Who pushed: the person and the device the change came from. */
export interface Pusher {
  userId: string;
  deviceId: string;
}

/**
 * Decides a command on the person's sync-conflicts stream. Its command id derives from the change
 * id (the change id is the idempotency key), so a push retried after a crash records nothing twice.
 */
async function issue(
  deps: SyncDeps,
  context: RequestContext,
  userId: string,
  operation: string,
  change: SyncChange,
  command: SyncConflictCommand,
  written: Written,
): Promise<void> {
  const commandId = commandIdFor(context, operation, { idempotencyKey: change.changeId });
  const result = await execute(
    deps,
    syncConflictsAggregate,
    syncConflictsStream(userId),
    envelope(context, commandId, nowFrom(deps), command),
  );
  noteAppended(
    written,
    result.position,
    result.events.map((event) => event.type),
  );
}

/**
 * manualResolution after a conflict: both sides' values, as they stand, go to the person's queue
 * (`resolveSyncConflict`); nothing is written to the entity. The conflict's id derives from the
 * change, so a push retried after a crash queues nothing twice.
 */
export async function queueConflict(
  deps: SyncDeps,
  context: RequestContext,
  pusher: Pusher,
  change: SyncChange,
  facts: { located: LocatedEntity; version: number; server: EntityView | null; written: Written },
): Promise<string> {
  const conflictId = syncConflictId(pusher.userId, change.changeId);
  await issue(
    deps,
    context,
    pusher.userId,
    'queueSyncConflict',
    change,
    {
      type: 'QueueSyncConflict',
      conflictId,
      userId: pusher.userId,
      deviceId: pusher.deviceId,
      changeId: change.changeId,
      changeType: change.type,
      entityId: change.entityId.toLowerCase(),
      communityId: facts.located.communityId,
      baseVersion: change.baseVersion,
      serverVersion: facts.version,
      clientTime: change.clientTime,
      deviceValue: JSON.stringify(change.payload),
      serverValue: facts.server ? JSON.stringify(facts.server.value) : null,
    },
    facts.written,
  );
  return conflictId;
}

/** serverWinsWithNotice: the refusal of a change the community moved past, recorded so the person is told. */
export async function recordOverruled(
  deps: SyncDeps,
  context: RequestContext,
  pusher: Pusher,
  change: SyncChange,
  located: LocatedEntity,
  error: NonNullable<SyncOutcome['error']>,
  written: Written,
): Promise<void> {
  await issue(
    deps,
    context,
    pusher.userId,
    'recordSyncChangeOverruled',
    change,
    {
      type: 'RecordSyncChangeOverruled',
      userId: pusher.userId,
      deviceId: pusher.deviceId,
      changeId: change.changeId,
      changeType: change.type,
      entityId: change.entityId.toLowerCase(),
      communityId: located.communityId,
      code: error.code,
      message: error.message.slice(0, 500),
    },
    written,
  );
}
