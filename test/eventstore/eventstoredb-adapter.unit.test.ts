/**
 * The adapter's own logic (hash chain, pinned expected revisions and retries, idempotent repeats,
 * position rules, paging and filtering of $all) against an in-memory stand-in for
 * @eventstore/db-client. The stand-in follows EventStoreDB's write rules as its source states them
 * (IndexWriter.CheckCommit); it is not EventStoreDB, and eventstoredb.int.test.ts runs the real
 * conformance suite when a server is available.
 */
import { PassThrough, Readable } from 'node:stream';
import {
  type AllStreamResolvedEvent,
  type AllStreamSubscription,
  type AppendResult,
  type AppendToStreamOptions,
  type DeleteResult,
  type DeleteStreamOptions,
  type EventData,
  EventStoreDBClient,
  type EventType,
  type ReadAllOptions,
  type ReadStreamOptions,
  type ResolvedEvent,
  StreamDeletedError,
  type StreamingRead,
  StreamNotFoundError,
  type SubscribeToAllOptions,
  type TombstoneStreamOptions,
  WrongExpectedVersionError,
} from '@eventstore/db-client';
import { describe, expect, it } from 'vitest';
import {
  IdempotencyMismatch,
  StreamDeleted,
  StreamNotFound,
  WrongExpectedVersion,
} from '../../src/eventstore/errors.ts';
import { EventStoreDbEventStore } from '../../src/eventstore/eventstoredb.ts';
import { HASH_METADATA_KEY } from '../../src/eventstore/eventstoredb-mapping.ts';
import { GENESIS_HASH } from '../../src/eventstore/hash-chain.ts';
import type { EventToAppend } from '../../src/eventstore/port.ts';
import { describeEventStoreConformance } from './conformance.ts';

const NOW = new Date('2026-01-02T03:04:05.000Z');

class FakeRead<E> extends Readable implements StreamingRead<E> {
  constructor(items: E[], error?: Error) {
    super({ objectMode: true });
    for (const item of items) this.push(item);
    if (error) this.destroy(error);
    else this.push(null);
  }
  override _read(): void {}
  async cancel(): Promise<void> {}
}

class FakeSubscription extends PassThrough implements AllStreamSubscription {
  id?: string;
  constructor(private readonly stop: () => void) {
    super({ objectMode: true });
  }
  async unsubscribe(): Promise<void> {
    this.stop();
  }
}

interface Stored {
  streamId: string;
  revision: bigint;
  position: bigint;
  event: EventData;
}

interface StreamState {
  last: bigint;
  tombstoned: boolean;
  softDeleted: boolean;
  truncateBefore: bigint;
}

/** Just enough of EventStoreDB, in memory. */
class FakeEventStoreDb extends EventStoreDBClient {
  readonly log: Stored[] = [];
  readonly appends: { stream: string; expectedRevision: unknown }[] = [];
  readonly streams = new Map<string, StreamState>();
  /** Runs before each append reaches the "server": lets a test slip a concurrent write in. */
  beforeAppend: ((stream: string) => Promise<void> | void) | undefined;
  #position = 1000n;
  readonly #listeners = new Set<(stored: Stored) => void>();

  constructor() {
    super({ endpoint: 'localhost:2113' }, { insecure: true });
  }

