import { ZodError } from 'zod';
import { DomainError } from '../../../domain/shared/domain-error.ts';
import { SYNC_CHANGE_TYPES } from '../../../domain/sync/change-types.ts';
import type { SyncConflictCommand } from '../../../domain/sync/conflict-commands.ts';
import { syncConflictsAggregate } from '../../../domain/sync/conflict-decider.ts';
import { CONFLICT_RULE_TABLE, resolveChange } from '../../../domain/sync/conflict-rules.ts';
import { entityVersion } from '../../../domain/sync/entity-version.ts';
import { viewOf } from '../../../domain/sync/entity-views.ts';
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
import type { CreatedEntity, LocatedEntity } from './applier.ts';
import { SYNC_APPLIERS } from './appliers.ts';
import {
  currentValue,
  EMPTY_STREAM,
  readEntityStream,
  type StreamEvents,
  streamOf,
  type ValueRef,
  valueIn,
} from './entity-stream.ts';
import { receiptOf, type StoredOutcome, storedOutcome, storeReceipt } from './receipts.ts';

/** A change as the orchestrator hands it over: validated (with its fingerprint), or refused already. */
export type PushedChange =
  | { change: SyncChange; clamped: boolean; fingerprint: string }
  | { changeId: string; invalid: NonNullable<SyncOutcome['error']> };

export interface PushResult {
  outcomes: SyncOutcome[];
  /** The global position of the last event this push stored (to wait for the read models); null when none. */
  lastPosition: bigint | null;
  /** The types of the events stored, so that wait is only for the read models that handle them. */
  eventTypes: string[];
}

/** What settling one change stored: the position it reached and the event types it appended. */
interface Written {
  position: bigint | null;
  types: string[];
}

/**
 * Applies a device's pushed changes in order, each through its context's own use case, settling
 * conflicts by the change type's rule (conflict-rules.ts). The caller holds the person's sync lock
 * (withUserSyncLock): nothing else of theirs is being decided meanwhile. Every change ends with a
 * receipt, so the same change pushed again (a reply lost on the way) is answered with the same
 * outcome and applies nothing twice; a refusal is an outcome too. Only a failure that is not the
 * domain's answer (the database went away) ends the push: what was settled before it keeps its
 * receipt, and the retry carries on from there.
 *
 * The use cases run without waiting for the read models after each change (their `settle`): the
 * orchestrator waits once, for `lastPosition`, before it answers.
 */
export async function pushChanges(
  deps: SyncDeps,
  context: RequestContext,
  input: { userId: string; deviceId: string; changes: readonly PushedChange[] },
): Promise<PushResult> {
  const { settle: _settle, ...unsettled } = deps;
  const userId = input.userId.toLowerCase();
  const outcomes: SyncOutcome[] = [];
  const written: Written = { position: null, types: [] };
  for (const pushed of input.changes) {
    if ('invalid' in pushed) {
      outcomes.push({ changeId: pushed.changeId, status: 'refused', error: pushed.invalid });
      continue;
    }
    const { change, clamped, fingerprint } = pushed;
    const receipt = await receiptOf(deps.pool, userId, change.changeId);
    if (receipt !== null) {
      outcomes.push(
        receipt.fingerprint === fingerprint
          ? await replayed(unsettled, context, userId, change, receipt.outcome)
          : changeIdReused(change.changeId),
      );
      continue;
    }
    const pusher = { userId, deviceId: input.deviceId };
    const settled = await settleChange(unsettled, context, pusher, change, written);
    const outcome: SyncOutcome = clamped ? { ...settled.outcome, clientTimeClamped: true } : settled.outcome;
    await storeReceipt(deps.pool, {
      userId,
      deviceId: input.deviceId,
      changeId: change.changeId,
      fingerprint,
      outcome: storedOutcome(outcome, settled.ref),
    });
    outcomes.push(outcome);
  }
  const statuses: Record<string, number> = {};
  for (const outcome of outcomes) statuses[outcome.status] = (statuses[outcome.status] ?? 0) + 1;
  // A pull-only sync pushes nothing and says nothing.
  if (outcomes.length > 0)
    deps.log.info(
      { userId, deviceId: input.deviceId, changes: outcomes.length, statuses },
      'sync changes pushed',
    );
  return { outcomes, lastPosition: written.position, eventTypes: [...new Set(written.types)] };
}

