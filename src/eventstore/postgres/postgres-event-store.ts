import type pg from 'pg';
import { createPool } from '../../infra/pg-pool.ts';
import type { Logger } from '../../logger.ts';
import { IdempotencyMismatch, StreamDeleted, StreamNotFound, WrongExpectedVersion } from '../errors.ts';
import type {
  AppendOptions,
  AppendResult,
  ChainVerification,
  CountAllOptions,
  CountedEvents,
  EventFilter,
  EventStore,
  EventToAppend,
  ExpectedRevision,
  ReadAllOptions,
  ReadStreamOptions,
  RecordedEvent,
  StreamMetadata,
  SubscribeToAllOptions,
} from '../port.ts';
import { assertStreamName, DEFAULT_LIMITS, type Limits } from '../validation.ts';
import { verifyChain } from '../verify-chain.ts';
import { appendItems } from './append-payload.ts';
import { GroupCommit, type GroupCommitOptions } from './group-commit.ts';
import {
  COUNT_ALL_FORWARDS,
  HEAD_POSITION,
  READ_ALL_BACKWARDS,
  READ_ALL_FORWARDS,
  READ_STREAM_BACKWARDS,
  READ_STREAM_FORWARDS,
  READ_STREAM_RAW,
} from './queries.ts';
import { type EventRow, recordedAtMicros, toRecordedEvent } from './rows.ts';
import { Wakeups } from './wakeups.ts';

export interface PostgresEventStoreOptions {
  connectionString: string;
  log: Logger;
  /** A pool to share; the store then leaves closing it to the owner. Otherwise it makes its own. */
  pool?: pg.Pool;
  poolSize?: number;
  limits?: Partial<Limits>;
  /** Subscriptions re-check this often when no notification arrives. */
  pollIntervalMs?: number;
  /** Events a subscription reads per round trip; also the most it holds in memory. */
  subscriptionPageSize?: number;
  /** How concurrent appends share transactions (group commit). */
  groupCommit?: GroupCommitOptions;
}

interface StreamRow {
  tombstoned: boolean | null;
  head: string | null;
  deleted_before: string | null;
}

type StreamPageRow = StreamRow & Partial<EventRow>;

const NO_LIMIT = 2_147_483_647;

/** The embedded event store: EventStoreDB semantics on PostgreSQL (schema in migrations/). */
export class PostgresEventStore implements EventStore {
  private readonly pool: pg.Pool;
  private readonly ownsPool: boolean;
  private readonly wakeups: Wakeups;
  private readonly limits: Limits;
  private readonly pollIntervalMs: number;
  private readonly pageSize: number;
  private readonly closing = new AbortController();
  private readonly appends: GroupCommit;

  constructor(options: PostgresEventStoreOptions) {
    this.ownsPool = options.pool === undefined;
    this.pool =
      options.pool ??
      createPool({ connectionString: options.connectionString, max: options.poolSize ?? 10 }, options.log);
    this.wakeups = new Wakeups(this.pool, options.connectionString, options.log);
    this.limits = { ...DEFAULT_LIMITS, ...options.limits };
    this.pollIntervalMs = options.pollIntervalMs ?? 1000;
    this.pageSize = options.subscriptionPageSize ?? 1000;
    this.appends = new GroupCommit(this.pool, options.log, options.groupCommit);
  }

  async append(stream: string, events: EventToAppend[], options: AppendOptions = {}): Promise<AppendResult> {
    assertStreamName(stream);
    const items = appendItems(events, this.limits, options.recorded);
    const expected = options.expectedRevision ?? 'any';
    const row = await this.appends.submit({
      stream,
      expected: expected.toString(),
      count: events.length,
      events: items,
    });
    switch (row.status) {
      case 'written':
      case 'idempotent':
        if (row.status === 'written') this.wakeups.appended();
        return { nextExpectedRevision: BigInt(row.revision ?? -1), position: BigInt(row.position ?? -1) };
      case 'wrong_expected_version': {
        const actual = BigInt(row.revision ?? -1);
        throw new WrongExpectedVersion(stream, expected.toString(), actual < 0n ? 'no_stream' : actual);
      }
      case 'deleted':
        throw new StreamDeleted(stream);
      case 'idempotency_mismatch':
        throw new IdempotencyMismatch(stream);
      default:
        throw new Error(`es_append_batch returned an unknown status: ${row.status}`);
    }
  }

