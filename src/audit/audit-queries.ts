import type pg from 'pg';
import { z } from 'zod';
import type { EventCodec } from '../commands/event-codec.ts';
import { notFound, validation } from '../domain/shared/domain-error.ts';
import type { EventDefinition } from '../domain/shared/event-catalogue.ts';
import { StreamDeleted, StreamNotFound } from '../eventstore/errors.ts';
import type { EventStore, RecordedEvent } from '../eventstore/port.ts';
import { categoryOf } from '../projections/read-models/stream-catalogue.ts';
import { occurredAtOf } from './aggregate-at.ts';
import { auditedAggregate } from './aggregate-registry.ts';
import { toJsonSafe } from './json-safe.ts';
import { redactFields } from './redaction.ts';

export interface AuditReadDeps {
  store: EventStore;
  codec: Pick<EventCodec, 'decode'>;
  pool: pg.Pool;
}

/** One stored event as an auditor sees it: metadata, chain link and data decoded as of now. */
export interface AuditEvent {
  position: bigint;
  streamName: string;
  revision: bigint;
  id: string;
  type: string;
  actor: string | null;
  commandId: string | null;
  correlationId: string | null;
  causationId: string | null;
  occurredAt: string;
  recordedAt: string;
  schemaVersion: number;
  /** Hash-chain link (hex SHA-256): recompute it with `chronicle audit verify`. */
  hash: string;
  /** Upcast to the current schema; personal fields decrypted, or null once the person was forgotten. */
  data: unknown;
  /** Set when the stored event could not be decoded (its data is then null). */
  decodeError: string | null;
}

export interface AuditPage {
  events: AuditEvent[];
  /** The page asked for `first` and there was at least one more. */
  hasNextPage: boolean;
  totalCount: number;
}

