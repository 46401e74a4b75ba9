import { loadConfig } from '../../../src/config.ts';
import { createLogger } from '../../../src/logger.ts';
import { abandonRebuild, rebuildProjection } from '../../../src/projections/rebuild.ts';
import { projectionStatuses } from '../../../src/projections/status.ts';
import { openRuntime, type Runtime } from '../../../src/roles/runtime.ts';
import { COMMUNITY_READ_MODELS } from '../../../src/services/communities/deps.ts';
import { publishingWorkflowId } from '../../../src/workflows/publishing/ids.ts';
import { connectTemporalClient } from '../../../src/workflows/temporal-connection.ts';
import { appliedEventTypes, syncChangeCommandId } from '../../sync/support/change-commands.ts';
import type { SyncOutcomeView } from '../../sync/support/offline-client.ts';
import { retryProblem } from '../../sync/support/sync-oracle.ts';
import type { OperationKind, OperationRecord } from './load.ts';
import { FAULT_AUTH_SECRET } from './system.ts';

/**
 * The end-of-scenario checks: what clients were told against what the store holds, the read
 * models against a clean rebuild, and the sagas the acknowledged operations started.
 * Each check returns the violations it found (empty = consistent), so a test asserts
 * `expect(violations).toEqual([])` and a failure lists every broken promise at once.
 */

/** The events each kind of operation appends, in order, when it is applied once. */
export const EXPECTED_EVENT_TYPES: Record<OperationKind, readonly string[]> = {
  // The e-mail address is claimed in a reservation stream of its own, then the user is written:
  // registered, and the verification e-mail asked for in the same write (one command id).
  register: ['UniqueValueClaimed', 'UserRegistered', 'EmailVerificationRequested'],
  createContent: ['ContentCreated'],
  updateContent: ['ContentUpdated'],
  // The fault suite's brand has no approval steps: submission approves at once.
  submitContent: ['ContentSubmitted', 'ContentApproved'],
  publishContent: ['ContentPublishRequested'],
  followUser: ['UserFollowed'],
  postComment: ['CommentPosted'],
  likeComment: ['ContentLiked'],
  startDirectChat: ['ChatConversationStarted'],
  sendChatMessage: ['ChatMessageSent'],
  // The creator's membership follows under a command id derived from this one (see
  // services/communities createCommunity): it is checked with the community read models.
  createCommunity: ['CommunityCreated'],
  joinCommunity: ['CommunityMemberJoined'],
  startCommunityThread: ['CommunityThreadStarted'],
  submitCheckpointAttempt: ['CheckpointAttemptSubmitted'],
  // A sync stores per change, each under its own command: see checkSyncChanges.
  syncOffline: [],
};

/** A read-only view of the store for the checks (the runtime Chronicle's roles use). */
export async function openInspector(databaseUrl: string): Promise<Runtime> {
  const config = loadConfig({ AUTH_SECRET: FAULT_AUTH_SECRET, DATA_DIR: '/nonexistent-chronicle-faults' });
  return openRuntime(config, createLogger(process.env.TEST_LOG_LEVEL ?? 'silent'), databaseUrl);
}

export interface StoredEvent {
  position: bigint;
  stream: string;
  revision: bigint;
  type: string;
  eventId: string;
  commandId: string;
  data: Record<string, unknown>;
}

/** Every stored event carrying one of `commandIds` in its metadata, in log order. */
export function eventsOfCommands(
  runtime: Runtime,
  commandIds: readonly string[],
): Promise<Map<string, StoredEvent[]>> {
  return storedEventsBy(runtime, "metadata->>'commandId'", commandIds, (event) => event.commandId);
}

/**
 * The stored events whose `column` (an expression over es_events) is one of `values`, in log
 * order, grouped by `keyOf` (every value has an entry, empty when nothing matched).
 */