  #state(stream: string): StreamState {
    let state = this.streams.get(stream);
    if (!state) {
      state = { last: -1n, tombstoned: false, softDeleted: false, truncateBefore: 0n };
      this.streams.set(stream, state);
    }
    return state;
  }

  #record(streamId: string, revision: bigint, event: EventData): bigint {
    // Positions are log offsets: increasing, with gaps.
    this.#position += 137n;
    const stored = { streamId, revision, position: this.#position, event };
    this.log.push(stored);
    for (const listener of this.#listeners) listener(stored);
    return this.#position;
  }

  /** Writes directly, as another client would. */
  writeRaw(stream: string, type: string): void {
    const state = this.#state(stream);
    state.last += 1n;
    this.#record(stream, state.last, {
      id: crypto.randomUUID(),
      contentType: 'application/json',
      type,
      data: {},
      metadata: undefined,
    });
  }

  #wrongVersion(stream: string, expected: AppendToStreamOptions['expectedRevision'], current: bigint): never {
    throw new WrongExpectedVersionError(undefined, {
      streamName: stream,
      expected: expected ?? 'any',
      current: current < 0n ? 'no_stream' : current,
    });
  }

  /** Ids already at `from`, `from + 1`, ...: an idempotent repeat. */
  #alreadyWritten(stream: string, from: bigint, events: EventData[]): bigint | undefined {
    const found = events.map((event, i) =>
      this.log.find(
        (s) => s.streamId === stream && s.revision === from + BigInt(i) && s.event.id === event.id,
      ),
    );
    return found.every(Boolean) ? from + BigInt(events.length) - 1n : undefined;
  }

  override async appendToStream<E extends EventType = EventType>(
    stream: string,
    input: EventData<E> | EventData<E>[],
    options: AppendToStreamOptions = {},
  ): Promise<AppendResult> {
    const events: EventData[] = structuredClone(Array.isArray(input) ? input : [input]);
    const expected = options.expectedRevision ?? 'any';
    this.appends.push({ stream, expectedRevision: expected });
    const interfere = this.beforeAppend;
    await interfere?.(stream);
    const state = this.#state(stream);
    if (state.tombstoned) throw StreamDeletedError.fromStreamName(stream);
    const current = state.last;
    if (expected === 'stream_exists') {
      if (state.softDeleted) throw StreamDeletedError.fromStreamName(stream);
      if (current < 0n) this.#wrongVersion(stream, expected, current);
    } else if (expected === 'no_stream') {
      if (current >= 0n && !state.softDeleted) {
        const repeat = this.#alreadyWritten(stream, 0n, events);
        if (repeat === undefined) this.#wrongVersion(stream, expected, current);
        return { success: true, nextExpectedRevision: repeat };
      }
    } else if (typeof expected === 'bigint' && expected !== current) {
      const repeat = expected < current ? this.#alreadyWritten(stream, expected + 1n, events) : undefined;
      if (repeat === undefined) this.#wrongVersion(stream, expected, current);
      return { success: true, nextExpectedRevision: repeat };
    }
    if (state.softDeleted) {
      state.softDeleted = false;
      state.truncateBefore = current + 1n;
    }
    const original = stream.startsWith('$$') ? this.streams.get(stream.slice(2)) : undefined;
    if (original?.softDeleted) {
      // Writing metadata undeletes a soft-deleted stream, keeping its old events hidden.
      original.softDeleted = false;
      original.truncateBefore = original.last + 1n;
    }
    let position = 0n;
    for (const event of events) {
      state.last += 1n;
      position = this.#record(stream, state.last, event);
    }
    return {
      success: true,
      nextExpectedRevision: state.last,
      position: { commit: position, prepare: position },
    };
  }

  #resolved(stored: Stored): AllStreamResolvedEvent {
    const { event, streamId, revision, position } = stored;
    const common = {
      streamId,
      id: event.id,
      revision,
      type: event.type,
      created: NOW,
      metadata: event.metadata,
    };
    const at = { commit: position, prepare: position };
    return event.contentType === 'application/json'
      ? { event: { ...common, isJson: true, data: event.data, position: at }, commitPosition: position }
      : { event: { ...common, isJson: false, data: event.data, position: at }, commitPosition: position };
  }

  override readStream<E extends EventType = EventType>(
    stream: string,
    options: ReadStreamOptions = {},
  ): StreamingRead<ResolvedEvent<E>> {
    const state = this.streams.get(stream);
    if (state?.tombstoned)
      return new FakeRead<ResolvedEvent<E>>([], StreamDeletedError.fromStreamName(stream));
    if (!state || state.last < 0n || state.softDeleted) {
      return new FakeRead<ResolvedEvent<E>>([], new StreamNotFoundError(undefined, stream));
    }
    const { maxCount, truncateBefore } = this.#metadataOf(stream);
    const floor = [state.truncateBefore, truncateBefore, state.last - maxCount + 1n].reduce((a, b) =>
      a > b ? a : b,
    );
    const visible = this.log.filter((s) => s.streamId === stream && s.revision >= floor);
    const from = options.fromRevision ?? 'start';
    const forwards = (options.direction ?? 'forwards') === 'forwards';
    const ordered = forwards ? visible : [...visible].reverse();
    const selected = ordered
      .filter((s) =>
        typeof from !== 'bigint'
          ? from === (forwards ? 'start' : 'end')
          : forwards
            ? s.revision >= from
            : s.revision <= from,
      )
      .slice(0, Number(options.maxCount ?? Number.MAX_SAFE_INTEGER));
    return new FakeRead(selected.map((s) => this.#resolvedFor<E>(s)));
  }

  /** $maxCount and $tb of the stream's latest metadata event, as the server applies them. */
  #metadataOf(stream: string): { maxCount: bigint; truncateBefore: bigint } {
    const latest = this.log.findLast((s) => s.streamId === `$$${stream}`)?.event.data;
    const field = (key: string): bigint | undefined => {
      const value =
        latest && typeof latest === 'object' && !Array.isArray(latest) && key in latest
          ? Reflect.get(latest, key)
          : undefined;
      return typeof value === 'number' ? BigInt(value) : undefined;
    };
    return { maxCount: field('$maxCount') ?? 2n ** 62n, truncateBefore: field('$tb') ?? 0n };
  }

  #resolvedFor<E extends EventType>(stored: Stored): ResolvedEvent<E> {
    // The stand-in stores untyped events; the generic only matters to callers that chose E.
    const resolved: ResolvedEvent = this.#resolved(stored);
    return resolved;
  }

  /** Forwards inclusive of fromPosition, backwards exclusive, as AllReader does. */
  override readAll(options: ReadAllOptions = {}): StreamingRead<AllStreamResolvedEvent> {
    const from = options.fromPosition ?? 'start';
    const forwards = (options.direction ?? 'forwards') === 'forwards';
    const ordered = forwards ? this.log : [...this.log].reverse();
    const selected = ordered
      .filter((s) => {
        if (from === 'start') return forwards;
        if (from === 'end') return !forwards;
        return forwards ? s.position >= from.commit : s.position < from.commit;
      })
      .slice(0, Number(options.maxCount ?? Number.MAX_SAFE_INTEGER));
    return new FakeRead(selected.map((s) => this.#resolved(s)));
  }

  /** Catch-up from after fromPosition, then live; server-side filter on stream name or event type. */
  override subscribeToAll(options: SubscribeToAllOptions = {}): AllStreamSubscription {
    const from = options.fromPosition ?? 'start';
    const filter = options.filter;
    const passes = (stored: Stored): boolean => {
      if (!filter) return true;
      const value = filter.filterOn === 'streamName' ? stored.streamId : stored.event.type;
      return 'prefixes' in filter
        ? filter.prefixes.some((prefix) => value.startsWith(prefix))
        : new RegExp(filter.regex).test(value);
    };
    const subscription = new FakeSubscription(() => this.#listeners.delete(deliver));
    const deliver = (stored: Stored): void => {
      if (passes(stored)) subscription.write(this.#resolved(stored));
    };
    if (from !== 'end') {
      for (const stored of this.log) if (from === 'start' || stored.position > from.commit) deliver(stored);
    }
    this.#listeners.add(deliver);
    return subscription;
  }

  #checkDeletion(stream: string, expected: DeleteStreamOptions['expectedRevision']): StreamState {
    const state = this.#state(stream);
    if (state.tombstoned) throw StreamDeletedError.fromStreamName(stream);
    const current = state.last;
    if (
      (expected === 'no_stream' && current >= 0n) ||
      (typeof expected === 'bigint' && expected !== current)
    ) {
      this.#wrongVersion(stream, expected, current);
    }
    return state;
  }

  override async deleteStream(stream: string, options: DeleteStreamOptions = {}): Promise<DeleteResult> {
    const state = this.#checkDeletion(stream, options.expectedRevision);
    state.softDeleted = true;
    this.#record(`$$${stream}`, 0n, {
      id: crypto.randomUUID(),
      contentType: 'application/json',
      type: '$metadata',
      data: { $tb: 'max' },
      metadata: undefined,
    });
    return {};
  }

  override async tombstoneStream(
    stream: string,
    options: TombstoneStreamOptions = {},
  ): Promise<DeleteResult> {
    const state = this.#checkDeletion(stream, options.expectedRevision);
    state.tombstoned = true;
    this.#record(stream, state.last + 1n, {
      id: crypto.randomUUID(),
      contentType: 'application/json',
      type: '$streamDeleted',
      data: {},
      metadata: undefined,
    });
    return {};
  }
}

