/**
 * The EventStore port on EventStoreDB (production), through @eventstore/db-client over gRPC.
 * Requires EventStoreDB 22.10 or later: stream reads must carry positions.
 *
 * What EventStoreDB does natively is passed through (expected revisions, idempotent ids for exact
 * revisions, soft delete and tombstone, stream metadata, filtered $all subscriptions). What it
 * cannot do is done here: the per-stream hash chain, hiding `$` system events, the port's
 * inclusive/exclusive position rules, and filters on stream name and event type together.
 * Links are never resolved (resolveLinkTos stays false): link events (`$>`) live in `$` streams
 * that the port hides, and resolving them would deliver events a second time.
 */
import {
  type AppendExpectedRevision,
  BACKWARDS,
  END,
  type AppendResult as EsdbAppendResult,
  EventStoreDBClient,
  FORWARDS,
  StreamDeletedError,
  StreamNotFoundError,
} from '@eventstore/db-client';
import { IdempotencyMismatch, InvalidEvent, StreamDeleted, WrongExpectedVersion } from './errors.ts';
import { matchReplay, nextLink } from './eventstoredb-chain.ts';
import {
  assertNoReservedMetadata,
  expectedRevisionLabel,
  fromEsdbStreamMetadata,
  mapEsdbError,
  matchesFilter,
  parseExpectedRevision,
  toEsdbEvent,
  toEsdbExpectedRevision,
  toEsdbPosition,
  toEsdbStreamMetadata,
  toRecordedEvent,
  toSubscriptionFilter,
} from './eventstoredb-mapping.ts';
import { AllReader } from './eventstoredb-read-all.ts';
import { untilAborted } from './eventstoredb-subscription.ts';
import { GENESIS_HASH } from './hash-chain.ts';
import type {
  AppendOptions,
  AppendResult,
  ChainVerification,
  CountAllOptions,
  CountedEvents,
  EventStore,
  EventToAppend,
  ExpectedRevision,
  Position,
  ReadAllOptions,
  ReadStreamOptions,
  RecordedEvent,
  StreamMetadata,
  SubscribeToAllOptions,
} from './port.ts';
import { assertStreamName, DEFAULT_LIMITS, type Limits, validateEvents } from './validation.ts';
import { verifyChain } from './verify-chain.ts';

export interface EventStoreDbOptions {
  limits?: Limits;
  /** Attempts for an `any`/`stream_exists` append whose pinned revision lost a race. */
  maxAppendAttempts?: number;
  /** Events per $all page when readAll filters on the client. */
  readAllPageSize?: number;
}

/** The stream's end as seen before an append. */
type Head =
  | { kind: 'missing' } // never written, or soft-deleted
  | { kind: 'tombstoned' }
  | { kind: 'hidden' } // exists, but metadata (maxAge, truncateBefore) hides every event
  | { kind: 'present'; tail: RecordedEvent[]; last: RecordedEvent };

function assertMaxCount(maxCount: unknown): number {
  if (maxCount === undefined) return Number.POSITIVE_INFINITY;
  if (typeof maxCount === 'number' && Number.isSafeInteger(maxCount) && maxCount >= 0) return maxCount;
  throw new InvalidEvent(`maxCount must be an integer >= 0; got ${String(maxCount)}`);
}

export class EventStoreDbEventStore implements EventStore {
  readonly #client: EventStoreDBClient;
  readonly #limits: Limits;
  readonly #maxAppendAttempts: number;
  readonly #pageSize: number;

  /** A connection string (esdb://host:2113?tls=false), or a client configured elsewhere. */
  constructor(connection: string | EventStoreDBClient, options: EventStoreDbOptions = {}) {
    // Connects lazily, on the first call.
    this.#client =
      typeof connection === 'string' ? EventStoreDBClient.connectionString(connection) : connection;
    this.#limits = options.limits ?? DEFAULT_LIMITS;
    this.#maxAppendAttempts = options.maxAppendAttempts ?? 5;
    // Pages overlap by one event (inclusive starts), so a page of one would never advance.
    this.#pageSize = Math.max(2, options.readAllPageSize ?? 512);
  }

  // -------------------------------------------------------------------------------------------
  // Appends