async function storedEventsBy(
  runtime: Runtime,
  column: string,
  values: readonly string[],
  keyOf: (event: StoredEvent) => string,
): Promise<Map<string, StoredEvent[]>> {
  const grouped = new Map<string, StoredEvent[]>(values.map((value) => [value, []]));
  if (values.length === 0) return grouped;
  const { rows } = await runtime.pool.query<{
    position: string;
    stream_name: string;
    revision: string;
    type: string;
    event_id: string;
    command_id: string;
    data: Record<string, unknown>;
  }>(
    `select position, stream_name, revision, type, event_id, metadata->>'commandId' as command_id, data
       from es_events where ${column} = any($1::text[]) order by position`,
    [values],
  );
  for (const row of rows) {
    const event: StoredEvent = {
      position: BigInt(row.position),
      stream: row.stream_name,
      revision: BigInt(row.revision),
      type: row.type,
      eventId: row.event_id,
      commandId: row.command_id,
      data: row.data,
    };
    grouped.get(keyOf(event))?.push(event);
  }
  return grouped;
}

/**
 * Nothing acknowledged is lost, nothing is applied twice, nothing refused is stored:
 * - acknowledged: exactly the expected events, once, in the operation's stream;
 * - failed (the API answered with an error): no event at all;
 * - unknown (retries ran out on transport errors): nothing, or exactly the expected events once.
 * Operations meant to be refused must have failed with VALIDATION.
 */
export async function checkOperations(
  runtime: Runtime,
  operations: readonly OperationRecord[],
): Promise<string[]> {
  const violations: string[] = [];
  const events = await eventsOfCommands(
    runtime,
    operations.filter((op) => !op.checkedByStream && !op.sync).map((op) => op.commandId),
  );
  const byStream = await eventsOfStreams(
    runtime,
    operations.filter((op) => op.checkedByStream && op.stream).map((op) => op.stream ?? ''),
  );
  for (const op of operations) {
    if (op.sync) continue;
    const stored = (op.checkedByStream ? byStream.get(op.stream ?? '') : events.get(op.commandId)) ?? [];
    const types = stored.map((event) => event.type);
    const expected = EXPECTED_EVENT_TYPES[op.kind];
    const label = `${op.kind} ${op.id} (${op.outcome}${op.errorCode ? ` ${op.errorCode}` : ''}, ${op.attempts} attempts)`;
    const appliedOnce =
      types.length === expected.length &&
      types.every((type, index) => type === expected[index]) &&
      stored.every(
        (event) =>
          op.stream === undefined || event.stream === op.stream || event.type === 'UniqueValueClaimed',
      );
    if (op.expectRefusal && !(op.outcome === 'failed' && op.errorCode?.startsWith('VALIDATION'))) {
      violations.push(`${label}: meant to be refused with VALIDATION`);
    }
    switch (op.outcome) {
      case 'acknowledged':
        if (!appliedOnce) violations.push(`${label}: expected ${expected.join(',')} once, stored [${types}]`);
        break;
      case 'failed':
        if (stored.length > 0) violations.push(`${label}: refused, yet stored [${types}]`);
        break;
      case 'unknown':
        if (stored.length > 0 && !appliedOnce) violations.push(`${label}: stored [${types}]`);
        break;
    }
  }
  return violations;
}

/**
 * Every acknowledged sync change applied exactly once: each change of an acknowledged sync has an
 * outcome, `APPLIED` (the load's offline changes conflict with nothing), and the events its command
 * stored (the use case's command, keyed by the change id) are the expected ones, once; a sync the
 * device sent again answers every change as the first time; a sync whose reply never came (unknown)
 * or that was refused as a whole (failed) stored each change's events once or not at all.
 * ("As the first time": the same decision; see retryProblem.)
 */