  async readStream(stream: string, options: ReadStreamOptions = {}): Promise<RecordedEvent[]> {
    assertStreamName(stream);
    const backwards = options.direction === 'backwards';
    const from = options.fromRevision ?? (backwards ? 'end' : 'start');
    const fromParam = from === 'end' ? null : from === 'start' ? '0' : from.toString();
    // Named, so each connection plans these once: they run for every command.
    const { rows } = await this.pool.query<StreamPageRow>({
      name: backwards ? 'es_read_stream_backwards' : 'es_read_stream_forwards',
      text: backwards ? READ_STREAM_BACKWARDS : READ_STREAM_FORWARDS,
      values: [stream, fromParam, limitOf(options.maxCount)],
    });
    const [first] = rows;
    if (!first || BigInt(first.head ?? -1) < BigInt(first.deleted_before ?? 0)) {
      if (first?.tombstoned) throw new StreamDeleted(stream);
      throw new StreamNotFound(stream);
    }
    if (first.tombstoned) throw new StreamDeleted(stream);
    return rows.filter(isEventRow).map(toRecordedEvent);
  }

  async readAll(options: ReadAllOptions = {}): Promise<RecordedEvent[]> {
    const limit = limitOf(options.maxCount);
    const [streams, types] = filterParams(options.filter);
    if (options.direction === 'backwards') {
      const from = options.fromPosition ?? 'end';
      const upper = from === 'end' ? null : from === 'start' ? '-1' : from.toString();
      const { rows } = await this.pool.query<EventRow>(READ_ALL_BACKWARDS, [upper, limit, streams, types]);
      return rows.map(toRecordedEvent);
    }
    const from = options.fromPosition ?? 'start';
    if (from === 'end') return [];
    const after = from === 'start' ? -1n : from - 1n;
    return this.readAllPage(after, limit, options.filter);
  }

  async countAll(options: CountAllOptions): Promise<CountedEvents> {
    const limit = limitOf(options.limit);
    const [streams, types] = filterParams(options.filter);
    const { rows } = await this.pool.query<{
      count: number;
      occurred_at: string | null;
      created_at_ms: number | null;
    }>(COUNT_ALL_FORWARDS, [(options.fromPosition - 1n).toString(), limit + 1, streams, types]);
    const row = rows[0];
    const count = row?.count ?? 0;
    const storedAt = row?.created_at_ms == null ? null : new Date(row.created_at_ms).toISOString();
    return {
      count: Math.min(count, limit),
      capped: count > limit,
      firstOccurredAt: row?.occurred_at ?? storedAt,
    };
  }

  async *subscribeToAll(options: SubscribeToAllOptions = {}): AsyncGenerator<RecordedEvent> {
    const signal = anySignal(options.signal, this.closing.signal);
    const from = options.fromPosition ?? 'start';
    let after = from === 'start' ? -1n : from === 'end' ? await this.headPosition() : from;
    while (!signal.aborted) {
      const mark = this.wakeups.mark();
      const events = await this.readAllPage(after, this.pageSize, options.filter);
      for (const event of events) {
        if (signal.aborted) return;
        yield event;
        after = event.position;
      }
      if (events.length === this.pageSize) continue;
      await this.wakeups.wait(this.pollIntervalMs, signal, mark);
    }
  }

  /** Position of the newest event, -1 when the store is empty. */
  async headPosition(): Promise<bigint> {
    const { rows } = await this.pool.query<{ head: string }>(HEAD_POSITION);
    return BigInt(rows[0]?.head ?? -1);
  }

  async getStreamMetadata(stream: string): Promise<StreamMetadata> {
    assertStreamName(stream);
    const { rows } = await this.pool.query<{
      max_count: string | null;
      max_age_seconds: string | null;
      truncate_before: string | null;
      custom_metadata: Record<string, unknown>;
    }>(
      'select max_count, max_age_seconds, truncate_before, custom_metadata from es_streams where stream_name = $1',
      [stream],
    );
    const [row] = rows;
    if (!row) return {};
    const metadata: StreamMetadata = {};
    if (row.max_count !== null) metadata.maxCount = Number(row.max_count);
    if (row.max_age_seconds !== null) metadata.maxAge = Number(row.max_age_seconds);
    if (row.truncate_before !== null) metadata.truncateBefore = BigInt(row.truncate_before);
    if (Object.keys(row.custom_metadata).length > 0) metadata.custom = row.custom_metadata;
    return metadata;
  }

  async setStreamMetadata(stream: string, metadata: StreamMetadata): Promise<void> {
    assertStreamName(stream);
    const { rows } = await this.pool.query<{ tombstoned: boolean }>(
      `insert into es_streams (stream_name, max_count, max_age_seconds, truncate_before, custom_metadata)
       values ($1, $2, $3, $4, $5)
       on conflict (stream_name) do update
         set max_count = excluded.max_count, max_age_seconds = excluded.max_age_seconds,
             truncate_before = excluded.truncate_before, custom_metadata = excluded.custom_metadata
         where not es_streams.tombstoned
       returning tombstoned`,
      [
        stream,
        metadata.maxCount ?? null,
        metadata.maxAge ?? null,
        metadata.truncateBefore?.toString() ?? null,
        JSON.stringify(metadata.custom ?? {}),
      ],
    );
    if (rows.length === 0) throw new StreamDeleted(stream);
  }