/**
 * A receipt's outcome, answered again: the same status, conflict and refusal, with the entity's
 * version and value as they stand now (the receipt keeps no value; when nothing moved since, the
 * answer is the first one exactly). The entity is located again first, so someone who lost sight
 * of it since (banned from its community) gets the outcome without its value.
 */
async function replayed(
  deps: SyncDeps,
  context: RequestContext,
  userId: string,
  change: SyncChange,
  stored: StoredOutcome,
): Promise<SyncOutcome> {
  const { valueRef, ...outcome } = stored;
  if (valueRef === undefined) return outcome;
  try {
    await SYNC_APPLIERS[change.type].locate(deps, context, userId, change);
  } catch (error) {
    if (error instanceof DomainError) return outcome;
    throw error;
  }
  const { version, value } = await currentValue(deps, valueRef);
  return { ...outcome, version, ...(value === undefined ? {} : { value }) };
}

const changeIdReused = (changeId: string): SyncOutcome => ({
  changeId,
  status: 'refused',
  error: {
    code: 'CHANGE_ID_REUSED',
    category: 'VALIDATION',
    message: 'This change id was already pushed with other content; give a new change a new id',
  },
});

interface Pusher {
  userId: string;
  deviceId: string;
}

/** What became of one change, and which entity its value is of (for its receipt). */
interface Settled {
  outcome: SyncOutcome;
  ref: ValueRef | null;
}

/** One change: locate its entity, read the server's side, let the rule decide, then act on it. */
async function settleChange(
  deps: SyncDeps,
  context: RequestContext,
  pusher: Pusher,
  change: SyncChange,
  written: Written,
): Promise<Settled> {
  const spec = SYNC_CHANGE_TYPES[change.type];
  const applier = SYNC_APPLIERS[change.type];
  let located: LocatedEntity;
  let before: StreamEvents;
  try {
    located = await applier.locate(deps, context, pusher.userId, change);
    before = located.entity === null ? EMPTY_STREAM : await readEntityStream(deps, located.entity);
  } catch (error) {
    return { outcome: refusedOrThrow(change, error), ref: null };
  }
  const ref: ValueRef | null =
    located.entity === null
      ? null
      : {
          stream: located.entity.stream,
          entityType: spec.entity,
          entityId: change.entityId.toLowerCase(),
          created: false,
        };
  const server = viewOf(spec.entity, before.events, change.entityId);
  const version = entityVersion(before.events, spec.entity, change.entityId);
  const conflict = version > change.baseVersion;
  const resolution = resolveChange(spec.rule, { conflict, server, change });
  const { changeId } = change;
  const serverValue = server ? { value: server.value } : {};
  switch (resolution.kind) {
    case 'alreadyApplied':
      return { outcome: { changeId, status: 'applied', version, ...serverValue }, ref };
    case 'supersede':
      return { outcome: { changeId, status: 'superseded', version, value: resolution.winner }, ref };
    case 'queue': {
      const conflictId = await queueConflict(deps, context, pusher, change, {
        located,
        version,
        server,
        written,
      });
      return { outcome: { changeId, status: 'queued', version, conflictId, ...serverValue }, ref };
    }
    case 'apply':
    case 'merge':
      break;
  }
  const payload = resolution.kind === 'merge' ? resolution.payload : change.payload;
  let created: CreatedEntity | null;
  try {
    created = await applier.apply(deps, context, change, payload);
  } catch (error) {
    const refusal = refusedOrThrow(change, error);
    // A community action the community moved past while the device was offline (a ban, a removed
    // post): not the person's mistake, so it is overruled and they are told, rather than refused.
    // NOT_FOUND stays a refusal: the server's value of something they may not see is not theirs.
    if (
      conflict &&
      CONFLICT_RULE_TABLE[spec.rule].refusalAfterConflict === 'supersedeAndNotify' &&
      refusal.error.category !== 'NOT_FOUND'
    ) {
      await recordOverruled(deps, context, pusher, change, located, refusal.error, written);
      return { outcome: { changeId, status: 'superseded', version, ...serverValue }, ref };
    }
    return { outcome: refusal, ref: null };
  }
  const status = resolution.kind === 'merge' ? 'merged' : 'applied';
  // The result as the feed will show it: read back from the stream it was stored on.
  const result: ValueRef | null =
    created === null
      ? ref
      : {
          stream: created.entity.stream,
          entityType: created.entityType,
          entityId: created.entityId,
          created: true,
        };
  if (result === null) return { outcome: { changeId, status }, ref: null };
  const stream = streamOf(result);
  const after = stream === null ? EMPTY_STREAM : await readEntityStream(deps, stream);
  note(written, result.stream === located.entity?.stream ? before.revision : -1, after);
  const { version: now, value } = valueIn(after.events, result);
  return {
    outcome: { changeId, status, version: now, ...(value === undefined ? {} : { value }) },
    ref: result,
  };
}

