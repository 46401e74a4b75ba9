import { DomainError } from '../../../domain/shared/domain-error.ts';
import { SYNC_CHANGE_TYPES } from '../../../domain/sync/change-types.ts';
import { CONFLICT_RULE_TABLE, resolveChange } from '../../../domain/sync/conflict-rules.ts';
import { entityVersion } from '../../../domain/sync/entity-version.ts';
import { viewOf } from '../../../domain/sync/entity-views.ts';
import type { SyncChange, SyncOutcome } from '../../../domain/sync/outcomes.ts';
import type { RequestContext } from '../../shared/command-context.ts';
import type { SyncDeps } from '../deps.ts';
import type { CreatedEntity, LocatedEntity } from './applier.ts';
import { SYNC_APPLIERS } from './appliers.ts';
import { type Pusher, queueConflict, recordOverruled } from './conflict-records.ts';
import {
  currentValue,
  EMPTY_STREAM,
  readEntityStream,
  type StreamEvents,
  streamOf,
  type ValueRef,
  valueIn,
} from './entity-stream.ts';
import { pruneReceipts, receiptOf, type StoredOutcome, storedOutcome, storeReceipt } from './receipts.ts';
import { changeIdReused, refusedOrThrow } from './refusals.ts';
import { assertSyncLockHeld } from './user-lock.ts';
import { noteApplied, type Written } from './written.ts';

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

/**
 * Entities this batch's own changes moved, by `entityType:entityId`: the version read before the
 * first of them (`from`) and the version the last one left (`to`).
 */
type BatchMoves = Map<string, { from: number; to: number }>;

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
  const moves: BatchMoves = new Map();
  await pruneReceipts(deps.pool, userId);
  for (const pushed of input.changes) {
    // A push whose lock was lost (its connection killed) stops before deciding anything more.
    assertSyncLockHeld();
    if ('invalid' in pushed) {
      outcomes.push({ changeId: pushed.changeId, status: 'refused', error: pushed.invalid });
      continue;
    }
    const { change, clamped, fingerprint } = pushed;
    const receipt = await receiptOf(deps.pool, userId, change.changeId);
    if (receipt !== null) {
      if (receipt.fingerprint !== fingerprint) {
        outcomes.push(changeIdReused(change.changeId));
        continue;
      }
      noteReplayedMove(moves, change, receipt.outcome);
      outcomes.push(await replayed(unsettled, context, userId, change, receipt.outcome));
      continue;
    }
    const pusher = { userId, deviceId: input.deviceId };
    const settled = await settleChange(unsettled, context, pusher, change, { written, moves });
    const outcome: SyncOutcome = clamped ? { ...settled.outcome, clientTimeClamped: true } : settled.outcome;
    await storeReceipt(deps.pool, {
      userId,
      deviceId: input.deviceId,
      changeId: change.changeId,
      fingerprint,
      outcome: storedOutcome(outcome, settled.ref, settled.movedFrom),
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
 * A change of this batch settled by an earlier try of it (the try stopped after it: a crash, a lost
 * lock): its move counts as the batch's own, so the changes after it are not conflicts with it.
 */
function noteReplayedMove(moves: BatchMoves, change: SyncChange, stored: StoredOutcome): void {
  const ref = stored.valueRef;
  if (stored.status !== 'applied' || stored.version === undefined || ref === undefined || ref.created) return;
  const key = `${ref.entityType}:${ref.entityId}`;
  const met = stored.movedFrom ?? change.baseVersion;
  const from = Math.min(moves.get(key)?.from ?? met, met);
  moves.set(key, { from, to: stored.version });
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
  const { valueRef, movedFrom: _movedFrom, ...outcome } = stored;
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

/** Refusal categories a serverWinsWithNotice change is overruled on after a conflict: the state's, not the input's. */
const OVERRULABLE: ReadonlySet<string> = new Set(['FORBIDDEN', 'CONFLICT']);

/** What became of one change, and which entity its value is of (for its receipt). */
interface Settled {
  outcome: SyncOutcome;
  ref: ValueRef | null;
  /** Where this batch's own moves of the entity started, when this change moved it (receipts keep it). */
  movedFrom?: number;
}

/** One change: locate its entity, read the server's side, let the rule decide, then act on it. */
async function settleChange(
  deps: SyncDeps,
  context: RequestContext,
  pusher: Pusher,
  change: SyncChange,
  { written, moves }: { written: Written; moves: BatchMoves },
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
  const movedKey = `${spec.entity}:${change.entityId.toLowerCase()}`;
  const moved = moves.get(movedKey);
  // The entity moved past baseVersion only through this batch's earlier changes (the device's own
  // edits, made one after another offline): this change builds on what they left, not against it.
  const ownMoves =
    moved !== undefined &&
    moved.to === version &&
    change.baseVersion >= moved.from &&
    CONFLICT_RULE_TABLE[spec.rule].rebaseOnOwnBatch;
  const based = ownMoves ? { ...change, baseVersion: version } : change;
  const conflict = version > based.baseVersion;
  const resolution =
    located.entity !== null && applier.holds?.(context, change, before.events) === true
      ? ({ kind: 'alreadyApplied' } as const)
      : resolveChange(spec.rule, { conflict, server, change: based });
  const { changeId } = change;
  const serverValue = server ? { value: server.value } : {};
  switch (resolution.kind) {
    case 'alreadyApplied':
      return { outcome: { changeId, status: 'applied', version, ...serverValue }, ref };
    case 'supersede':
      return { outcome: { changeId, status: 'superseded', version, value: resolution.winner }, ref };
    case 'queue': {
      const conflictId = await queueConflict(deps, context, pusher, based, {
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
    // Only refusals of the state (FORBIDDEN, CONFLICT) are overruled: NOT_FOUND stays a refusal
    // (the server's value of something they may not see is not theirs), and so does VALIDATION
    // (what the device sent is wrong whatever the community did meanwhile).
    if (
      conflict &&
      CONFLICT_RULE_TABLE[spec.rule].refusalAfterConflict === 'supersedeAndNotify' &&
      OVERRULABLE.has(refusal.error.category)
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
  noteApplied(written, result.stream === located.entity?.stream ? before.revision : -1, after);
  const { version: now, value } = valueIn(after.events, result);
  const from = ownMoves ? moved.from : version;
  if (created === null) moves.set(movedKey, { from, to: now });
  return {
    outcome: { changeId, status, version: now, ...(value === undefined ? {} : { value }) },
    ref: result,
    ...(created === null ? { movedFrom: from } : {}),
  };
}