export async function checkSyncChanges(
  runtime: Runtime,
  operations: readonly OperationRecord[],
): Promise<string[]> {
  const violations: string[] = [];
  const syncs = operations.filter((op) => op.sync);
  const commandIds = new Map<string, string>();
  for (const op of syncs) {
    for (const change of op.sync?.changes ?? []) {
      const commandId = syncChangeCommandId(op.sync?.userId ?? '', change);
      if (commandId) commandIds.set(`${op.sync?.userId}:${change.changeId}`, commandId);
    }
  }
  const events = await eventsOfCommands(runtime, [...new Set(commandIds.values())]);
  const byId = new Map(syncs.map((op) => [op.id, op]));
  for (const op of syncs) {
    const label = `sync ${op.id} (${op.outcome}${op.errorCode ? ` ${op.errorCode}` : ''}, ${op.attempts} attempts${op.sync?.resendOf ? `, resent ${op.sync.resendOf}` : ''})`;
    const outcomes = outcomesOf(op);
    for (const change of op.sync?.changes ?? []) {
      const commandId = commandIds.get(`${op.sync?.userId}:${change.changeId}`);
      const expected = appliedEventTypes(change);
      if (!commandId || !expected) {
        violations.push(`${label}: ${change.changeId} is a ${change.type}, which the check cannot find`);
        continue;
      }
      const types = (events.get(commandId) ?? []).map((event) => event.type);
      const once = JSON.stringify(types) === JSON.stringify(expected);
      if (op.outcome !== 'acknowledged') {
        if (types.length > 0 && !once) violations.push(`${label}: ${change.changeId} stored [${types}]`);
        continue;
      }
      const outcome = outcomes.get(change.changeId);
      if (outcome?.status !== 'APPLIED') {
        violations.push(`${label}: ${change.changeId} answered ${JSON.stringify(outcome ?? null)}`);
      } else if (!once) {
        violations.push(
          `${label}: ${change.changeId} applied, yet stored [${types}] (expected [${expected}] once)`,
        );
      }
    }
    const first = op.sync?.resendOf ? byId.get(op.sync.resendOf) : undefined;
    if (first?.outcome === 'acknowledged' && op.outcome === 'acknowledged') {
      const before = outcomesOf(first);
      for (const [changeId, outcome] of outcomes) {
        const was = before.get(changeId);
        const problem = was ? retryProblem(was, outcome) : 'no answer the first time';
        if (problem) violations.push(`${label}: ${changeId}: ${problem}`);
      }
    }
  }
  return violations;
}

/** A sync's outcomes by change id, as the device was told them. */
function outcomesOf(op: OperationRecord): Map<string, SyncOutcomeView> {
  const outcomes = (op.result?.outcomes ?? []) as SyncOutcomeView[];
  return new Map(outcomes.map((outcome) => [outcome.changeId, outcome]));
}

/** Every stored event of `streams`, in log order (for operations whose command id is not known). */
function eventsOfStreams(runtime: Runtime, streams: readonly string[]): Promise<Map<string, StoredEvent[]>> {
  return storedEventsBy(runtime, 'stream_name', streams, (event) => event.stream);
}

/** No event id twice in a stream, and revisions 0..n-1 without a gap in every stream. */
export async function checkStreamsIntact(runtime: Runtime): Promise<string[]> {
  const duplicates = await runtime.pool.query<{ stream_name: string; event_id: string; n: number }>(
    `select stream_name, event_id, count(*)::int as n from es_events
      group by stream_name, event_id having count(*) > 1 limit 20`,
  );
  const gaps = await runtime.pool.query<{ stream_name: string; n: number; top: string }>(
    `select stream_name, count(*)::int as n, max(revision)::text as top from es_events
      group by stream_name having max(revision) + 1 <> count(*) limit 20`,
  );
  return [
    ...duplicates.rows.map((r) => `stream ${r.stream_name} holds event ${r.event_id} ${r.n} times`),
    ...gaps.rows.map((r) => `stream ${r.stream_name} has ${r.n} events but revision ${r.top}`),
  ];
}

/** Resolves once every projection's checkpoint is at the head of the log (call with the writers quiet). */
export async function projectionsCaughtUp(runtime: Runtime): Promise<string[]> {
  const statuses = await projectionStatuses(runtime.pool, runtime.store, runtime.projections);
  return statuses
    .filter((status) => status.lagEvents > 0 || status.state === 'failed')
    .map(
      (status) => `${status.name}: ${status.state}, ${status.lagEvents} events behind ${status.error ?? ''}`,
    );
}

export interface ReadModelComparison {
  projection: string;
  table: string;
  same: boolean;
  liveRows: number;
  rebuiltRows: number;
}

/**
 * What `chronicle projections rebuild <name> --compare --no-swap` does, for every read model:
 * build it again from position 0 into new tables and compare table checksums with the live
 * ones; the rebuilt tables are dropped afterwards. The live projector must be caught up and
 * stopped (or the log quiet), or the two legitimately differ.
 */