const STREAM_NAME = /^[a-z][a-z0-9]{0,39}-[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const ACTOR =
  /^((user|integration):[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}|system:[A-Za-z0-9._:-]{1,80}|anonymous)$/;

export const streamNameInput = z
  .string()
  .max(100)
  .regex(STREAM_NAME, 'a stream name is <category>-<uuid>, lower case');
export const actorInput = z
  .string()
  .max(100)
  .regex(ACTOR, 'an actor is user:<uuid>, integration:<uuid>, system:<process> or anonymous');
export const correlationIdInput = z.string().min(1).max(200);

/** A stream's events in revision order, after revision `after` (exclusive). */
export async function streamHistory(
  deps: AuditReadDeps,
  stream: string,
  after: bigint | undefined,
  first: number,
): Promise<AuditPage> {
  const from = after === undefined ? 0n : after + 1n;
  let head: RecordedEvent[];
  let recorded: RecordedEvent[];
  try {
    [head, recorded] = await Promise.all([
      deps.store.readStream(stream, { direction: 'backwards', maxCount: 1 }),
      deps.store.readStream(stream, { fromRevision: from, maxCount: first + 1 }),
    ]);
  } catch (error) {
    if (error instanceof StreamNotFound)
      throw notFound('STREAM_NOT_FOUND', `No stream ${stream}`, { stream });
    if (error instanceof StreamDeleted) throw notFound('STREAM_DELETED', `${stream} was deleted`, { stream });
    throw error;
  }
  const page = recorded.slice(0, first);
  return {
    events: await Promise.all(page.map((event) => auditEventOf(deps.codec, event))),
    hasNextPage: recorded.length > first,
    totalCount: head[0] ? Number(head[0].revision) + 1 : 0,
  };
}

interface IndexRow {
  position: string;
  stream_name: string;
  revision: string;
  event_id: string;
  type: string;
  actor: string | null;
  command_id: string | null;
  correlation_id: string | null;
  causation_id: string | null;
  schema_version: number;
  occurred_at: Date;
}

const INDEX_COLUMNS = `a.position::text as position, a.stream_name, a.revision::text as revision, a.event_id,
  a.type, a.actor, a.command_id, a.correlation_id, a.causation_id, a.schema_version, a.occurred_at`;

/** Every event one request (or the saga it started) caused, across streams, in position order. */
export async function traceOf(
  deps: AuditReadDeps,
  correlationId: string,
  after: bigint | undefined,
  first: number,
): Promise<AuditPage> {
  const [{ rows }, total] = await Promise.all([
    deps.pool.query<IndexRow>(
      `select ${INDEX_COLUMNS}
         from audit_index a
        where a.correlation_id = $1 and a.position > $2 order by a.position limit $3`,
      [correlationId, (after ?? -1n).toString(), first + 1],
    ),
    deps.pool.query<{ count: string }>(
      'select count(*)::text as count from audit_index where correlation_id = $1',
      [correlationId],
    ),
  ]);
  return pageOf(deps, rows, first, Number(total.rows[0]?.count ?? 0));
}

export interface ActivityRange {
  actor: string;
  from: Date | undefined;
  to: Date | undefined;
  /** Keyset: occurredAt and position of the last event seen. */
  after: { occurredAt: Date; position: bigint } | undefined;
}

/** What one actor did with `from <= occurredAt < to`, oldest first. */
export async function actorActivityOf(
  deps: AuditReadDeps,
  range: ActivityRange,
  first: number,
): Promise<AuditPage> {
  if (range.from && range.to && range.from >= range.to) {
    throw validation('INVALID_RANGE', '`from` must be before `to`');
  }
  const bounds = [range.actor, range.from?.toISOString() ?? null, range.to?.toISOString() ?? null];
  const where = `actor = $1 and ($2::timestamptz is null or occurred_at >= $2) and ($3::timestamptz is null or occurred_at < $3)`;
  const [{ rows }, total] = await Promise.all([
    deps.pool.query<IndexRow>(
      // Ordered by the table's columns (`a.`): a bare `position` would sort the text alias.
      `select ${INDEX_COLUMNS}
         from audit_index a
        where ${where} and ($4::timestamptz is null or (a.occurred_at, a.position) > ($4::timestamptz, $5::bigint))
        order by a.occurred_at, a.position limit $6`,
      [
        ...bounds,
        range.after?.occurredAt.toISOString() ?? null,
        range.after?.position.toString() ?? null,
        first + 1,
      ],
    ),
    deps.pool.query<{ count: string }>(
      `select count(*)::text as count from audit_index where ${where}`,
      bounds,
    ),
  ]);
  return pageOf(deps, rows, first, Number(total.rows[0]?.count ?? 0));
}

async function pageOf(
  deps: AuditReadDeps,
  rows: IndexRow[],
  first: number,
  totalCount: number,
): Promise<AuditPage> {
  const page = rows.slice(0, first);
  const stored = await readIndexed(deps.store, page);
  return {
    events: await Promise.all(
      page.map((row) => {
        const event = stored.get(row.position);
        return event ? auditEventOf(deps.codec, event) : missingEvent(row);
      }),
    ),
    hasNextPage: rows.length > first,
    totalCount,
  };
}

/**
 * The stored events the index rows point at, in the rows' order. Consecutive revisions of one
 * stream are read together, so a trace through one aggregate costs one read, not one per event.
 */
async function readIndexed(
  store: EventStore,
  rows: readonly IndexRow[],
): Promise<Map<string, RecordedEvent>> {
  const runs: { stream: string; from: bigint; count: number }[] = [];
  const sorted = [...rows].sort((a, b) =>
    a.stream_name === b.stream_name
      ? Number(BigInt(a.revision) - BigInt(b.revision))
      : a.stream_name < b.stream_name
        ? -1
        : 1,
  );
  for (const row of sorted) {
    const revision = BigInt(row.revision);
    const run = runs.at(-1);
    if (run && run.stream === row.stream_name && run.from + BigInt(run.count) === revision) run.count++;
    else runs.push({ stream: row.stream_name, from: revision, count: 1 });
  }
  const read = await Promise.all(
    runs.map((run) =>
      store
        .readStream(run.stream, { fromRevision: run.from, maxCount: run.count })
        .catch((error: unknown) => {
          // A stream gone from the store: its events are shown as missing, not fail the whole page.
          if (error instanceof StreamNotFound || error instanceof StreamDeleted) return [];
          throw error;
        }),
    ),
  );
  return new Map(read.flat().map((event) => [event.position.toString(), event]));
}

/**
 * An event the index saw but the store no longer returns: shown, never silently dropped, since an
 * event deleted behind the store's back is exactly what an auditor must notice.
 */
function missingEvent(row: IndexRow): AuditEvent {
  return {
    position: BigInt(row.position),
    streamName: row.stream_name,
    revision: BigInt(row.revision),
    id: row.event_id,
    type: row.type,
    actor: row.actor,
    commandId: row.command_id,
    correlationId: row.correlation_id,
    causationId: row.causation_id,
    occurredAt: row.occurred_at.toISOString(),
    recordedAt: row.occurred_at.toISOString(),
    schemaVersion: row.schema_version,
    hash: '',
    data: null,
    decodeError:
      'MISSING_FROM_EVENT_STORE: the index recorded this event but the store no longer holds it (run `chronicle audit verify`)',
  };
}

/** Any event's data, decoded with its aggregate's catalogue, or as stored (personal fields decrypted). */
export async function auditEventOf(
  codec: Pick<EventCodec, 'decode'>,
  recorded: RecordedEvent,
): Promise<AuditEvent> {
  const text = (field: string) => {
    const value = recorded.metadata[field];
    return typeof value === 'string' ? value : null;
  };
  const version = recorded.metadata.schemaVersion;
  let data: unknown = null;
  let decodeError: string | null = null;
  try {
    const aggregate = auditedAggregate(categoryOf(recorded.streamName));
    const decoded =
      (aggregate && (await aggregate.decode(codec, recorded))) ??
      (await codec.decode(asStoredCatalogue(recorded), recorded));
    const fields = (decoded && aggregate?.credentialFieldsOf(decoded.event.type)) ?? [];
    data = redactFields(toJsonSafe(decoded?.event.data ?? null), fields);
  } catch (error) {
    decodeError = error instanceof Error ? error.message.slice(0, 500) : 'undecodable event';
  }
  return {
    position: recorded.position,
    streamName: recorded.streamName,
    revision: recorded.revision,
    id: recorded.id,
    type: recorded.type,
    actor: text('actor'),
    commandId: text('commandId'),
    correlationId: text('correlationId'),
    causationId: text('causationId'),
    occurredAt: occurredAtOf(recorded),
    recordedAt: recorded.createdAt.toISOString(),
    schemaVersion: typeof version === 'number' ? version : 1,
    hash: recorded.hash,
    data,
    decodeError,
  };
}

/**
 * For an event no registered catalogue knows (a new context, anchors): its own type at its stored
 * version, any data. The codec still decrypts personal fields (or nulls them once erased).
 */
function asStoredCatalogue(recorded: RecordedEvent) {
  const version = recorded.metadata.schemaVersion;
  const definition: EventDefinition = {
    type: recorded.type,
    schemaVersion: typeof version === 'number' && Number.isInteger(version) && version > 0 ? version : 1,
    schema: z.unknown(),
  };
  return { [recorded.type]: definition };
}