let counter = 0;
function uuid(n: number): string {
  return `00000000-0000-4000-8000-${n.toString(16).padStart(12, '0')}`;
}
function events(count: number, type = 'ThingHappened'): EventToAppend[] {
  return Array.from({ length: count }, () => {
    counter += 1;
    return { id: uuid(counter), type, data: { n: counter }, metadata: { actor: 'user:1' } };
  });
}

function setup(options: { readAllPageSize?: number; maxAppendAttempts?: number } = {}) {
  const fake = new FakeEventStoreDb();
  return { fake, store: new EventStoreDbEventStore(fake, options) };
}

describe('EventStoreDB adapter: appends', () => {
  it('chains a new stream from the genesis hash and keeps the link out of the caller metadata', async () => {
    const { fake, store } = setup();
    const result = await store.append('thing-1', events(3));
    expect(result.nextExpectedRevision).toBe(2n);
    const read = await store.readStream('thing-1');
    expect(read.map((e) => e.revision)).toEqual([0n, 1n, 2n]);
    expect(
      read.every((e) => e.metadata[HASH_METADATA_KEY] === undefined && e.metadata.actor === 'user:1'),
    ).toBe(true);
    expect(read[0]?.hash).not.toBe(GENESIS_HASH);
    expect(result.position).toBe(read[2]?.position);
    expect(fake.log.at(-1)?.event.metadata).toMatchObject({ [HASH_METADATA_KEY]: read[2]?.hash });
    expect(await store.verifyStream('thing-1')).toEqual({ stream: 'thing-1', ok: true, checked: 3 });
  });

  it('pins `any` to the tip it computed the links from', async () => {
    const { fake, store } = setup();
    await store.append('thing-1', events(1));
    await store.append('thing-1', events(2));
    expect(fake.appends.map((a) => a.expectedRevision)).toEqual(['no_stream', 0n]);
    expect((await store.verifyStream('thing-1')).ok).toBe(true);
  });

  it('retries `any` after a concurrent writer took the tip, and the chain stays whole', async () => {
    const { fake, store } = setup();
    const other = new EventStoreDbEventStore(fake);
    await store.append('thing-1', events(1));
    fake.beforeAppend = async (stream) => {
      fake.beforeAppend = undefined;
      await other.append(stream, events(1));
    };
    await expect(store.append('thing-1', events(1))).resolves.toMatchObject({ nextExpectedRevision: 2n });
    expect((await store.readStream('thing-1')).length).toBe(3);
    expect((await store.verifyStream('thing-1')).ok).toBe(true);
  });

  it('gives up after the configured number of attempts', async () => {
    const { fake, store } = setup({ maxAppendAttempts: 3 });
    await store.append('thing-1', events(1));
    fake.beforeAppend = (stream) => fake.writeRaw(stream, 'Interloper');
    await expect(store.append('thing-1', events(1))).rejects.toBeInstanceOf(WrongExpectedVersion);
    expect(fake.appends.length).toBe(1 + 3);
  });

  it('chains an exact-revision append onto that revision', async () => {
    const { fake, store } = setup();
    const first = await store.append('thing-1', events(2), { expectedRevision: 'no_stream' });
    await store.append('thing-1', events(1), { expectedRevision: first.nextExpectedRevision });
    expect(fake.appends.map((a) => a.expectedRevision)).toEqual(['no_stream', 1n]);
    expect((await store.verifyStream('thing-1')).ok).toBe(true);
  });

  it('reports the actual revision when the expectation is behind or ahead', async () => {
    const { store } = setup();
    await store.append('thing-1', events(2));
    await expect(store.append('thing-1', events(1), { expectedRevision: 5n })).rejects.toMatchObject({
      code: 'WRONG_EXPECTED_VERSION',
      expected: '5',
      actual: 1n,
    });
    await expect(store.append('thing-1', events(1), { expectedRevision: 0n })).rejects.toMatchObject({
      code: 'WRONG_EXPECTED_VERSION',
      expected: '0',
      actual: 1n,
    });
    await expect(store.append('thing-1', events(1), { expectedRevision: 'no_stream' })).rejects.toMatchObject(
      {
        actual: 1n,
      },
    );
  });

  it('treats stream_exists on a missing or soft-deleted stream as a wrong expected version', async () => {
    const { store } = setup();
    await expect(
      store.append('thing-1', events(1), { expectedRevision: 'stream_exists' }),
    ).rejects.toMatchObject({
      code: 'WRONG_EXPECTED_VERSION',
      actual: 'no_stream',
    });
    await store.append('thing-2', events(1));
    await store.deleteStream('thing-2');
    await expect(
      store.append('thing-2', events(1), { expectedRevision: 'stream_exists' }),
    ).rejects.toBeInstanceOf(WrongExpectedVersion);
  });
});