export async function compareReadModelsWithRebuild(runtime: Runtime): Promise<ReadModelComparison[]> {
  const { store, pool, bus } = runtime;
  const log = createLogger(process.env.TEST_LOG_LEVEL ?? 'silent');
  const comparisons: ReadModelComparison[] = [];
  for (const projection of runtime.projections) {
    try {
      const report = await rebuildProjection({ store, pool, bus, log }, projection, {
        compare: true,
        swap: false,
      });
      for (const table of report.comparison ?? []) {
        comparisons.push({
          projection: projection.name,
          table: table.table,
          same: table.same,
          liveRows: table.live.rows,
          rebuiltRows: table.rebuilt.rows,
        });
      }
    } finally {
      await abandonRebuild(pool, projection.name);
    }
  }
  return comparisons;
}

/**
 * The communities context's read models were part of the comparison and held rows: every
 * projection of the context rebuilt, and the ones the load writes to (communities, discussions,
 * learning, progress, trust) not empty, so their equality with a rebuild says something.
 */
export function communityReadModelsCovered(comparisons: readonly ReadModelComparison[]): string[] {
  return COMMUNITY_READ_MODELS.flatMap((name) => {
    const tables = comparisons.filter((c) => c.projection === name);
    if (tables.length === 0) return [`${name}: not compared with a rebuild`];
    return tables.some((c) => c.liveRows > 0)
      ? []
      : [`${name}: every table empty, the load wrote nothing there`];
  });
}

/** The comparisons that differ, as readable lines. */
export function readModelDifferences(comparisons: readonly ReadModelComparison[]): string[] {
  return comparisons
    .filter((c) => !c.same)
    .map(
      (c) =>
        `${c.projection}.${c.table}: live ${c.liveRows} rows, rebuilt ${c.rebuiltRows} rows, checksums differ`,
    );
}

export interface SagaState {
  workflowId: string;
  /** Temporal's status name (COMPLETED, RUNNING, FAILED, ...), or NOT_FOUND. */
  status: string;
  /** The content stream records the publication as published. */
  published: boolean;
  /** Activities Temporal is waiting on (type, attempt, last failure), for a report on a stuck saga. */
  pending: string[];
}

/** The publishing sagas of the acknowledged publish requests, as Temporal and the store see them. */
export async function publishingSagas(
  runtime: Runtime,
  temporalAddress: string,
  operations: readonly OperationRecord[],
): Promise<SagaState[]> {
  const publications = operations.filter(
    (op) => op.kind === 'publishContent' && op.outcome === 'acknowledged' && op.aggregateId,
  );
  if (publications.length === 0) return [];
  const { rows } = await runtime.pool.query<{ publication_id: string }>(
    `select data->>'publicationId' as publication_id from es_events
      where type = 'ContentPublished' and data->>'publicationId' = any($1::text[])`,
    [publications.map((op) => op.detail.publicationId)],
  );
  const published = new Set(rows.map((r) => r.publication_id));
  const temporal = await connectTemporalClient(temporalAddress);
  try {
    return await Promise.all(
      publications.map(async (op) => {
        const publicationId = op.detail.publicationId ?? '';
        const workflowId = publishingWorkflowId(op.aggregateId ?? '', publicationId);
        const description = await temporal.client.workflow
          .getHandle(workflowId)
          .describe()
          .catch(() => undefined);
        const pending = (description?.raw.pendingActivities ?? []).map(
          (activity) =>
            `${activity.activityType?.name} attempt ${activity.attempt} ${activity.state}${activity.lastFailure?.message ? ` (${activity.lastFailure.message})` : ''}`,
        );
        return {
          workflowId,
          status: description?.status.name ?? 'NOT_FOUND',
          published: published.has(publicationId),
          pending,
        };
      }),
    );
  } finally {
    await temporal.close();
  }
}

/** The sagas not (yet) completed and recorded, as readable lines. */
export function unfinishedSagas(sagas: readonly SagaState[]): string[] {
  return sagas
    .filter((saga) => saga.status !== 'COMPLETED' || !saga.published)
    .map(
      (saga) =>
        `${saga.workflowId}: ${saga.status}, ${saga.published ? 'published' : 'not published'}${saga.pending.length ? `, waiting on ${saga.pending.join('; ')}` : ''}`,
    );
}