  deleteStream(stream: string, options: AppendOptions = {}): Promise<void> {
    return this.changeStreamState(stream, options.expectedRevision ?? 'any', 'soft');
  }

  tombstoneStream(stream: string, options: AppendOptions = {}): Promise<void> {
    return this.changeStreamState(stream, options.expectedRevision ?? 'any', 'tombstone');
  }

  async verifyStream(stream: string): Promise<ChainVerification> {
    assertStreamName(stream);
    // The head first: appends only add events, so whatever is read after it includes the event
    // the head names, unless that event was deleted.
    const { rows: heads } = await this.pool.query<{ revision: string; last_hash: Buffer | null }>(
      'select revision, last_hash from es_streams where stream_name = $1',
      [stream],
    );
    const events: RecordedEvent[] = [];
    const micros: bigint[] = [];
    for (let after = -1n; ; ) {
      const { rows } = await this.pool.query<EventRow>(READ_STREAM_RAW, [stream, after.toString(), 5000]);
      events.push(...rows.map(toRecordedEvent));
      micros.push(...rows.map(recordedAtMicros));
      const last = events.at(-1);
      if (rows.length < 5000 || !last) break;
      after = last.revision;
    }
    if (events.length === 0) throw new StreamNotFound(stream);
    const verification = verifyChain(stream, events, (index) => micros[index] ?? 0n);
    const head = heads[0];
    if (!verification.ok || !head || head.last_hash === null) return verification;
    const revision = BigInt(head.revision);
    const hash = head.last_hash.toString('hex');
    const named = events.find((event) => event.revision === revision);
    if (named?.hash === hash) return verification;
    const last = events.at(-1);
    return {
      ...verification,
      ok: false,
      head: {
        revision,
        hash,
        ...(last
          ? { lastStored: { revision: last.revision, position: last.position, eventId: last.id } }
          : {}),
      },
    };
  }

  async close(): Promise<void> {
    this.closing.abort();
    await this.wakeups.close();
    if (this.ownsPool) await this.pool.end();
  }

  private async readAllPage(after: bigint, limit: number, filter?: EventFilter): Promise<RecordedEvent[]> {
    const [streams, types] = filterParams(filter);
    const { rows } = await this.pool.query<EventRow>({
      name: 'es_read_all_forwards',
      text: READ_ALL_FORWARDS,
      values: [after.toString(), limit, streams, types],
    });
    return rows.map(toRecordedEvent);
  }

  private async changeStreamState(stream: string, expected: ExpectedRevision, kind: 'soft' | 'tombstone') {
    assertStreamName(stream);
    const client = await this.pool.connect();
    try {
      await client.query('begin');
      if (kind === 'tombstone') {
        await client.query('insert into es_streams (stream_name) values ($1) on conflict do nothing', [
          stream,
        ]);
      }
      const { rows } = await client.query<{ revision: string; deleted_before: string; tombstoned: boolean }>(
        'select revision, deleted_before, tombstoned from es_streams where stream_name = $1 for update',
        [stream],
      );
      const [row] = rows;
      if (row?.tombstoned) throw new StreamDeleted(stream);
      const revision = BigInt(row?.revision ?? -1);
      const exists = row !== undefined && revision >= BigInt(row.deleted_before);
      if (kind === 'soft' && !exists) throw new StreamNotFound(stream);
      const ok =
        expected === 'any' ||
        (expected === 'no_stream' && !exists) ||
        (expected === 'stream_exists' && exists) ||
        (typeof expected === 'bigint' && expected === revision);
      if (!ok) throw new WrongExpectedVersion(stream, expected.toString(), exists ? revision : 'no_stream');
      await client.query(
        kind === 'soft'
          ? 'update es_streams set deleted_before = revision + 1 where stream_name = $1'
          : 'update es_streams set tombstoned = true where stream_name = $1',
        [stream],
      );
      await client.query('commit');
    } catch (error) {
      await client.query('rollback').catch(() => undefined);
      throw error;
    } finally {
      client.release();
    }
  }
}

function isEventRow<T extends Partial<EventRow>>(row: T): row is T & EventRow {
  return row.position !== null && row.position !== undefined;
}

function limitOf(maxCount: number | undefined): number {
  if (maxCount === undefined) return NO_LIMIT;
  if (!Number.isInteger(maxCount) || maxCount < 0)
    throw new RangeError('maxCount must be a non-negative integer');
  return Math.min(maxCount, NO_LIMIT);
}

function filterParams(filter: EventFilter | undefined): [string[] | null, string[] | null] {
  const streams = filter?.streamNamePrefixes?.length ? filter.streamNamePrefixes : null;
  const types = filter?.eventTypePrefixes?.length ? filter.eventTypePrefixes : null;
  return [streams, types];
}

function anySignal(...signals: (AbortSignal | undefined)[]): AbortSignal {
  return AbortSignal.any(signals.filter((s): s is AbortSignal => s !== undefined));
}