  async append(stream: string, events: EventToAppend[], options: AppendOptions = {}): Promise<AppendResult> {
    assertStreamName(stream);
    validateEvents(events, this.#limits);
    assertNoReservedMetadata(events);
    const expected = parseExpectedRevision(options.expectedRevision);
    if (expected === 'any' || expected === 'stream_exists')
      return this.#appendPinned(stream, events, expected);
    return this.#appendExact(stream, events, expected);
  }

  /**
   * `no_stream` or an exact revision N: EventStoreDB only writes if the stream is at exactly that
   * point, and itself answers a repeat of ids already written after it as an idempotent success.
   * The links only matter when it writes, i.e. when the tip read here is the expected one.
   */
  async #appendExact(
    stream: string,
    events: EventToAppend[],
    expected: bigint | 'no_stream',
  ): Promise<AppendResult> {
    const head = await this.#readHead(stream, 1);
    let previousHash = GENESIS_HASH;
    if (head.kind === 'tombstoned') throw new StreamDeleted(stream);
    if (head.kind === 'present') {
      const current = head.last.revision;
      if (expected === 'no_stream' || current > expected) {
        const replayed = await this.#replayResult(
          stream,
          events,
          expected === 'no_stream' ? 0n : expected + 1n,
        );
        if (replayed) return replayed;
      } else if (current < expected) {
        // Behind the expectation now; if a concurrent writer got it there before our append, the
        // server would write our events after a tip these links were not computed from.
        throw new WrongExpectedVersion(stream, expectedRevisionLabel(expected), current);
      } else {
        previousHash = head.last.hash;
      }
    }
    // missing (also soft-deleted, where a write recreates the stream) or hidden: the old tip is
    // unreadable, so the chain restarts at the genesis hash.
    return this.#write(stream, events, previousHash, expected, expected);
  }

  /**
   * EventStoreDB's rule for an expectation the stream has moved past: the same ids already at the
   * revisions right after it make the append an idempotent success. Judged here rather than by the
   * server so that a partial repeat is IdempotencyMismatch, as in the embedded adapter (the server
   * calls it a wrong expected version). Returns undefined when those revisions are truncated away
   * and only the server can still judge.
   */
  async #replayResult(
    stream: string,
    events: EventToAppend[],
    firstRevision: bigint,
  ): Promise<AppendResult | undefined> {
    const written = await this.readStream(stream, { fromRevision: firstRevision, maxCount: events.length });
    if (written[0]?.revision !== firstRevision) return undefined;
    switch (matchReplay(written, events)) {
      case 'all': {
        const last = written[written.length - 1];
        return last && { nextExpectedRevision: last.revision, position: last.position };
      }
      case 'partial':
        throw new IdempotencyMismatch(stream);
      case 'none':
        return undefined;
    }
  }

  /**
   * `any` / `stream_exists`: pins the append to the revision of the tip the links were computed
   * from and retries (bounded) when another writer got in between.
   */
  async #appendPinned(
    stream: string,
    events: EventToAppend[],
    expected: 'any' | 'stream_exists',
  ): Promise<AppendResult> {
    for (let attempt = 1; ; attempt++) {
      const head = await this.#readHead(stream, events.length);
      let pin: AppendExpectedRevision;
      let previousHash = GENESIS_HASH;
      switch (head.kind) {
        case 'tombstoned':
          throw new StreamDeleted(stream);
        case 'missing':
          // EventStoreDB answers stream_exists on a soft-deleted stream with StreamDeleted; for the
          // port a soft-deleted stream does not exist.
          if (expected === 'stream_exists') throw new WrongExpectedVersion(stream, expected, 'no_stream');
          pin = 'no_stream';
          break;
        case 'hidden':
          // The tip's revision is unknowable from reads here, so this one case is not pinned: a
          // concurrent append could interleave and fork the chain. Only happens when stream
          // metadata hides every event.
          pin = 'stream_exists';
          break;
        case 'present': {
          const replay = matchReplay(head.tail, events);
          if (replay === 'all')
            return { nextExpectedRevision: head.last.revision, position: head.last.position };
          if (replay === 'partial') throw new IdempotencyMismatch(stream);
          pin = head.last.revision;
          previousHash = head.last.hash;
          break;
        }
      }
      try {
        return await this.#write(stream, events, previousHash, pin, expected);
      } catch (error) {
        if (error instanceof WrongExpectedVersion && attempt < this.#maxAppendAttempts) continue;
        throw error;
      }
    }
  }

  async #write(
    stream: string,
    events: EventToAppend[],
    previousHash: string,
    pin: AppendExpectedRevision,
    expected: ExpectedRevision,
  ): Promise<AppendResult> {
    let link = previousHash;
    const data = events.map((event) => {
      link = nextLink(link, event);
      return toEsdbEvent(event, link);
    });
    let result: EsdbAppendResult;
    try {
      result = await this.#client.appendToStream(stream, data, {
        expectedRevision: toEsdbExpectedRevision(pin),
      });
    } catch (error) {
      throw mapEsdbError(error, { stream, expected });
    }
    if (!result.success) {
      // Only when the connection string sets throwOnAppendFailure=false.
      const actual = result.nextExpectedRevision < 0n ? 'no_stream' : result.nextExpectedRevision;
      throw new WrongExpectedVersion(stream, expectedRevisionLabel(expected), actual);
    }
    const position = result.position?.commit ?? (await this.#positionOf(stream, result.nextExpectedRevision));
    return { nextExpectedRevision: result.nextExpectedRevision, position };
  }

  /** The position of one event, for append results that came back without one. */
  async #positionOf(stream: string, revision: bigint): Promise<Position> {
    const [event] = await this.readStream(stream, { fromRevision: revision, maxCount: 1 });
    if (!event || event.revision !== revision) {
      throw new Error(`Appended to ${stream} but could not read back revision ${revision} for its position`);
    }
    return event.position;
  }

  async #readHead(stream: string, count: number): Promise<Head> {
    try {
      const reads = this.#client.readStream(stream, {
        direction: BACKWARDS,
        fromRevision: END,
        maxCount: count,
      });
      const tail: RecordedEvent[] = [];
      for await (const resolved of reads) if (resolved.event) tail.unshift(toRecordedEvent(resolved.event));
      const last = tail.at(-1);
      return last ? { kind: 'present', tail, last } : { kind: 'hidden' };
    } catch (error) {
      if (error instanceof StreamNotFoundError) return { kind: 'missing' };
      if (error instanceof StreamDeletedError) return { kind: 'tombstoned' };
      throw mapEsdbError(error, { stream });
    }
  }

  // -------------------------------------------------------------------------------------------
  // Reads

  async readStream(stream: string, options: ReadStreamOptions = {}): Promise<RecordedEvent[]> {
    assertStreamName(stream);
    const maxCount = assertMaxCount(options.maxCount);
    if (maxCount === 0) return [];
    const direction = options.direction ?? 'forwards';
    const from = options.fromRevision ?? (direction === 'forwards' ? 'start' : 'end');
    if (typeof from === 'bigint' && from < 0n)
      throw new InvalidEvent(`fromRevision must be >= 0; got ${from}`);
    try {
      const reads = this.#client.readStream(stream, {
        direction: direction === 'forwards' ? FORWARDS : BACKWARDS,
        fromRevision: from,
        ...(Number.isFinite(maxCount) ? { maxCount } : {}),
      });
      const events: RecordedEvent[] = [];
      for await (const resolved of reads) if (resolved.event) events.push(toRecordedEvent(resolved.event));
      return events;
    } catch (error) {
      throw mapEsdbError(error, { stream });
    }
  }

  /** Paged and filtered on the client: see eventstoredb-read-all.ts. */
  async readAll(options: ReadAllOptions = {}): Promise<RecordedEvent[]> {
    const limit = assertMaxCount(options.maxCount);
    if (limit === 0) return [];
    const direction = options.direction ?? 'forwards';
    const from = options.fromPosition ?? (direction === 'forwards' ? 'start' : 'end');
    if (typeof from === 'bigint' && from < 0n)
      throw new InvalidEvent(`fromPosition must be >= 0; got ${from}`);
    const reader = new AllReader(this.#client, this.#pageSize, limit, options.filter);
    try {
      return direction === 'forwards' ? await reader.forwards(from) : await reader.backwards(from);
    } catch (error) {
      throw mapEsdbError(error);
    }
  }

  /** EventStoreDB has no count: the events are read (up to the limit) and counted. */
  async countAll(options: CountAllOptions): Promise<CountedEvents> {
    const events = await this.readAll({
      fromPosition: options.fromPosition,
      maxCount: options.limit + 1,
      ...(options.filter ? { filter: options.filter } : {}),
    });
    const first = events[0];
    const at = first?.metadata.occurredAt;
    return {
      count: Math.min(events.length, options.limit),
      capped: events.length > options.limit,
      firstOccurredAt: typeof at === 'string' ? at : (first?.createdAt.toISOString() ?? null),
    };
  }

  subscribeToAll(options: SubscribeToAllOptions = {}): AsyncIterable<RecordedEvent> {
    return this.#subscribe(options);
  }

  async *#subscribe(options: SubscribeToAllOptions): AsyncGenerator<RecordedEvent, void, undefined> {
    const { filter, signal } = options;
    if (signal?.aborted) return;
    const from = options.fromPosition ?? 'start';
    const subscription = this.#client.subscribeToAll({
      fromPosition: typeof from === 'bigint' ? toEsdbPosition(from) : from,
      filter: toSubscriptionFilter(filter),
    });
    // EventStoreDB already starts after `from`; the guard keeps the port's exclusive rule exact.
    const floor = typeof from === 'bigint' ? from : undefined;
    try {
      for await (const resolved of untilAborted(subscription, signal)) {
        const record = resolved.event;
        if (!record) continue;
        if (floor !== undefined && record.position.commit <= floor) continue;
        if (!matchesFilter({ streamName: record.streamId, type: record.type }, filter)) continue;
        yield toRecordedEvent(record);
      }
    } catch (error) {
      throw mapEsdbError(error);
    }
  }

  // -------------------------------------------------------------------------------------------
  // Metadata, deletion, verification

  async getStreamMetadata(stream: string): Promise<StreamMetadata> {
    assertStreamName(stream);
    try {
      const result = await this.#client.getStreamMetadata(stream);
      return fromEsdbStreamMetadata(result.metadata);
    } catch (error) {
      throw mapEsdbError(error, { stream });
    }
  }

  async setStreamMetadata(stream: string, metadata: StreamMetadata): Promise<void> {
    assertStreamName(stream);
    const esdb = toEsdbStreamMetadata(metadata);
    try {
      await this.#client.setStreamMetadata(stream, esdb);
    } catch (error) {
      throw mapEsdbError(error, { stream });
    }
  }

  deleteStream(stream: string, options: AppendOptions = {}): Promise<void> {
    return this.#delete(stream, options, 'soft');
  }

  tombstoneStream(stream: string, options: AppendOptions = {}): Promise<void> {
    return this.#delete(stream, options, 'tombstone');
  }

  async #delete(stream: string, options: AppendOptions, kind: 'soft' | 'tombstone'): Promise<void> {
    assertStreamName(stream);
    const expectedRevision = await this.#deletionRevision(
      stream,
      parseExpectedRevision(options.expectedRevision),
    );
    try {
      if (kind === 'soft') await this.#client.deleteStream(stream, { expectedRevision });
      else await this.#client.tombstoneStream(stream, { expectedRevision });
    } catch (error) {
      throw mapEsdbError(error, { stream, expected: options.expectedRevision });
    }
  }

  /** Deletes take no `stream_exists` in EventStoreDB: pin it to the current tip instead. */
  async #deletionRevision(stream: string, expected: ExpectedRevision): Promise<'any' | 'no_stream' | bigint> {
    if (expected !== 'stream_exists') return expected;
    const head = await this.#readHead(stream, 1);
    switch (head.kind) {
      case 'tombstoned':
        throw new StreamDeleted(stream);
      case 'missing':
        throw new WrongExpectedVersion(stream, expected, 'no_stream');
      case 'hidden':
        // The stream exists but no event is readable to pin to; here `any` means the same.
        return 'any';
      case 'present':
        return head.last.revision;
    }
  }

  async verifyStream(stream: string): Promise<ChainVerification> {
    return verifyChain(stream, await this.readStream(stream));
  }

  async close(): Promise<void> {
    await this.#client.dispose();
  }
}