describe('EventStoreDB adapter: idempotent appends', () => {
  it('answers a repeated `any` batch with the original result and writes nothing', async () => {
    const { fake, store } = setup();
    const batch = events(2);
    const first = await store.append('thing-1', batch);
    const logLength = fake.log.length;
    await expect(store.append('thing-1', batch)).resolves.toEqual(first);
    expect(fake.log.length).toBe(logLength);
  });

  it('refuses a batch that repeats only some ids', async () => {
    const { store } = setup();
    const [first, second] = events(2);
    if (!first || !second) throw new Error('two events expected');
    await store.append('thing-1', [first, second]);
    await expect(store.append('thing-1', [second, ...events(1)])).rejects.toBeInstanceOf(IdempotencyMismatch);
  });

  it('answers a repeated exact-revision batch as written, even after later appends', async () => {
    const { fake, store } = setup();
    const batch = events(2);
    const first = await store.append('thing-1', batch, { expectedRevision: 'no_stream' });
    await store.append('thing-1', events(1));
    const logLength = fake.log.length;
    await expect(store.append('thing-1', batch, { expectedRevision: 'no_stream' })).resolves.toEqual(first);
    expect(fake.log.length).toBe(logLength);
  });

  it('refuses a partial repeat at an exact revision', async () => {
    const { store } = setup();
    const [first, second] = events(2);
    if (!first || !second) throw new Error('two events expected');
    await store.append('thing-1', [first, second], { expectedRevision: 'no_stream' });
    await expect(
      store.append('thing-1', [first, ...events(1)], { expectedRevision: 'no_stream' }),
    ).rejects.toBeInstanceOf(IdempotencyMismatch);
  });
});