/** What the apply stored: the stream's events past the revision read before it (all of a new stream's). */
function note(written: Written, revisionBefore: number, after: StreamEvents): void {
  const added = after.events.filter((event) => event.revision > revisionBefore);
  if (added.length === 0 || after.position === null) return;
  written.types.push(...added.map((event) => event.type));
  if (written.position === null || after.position > written.position) written.position = after.position;
}

/** The domain's refusal as an outcome; anything else (the database is away) is not an outcome. */
function refusedOrThrow(
  change: SyncChange,
  error: unknown,
): SyncOutcome & { error: NonNullable<SyncOutcome['error']> } {
  if (error instanceof DomainError) {
    return {
      changeId: change.changeId,
      status: 'refused',
      error: {
        code: error.reason,
        category: error.code,
        message: error.message,
        ...(Object.keys(error.details).length > 0 ? { details: error.details } : {}),
      },
    };
  }
  // A use case's own input schema (stricter than the change type's in places) said no.
  if (error instanceof ZodError) {
    return {
      changeId: change.changeId,
      status: 'refused',
      error: {
        code: 'INVALID_INPUT',
        category: 'VALIDATION',
        message: error.issues
          .map((issue) => `${issue.path.join('.') || 'payload'}: ${issue.message}`)
          .join('; '),
      },
    };
  }
  throw error;
}

async function issue(
  deps: SyncDeps,
  context: RequestContext,
  userId: string,
  operation: string,
  change: SyncChange,
  command: SyncConflictCommand,
  written: Written,
): Promise<void> {
  const commandId = commandIdFor(context, `${operation}:${change.changeId}`);
  const result = await execute(
    deps,
    syncConflictsAggregate,
    syncConflictsStream(userId),
    envelope(context, commandId, nowFrom(deps), command),
  );
  if (result.position !== null && result.events.length > 0) {
    written.types.push(...result.events.map((event) => event.type));
    if (written.position === null || result.position > written.position) written.position = result.position;
  }
}

/**
 * manualResolution after a conflict: both sides' values, as they stand, go to the person's queue
 * (`resolveSyncConflict`); nothing is written to the entity. The conflict's id derives from the
 * change, so a push retried after a crash queues nothing twice.
 */
async function queueConflict(
  deps: SyncDeps,
  context: RequestContext,
  pusher: Pusher,
  change: SyncChange,
  facts: { located: LocatedEntity; version: number; server: ReturnType<typeof viewOf>; written: Written },
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

async function recordOverruled(
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