describe('EventStoreDB adapter: deletion', () => {
  it('hides a soft-deleted stream and recreates it with continuing revisions and a fresh chain', async () => {
    const { store } = setup();
    await store.append('thing-1', events(2));
    await store.deleteStream('thing-1');
    await expect(store.readStream('thing-1')).rejects.toBeInstanceOf(StreamNotFound);
    const recreated = await store.append('thing-1', events(1));
    expect(recreated.nextExpectedRevision).toBe(2n);
    const read = await store.readStream('thing-1');
    expect(read.map((e) => e.revision)).toEqual([2n]);
    expect(await store.verifyStream('thing-1')).toMatchObject({ ok: true, checked: 1 });
  });

  it('refuses reads and writes of a tombstoned stream', async () => {
    const { store } = setup();
    await store.append('thing-1', events(1));
    await store.tombstoneStream('thing-1');
    await expect(store.readStream('thing-1')).rejects.toBeInstanceOf(StreamDeleted);
    await expect(store.append('thing-1', events(1))).rejects.toBeInstanceOf(StreamDeleted);
    await expect(store.append('thing-1', events(1), { expectedRevision: 1n })).rejects.toBeInstanceOf(
      StreamDeleted,
    );
  });
});

describe('EventStoreDB adapter: readAll', () => {
  async function populated(pageSize: number) {
    const { fake, store } = setup({ readAllPageSize: pageSize });
    await store.append('order-1', events(2, 'OrderPlaced'));
    await store.append('cart-1', events(2, 'CartFilled'));
    await store.deleteStream('cart-1'); // a $metadata event in $$cart-1
    await store.append('order-2', events(3, 'OrderPlaced'));
    fake.writeRaw('$ce-order', '$>');
    await store.append('order-1', events(1, 'OrderShipped'));
    return { fake, store };
  }

  it('pages through $all, leaving out system streams and event types', async () => {
    const { store } = await populated(2);
    const all = await store.readAll();
    expect(all.map((e) => e.streamName)).toEqual([
      'order-1',
      'order-1',
      'cart-1',
      'cart-1',
      'order-2',
      'order-2',
      'order-2',
      'order-1',
    ]);
    const positions = all.map((e) => e.position);
    expect([...positions].sort((a, b) => (a < b ? -1 : 1))).toEqual(positions);
  });

  it('reads forwards from a position, inclusive, up to maxCount matching events', async () => {
    const { store } = await populated(2);
    const all = await store.readAll();
    const from = all[2]?.position;
    const page = await store.readAll({ fromPosition: from, maxCount: 3 });
    expect(page.map((e) => e.position)).toEqual(all.slice(2, 5).map((e) => e.position));
  });

  it('reads backwards from a position, inclusive, across pages', async () => {
    const { store } = await populated(2);
    const all = await store.readAll();
    const page = await store.readAll({ direction: 'backwards', fromPosition: all[5]?.position, maxCount: 4 });
    expect(page.map((e) => e.position)).toEqual(
      all
        .slice(2, 6)
        .reverse()
        .map((e) => e.position),
    );
    const fromEnd = await store.readAll({ direction: 'backwards', maxCount: 2 });
    expect(fromEnd.map((e) => e.type)).toEqual(['OrderShipped', 'OrderPlaced']);
  });

  it('filters by stream-name and event-type prefixes together', async () => {
    const { store } = await populated(3);
    const shipped = await store.readAll({
      filter: { streamNamePrefixes: ['order-'], eventTypePrefixes: ['OrderS'] },
    });
    expect(shipped.map((e) => [e.streamName, e.type])).toEqual([['order-1', 'OrderShipped']]);
    const carts = await store.readAll({ filter: { streamNamePrefixes: ['cart-'] }, maxCount: 1 });
    expect(carts.map((e) => e.streamName)).toEqual(['cart-1']);
  });
});

describe('EventStoreDB adapter: data', () => {
  it('round-trips scalar data, which travels as JSON bytes', async () => {
    const { store } = setup();
    await store.append('thing-1', [
      { id: uuid(900_001), type: 'Counted', data: 42 },
      { id: uuid(900_002), type: 'Flagged', data: null },
    ]);
    const read = await store.readStream('thing-1');
    expect(read.map((e) => e.data)).toEqual([42, null]);
    expect((await store.verifyStream('thing-1')).ok).toBe(true);
  });
});

// The shared suite, against the stand-in: checks the adapter honours the port the way the
// embedded adapter does, as far as the stand-in matches EventStoreDB.
describeEventStoreConformance('EventStoreDB adapter on an in-memory stand-in', async () => {
  const store = new EventStoreDbEventStore(new FakeEventStoreDb());
  return { store, cleanup: () => store.close() };
});
