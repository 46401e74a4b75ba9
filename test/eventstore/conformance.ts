import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  InvalidEvent,
  StreamDeleted,
  StreamNotFound,
  WrongExpectedVersion,
} from '../../src/eventstore/errors.ts';
import type { EventStore, EventToAppend, RecordedEvent } from '../../src/eventstore/port.ts';

/** What an adapter under test offers beyond the port, for the tests that need its internals. */
export interface ConformanceSubject {
  store: EventStore;
  cleanup(): Promise<void>;
  /** Changes one stored event's data behind the store's back (tamper-evidence test). */
  tamperWithEventData?(stream: string, revision: bigint, data: unknown): Promise<void>;
  /**
   * Starts an append in a transaction that stays open until `commit` is called, so a later
   * append can commit first (the late-commit test).
   */
  startOpenAppend?(stream: string, event: EventToAppend): Promise<{ commit(): Promise<void> }>;
}

export const event = (
  type: string,
  data: unknown = {},
  metadata?: Record<string, unknown>,
): EventToAppend => ({
  id: randomUUID(),
  type,
  data,
  ...(metadata ? { metadata } : {}),
});

const events = (n: number, type = 'Counted') => Array.from({ length: n }, (_, i) => event(type, { i }));

/** Collects `count` events from an async iterable, failing after `timeoutMs`. */
export async function take(
  iterable: AsyncIterable<RecordedEvent>,
  count: number,
  timeoutMs = 10_000,
): Promise<RecordedEvent[]> {
  const taken: RecordedEvent[] = [];
  if (count === 0) return taken;
  const iterator = iterable[Symbol.asyncIterator]();
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(new Error(`only ${taken.length} of ${count} events within ${timeoutMs} ms`)),
      timeoutMs,
    );
  });
  try {
    while (taken.length < count) {
      const next = await Promise.race([iterator.next(), timeout]);
      if (next.done) break;
      taken.push(next.value);
    }
    return taken;
  } finally {
    clearTimeout(timer);
    await iterator.return?.();
  }
}

export function describeEventStoreConformance(name: string, factory: () => Promise<ConformanceSubject>) {
  describe(`event store conformance: ${name}`, () => {
    let subject: ConformanceSubject;
    let store: EventStore;
    // Every test gets streams under its own category, so a shared server's other data never interferes.
    const category = () => `conf${randomUUID().replaceAll('-', '').slice(0, 12)}`;
    const streamIn = (cat: string) => `${cat}-${randomUUID()}`;

    beforeAll(async () => {
      subject = await factory();
      store = subject.store;
    });
    afterAll(async () => {
      await subject?.cleanup();
    });

    describe('append and readStream', () => {
      it('records every field and numbers revisions from 0', async () => {
        const stream = streamIn(category());
        const input = [event('Opened', { a: 1 }, { actor: 'user:1' }), event('Renamed', { name: 'x' })];
        const result = await store.append(stream, input, { expectedRevision: 'no_stream' });
        expect(result.nextExpectedRevision).toBe(1n);

        const read = await store.readStream(stream);
        expect(read.map((e) => [e.streamName, e.revision, e.id, e.type, e.data])).toEqual([
          [stream, 0n, input[0]?.id, 'Opened', { a: 1 }],
          [stream, 1n, input[1]?.id, 'Renamed', { name: 'x' }],
        ]);
        expect(read[0]?.metadata).toEqual({ actor: 'user:1' });
        expect(read[1]?.position).toBe(result.position);
        expect(read[0]?.position).toBeLessThan(read[1]?.position ?? 0n);
        expect(read[0]?.createdAt).toBeInstanceOf(Date);
        expect(read[0]?.hash).toMatch(/^[0-9a-f]{64}$/);
      });

      it('keeps any JSON value as data', async () => {
        const stream = streamIn(category());
        const values = [
          null,
          'text',
          42.5,
          true,
          [1, 'two', { three: 3 }],
          { nested: { deep: ['ü', '🙂'] } },
        ];
        await store.append(
          stream,
          values.map((v) => event('Valued', v)),
        );
        expect((await store.readStream(stream)).map((e) => e.data)).toEqual(values);
      });

      it('throws StreamNotFound for a stream that was never written', async () => {
        await expect(store.readStream(streamIn(category()))).rejects.toBeInstanceOf(StreamNotFound);
      });

      it('reads forwards and backwards from a revision, up to maxCount', async () => {
        const stream = streamIn(category());
        await store.append(stream, events(10));
        const revisions = (es: RecordedEvent[]) => es.map((e) => e.revision);
        expect(revisions(await store.readStream(stream, { fromRevision: 3n, maxCount: 4 }))).toEqual([
          3n,
          4n,
          5n,
          6n,
        ]);
        expect(revisions(await store.readStream(stream, { direction: 'backwards', maxCount: 3 }))).toEqual([
          9n,
          8n,
          7n,
        ]);
        expect(
          revisions(
            await store.readStream(stream, { direction: 'backwards', fromRevision: 2n, maxCount: 10 }),
          ),
        ).toEqual([2n, 1n, 0n]);
        expect(await store.readStream(stream, { fromRevision: 10n })).toEqual([]);
        expect(await store.readStream(stream, { maxCount: 0 })).toEqual([]);
      });
    });

    describe('expected revision', () => {
      it('no_stream succeeds only while the stream does not exist', async () => {
        const stream = streamIn(category());
        await store.append(stream, [event('A')], { expectedRevision: 'no_stream' });
        const error = await store
          .append(stream, [event('B')], { expectedRevision: 'no_stream' })
          .catch((e) => e);
        expect(error).toBeInstanceOf(WrongExpectedVersion);
        expect(error.actual).toBe(0n);
      });

      it('stream_exists fails on a missing stream and succeeds on an existing one', async () => {
        const stream = streamIn(category());
        const error = await store
          .append(stream, [event('A')], { expectedRevision: 'stream_exists' })
          .catch((e) => e);
        expect(error).toBeInstanceOf(WrongExpectedVersion);
        expect(error.actual).toBe('no_stream');
        await store.append(stream, [event('A')]);
        await expect(
          store.append(stream, [event('B')], { expectedRevision: 'stream_exists' }),
        ).resolves.toMatchObject({
          nextExpectedRevision: 1n,
        });
      });

      it('an exact revision must match the current one, and the error names the actual revision', async () => {
        const stream = streamIn(category());
        await store.append(stream, events(3));
        await expect(store.append(stream, [event('X')], { expectedRevision: 2n })).resolves.toMatchObject({
          nextExpectedRevision: 3n,
        });
        const error = await store.append(stream, [event('Y')], { expectedRevision: 1n }).catch((e) => e);
        expect(error).toBeInstanceOf(WrongExpectedVersion);
        expect(error.actual).toBe(3n);
        expect((await store.readStream(stream)).length).toBe(4);
      });

      it('lets exactly one of several concurrent writers with the same expected revision win', async () => {
        const stream = streamIn(category());
        await store.append(stream, [event('Created')]);
        const results = await Promise.allSettled(
          Array.from({ length: 8 }, (_, i) =>
            store.append(stream, [event('Raced', { i })], { expectedRevision: 0n }),
          ),
        );
        expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
        for (const r of results.filter((r) => r.status === 'rejected')) {
          expect(r.reason).toBeInstanceOf(WrongExpectedVersion);
        }
        expect((await store.readStream(stream)).map((e) => e.revision)).toEqual([0n, 1n]);
      });
    });

    describe('idempotency', () => {
      it('appending the same ids again at the same expected revision writes nothing and succeeds', async () => {
        const stream = streamIn(category());
        await store.append(stream, [event('First')]);
        const batch = events(3);
        const first = await store.append(stream, batch, { expectedRevision: 0n });
        const again = await store.append(stream, batch, { expectedRevision: 0n });
        expect(again).toEqual(first);
        expect((await store.readStream(stream)).length).toBe(4);
      });

      it('is idempotent for no_stream and any as well', async () => {
        const stream = streamIn(category());
        const batch = events(2);
        const first = await store.append(stream, batch, { expectedRevision: 'no_stream' });
        expect(await store.append(stream, batch, { expectedRevision: 'no_stream' })).toEqual(first);
        const next = events(2);
        const second = await store.append(stream, next, { expectedRevision: 'any' });
        expect(await store.append(stream, next, { expectedRevision: 'any' })).toEqual(second);
        expect((await store.readStream(stream)).length).toBe(4);
      });

      it('rejects a batch whose ids were only partly written', async () => {
        const stream = streamIn(category());
        const batch = events(2);
        await store.append(stream, batch, { expectedRevision: 'no_stream' });
        const partial = [batch[0], event('New')].filter((e): e is EventToAppend => e !== undefined);
        await expect(store.append(stream, partial, { expectedRevision: 'no_stream' })).rejects.toThrow();
        expect((await store.readStream(stream)).length).toBe(2);
      });
    });

    describe('atomic appends', () => {
      it('writes all events of a call with consecutive revisions and positions in order', async () => {
        const stream = streamIn(category());
        await store.append(stream, events(50));
        const read = await store.readStream(stream);
        expect(read.map((e) => e.revision)).toEqual(Array.from({ length: 50 }, (_, i) => BigInt(i)));
        for (let i = 1; i < read.length; i++)
          expect(read[i]?.position).toBeGreaterThan(read[i - 1]?.position ?? 0n);
      });

      it('writes nothing when one event of the call is invalid', async () => {
        const stream = streamIn(category());
        const batch = [event('Good'), event('Good'), event('Bad', { n: Number.NaN })];
        await expect(store.append(stream, batch)).rejects.toBeInstanceOf(InvalidEvent);
        await expect(store.readStream(stream)).rejects.toBeInstanceOf(StreamNotFound);
      });
    });

    describe('readAll', () => {
      it('reads forwards in position order, from an inclusive position, filtered by stream prefix', async () => {
        const cat = category();
        const a = streamIn(cat);
        const b = streamIn(cat);
        await store.append(a, [event('One')]);
        await store.append(b, [event('Two'), event('Three')]);
        await store.append(a, [event('Four')]);
        const all = await store.readAll({ filter: { streamNamePrefixes: [`${cat}-`] } });
        expect(all.map((e) => e.type)).toEqual(['One', 'Two', 'Three', 'Four']);
        const fromThird = await store.readAll({
          fromPosition: all[2]?.position,
          filter: { streamNamePrefixes: [`${cat}-`] },
        });
        expect(fromThird.map((e) => e.type)).toEqual(['Three', 'Four']);
        const limited = await store.readAll({ maxCount: 2, filter: { streamNamePrefixes: [`${cat}-`] } });
        expect(limited.map((e) => e.type)).toEqual(['One', 'Two']);
      });

      it('reads backwards from the end or from an inclusive position', async () => {
        const cat = category();
        await store.append(streamIn(cat), [event('One'), event('Two'), event('Three')]);
        const filter = { streamNamePrefixes: [`${cat}-`] };
        const back = await store.readAll({ direction: 'backwards', filter, maxCount: 2 });
        expect(back.map((e) => e.type)).toEqual(['Three', 'Two']);
        const fromTwo = await store.readAll({
          direction: 'backwards',
          fromPosition: back[1]?.position,
          filter,
        });
        expect(fromTwo.map((e) => e.type)).toEqual(['Two', 'One']);
      });

      it('filters by event-type prefix', async () => {
        const cat = category();
        const prefix = `${cat}Order`;
        await store.append(streamIn(cat), [
          event(`${prefix}Placed`),
          event(`${cat}Other`),
          event(`${prefix}Shipped`),
        ]);
        const read = await store.readAll({ filter: { eventTypePrefixes: [prefix] } });
        expect(read.map((e) => e.type)).toEqual([`${prefix}Placed`, `${prefix}Shipped`]);
      });
    });

    describe('countAll', () => {
      it('counts what readAll forwards would return from an inclusive position, up to a limit, with the first one’s time', async () => {
        const cat = category();
        const prefix = `${cat}Order`;
        const occurredAt = '2026-01-02T03:04:05.000Z';
        await store.append(streamIn(cat), [
          event(`${prefix}Placed`, {}, { occurredAt }),
          event(`${cat}Other`),
          event(`${prefix}Shipped`),
          event(`${prefix}Paid`),
        ]);
        const filter = { streamNamePrefixes: [`${cat}-`], eventTypePrefixes: [prefix] };
        const [first, , third] = await store.readAll({ filter: { streamNamePrefixes: [`${cat}-`] } });
        if (!first || !third) throw new Error('the events were not stored');
        expect(await store.countAll({ fromPosition: first.position, filter, limit: 10 })).toEqual({
          count: 3,
          capped: false,
          firstOccurredAt: occurredAt,
        });
        expect(await store.countAll({ fromPosition: first.position, filter, limit: 2 })).toMatchObject({
          count: 2,
          capped: true,
        });
        const fromThird = await store.countAll({ fromPosition: third.position, filter, limit: 2 });
        expect(fromThird).toEqual({
          count: 2,
          capped: false,
          firstOccurredAt: third.createdAt.toISOString(),
        });
        const head = await store.readAll({ direction: 'backwards', maxCount: 1 });
        const after = (head[0]?.position ?? 0n) + 1n;
        expect(await store.countAll({ fromPosition: after, filter, limit: 2 })).toEqual({
          count: 0,
          capped: false,
          firstOccurredAt: null,
        });
      });
    });

    describe('subscribeToAll', () => {
      it('catches up, then delivers live events', async () => {
        const cat = category();
        const stream = streamIn(cat);
        await store.append(stream, events(3, 'Before'));
        const controller = new AbortController();
        const subscription = store.subscribeToAll({
          filter: { streamNamePrefixes: [`${cat}-`] },
          signal: controller.signal,
        });
        const received = take(subscription, 5);
        await new Promise((r) => setTimeout(r, 200));
        await store.append(stream, events(2, 'After'));
        const got = await received;
        controller.abort();
        expect(got.map((e) => e.type)).toEqual(['Before', 'Before', 'Before', 'After', 'After']);
        expect(got.map((e) => e.revision)).toEqual([0n, 1n, 2n, 3n, 4n]);
      });

      it('resumes after a handed-out position without gaps or duplicates', async () => {
        const cat = category();
        const stream = streamIn(cat);
        await store.append(stream, events(6));
        const filter = { streamNamePrefixes: [`${cat}-`] };
        const firstFour = await take(store.subscribeToAll({ filter }), 4);
        const resumed = await take(store.subscribeToAll({ filter, fromPosition: firstFour[3]?.position }), 2);
        expect([...firstFour, ...resumed].map((e) => e.revision)).toEqual([0n, 1n, 2n, 3n, 4n, 5n]);
      });

      it('applies the filter to live events and ends when the signal aborts', async () => {
        const cat = category();
        const controller = new AbortController();
        const subscription = store.subscribeToAll({
          filter: { eventTypePrefixes: [`${cat}Wanted`] },
          signal: controller.signal,
          fromPosition: 'end',
        });
        const received = take(subscription, 2);
        await new Promise((r) => setTimeout(r, 200));
        const stream = streamIn(cat);
        await store.append(stream, [event(`${cat}Other`), event(`${cat}Wanted`, { n: 1 })]);
        await store.append(stream, [event(`${cat}Wanted`, { n: 2 })]);
        expect((await received).map((e) => e.data)).toEqual([{ n: 1 }, { n: 2 }]);

        const iterator = store
          .subscribeToAll({ signal: controller.signal, fromPosition: 'end' })
          [Symbol.asyncIterator]();
        const next = iterator.next();
        controller.abort();
        await expect(next).resolves.toMatchObject({ done: true });
      });
    });

    describe('delete and tombstone', () => {
      it('soft delete hides the stream; appending again recreates it and revisions continue', async () => {
        const stream = streamIn(category());
        await store.append(stream, events(2));
        await store.deleteStream(stream);
        await expect(store.readStream(stream)).rejects.toBeInstanceOf(StreamNotFound);
        const result = await store.append(stream, [event('Reborn')]);
        expect(result.nextExpectedRevision).toBe(2n);
        expect((await store.readStream(stream)).map((e) => [e.revision, e.type])).toEqual([[2n, 'Reborn']]);
      });

      it('soft delete checks the expected revision', async () => {
        const stream = streamIn(category());
        await store.append(stream, events(2));
        await expect(store.deleteStream(stream, { expectedRevision: 0n })).rejects.toBeInstanceOf(
          WrongExpectedVersion,
        );
        await store.deleteStream(stream, { expectedRevision: 1n });
        await expect(store.readStream(stream)).rejects.toBeInstanceOf(StreamNotFound);
      });

      it('a tombstoned stream can never be read or written again', async () => {
        const stream = streamIn(category());
        await store.append(stream, events(2));
        await store.tombstoneStream(stream);
        await expect(store.readStream(stream)).rejects.toBeInstanceOf(StreamDeleted);
        await expect(store.append(stream, [event('Again')])).rejects.toBeInstanceOf(StreamDeleted);
        await expect(
          store.append(stream, [event('Again')], { expectedRevision: 'no_stream' }),
        ).rejects.toBeInstanceOf(StreamDeleted);
      });
    });

    describe('stream metadata', () => {
      it('stores metadata and honours maxCount and truncateBefore on read', async () => {
        const stream = streamIn(category());
        await store.append(stream, events(10));
        await store.setStreamMetadata(stream, { maxCount: 3, custom: { owner: 'billing' } });
        expect(await store.getStreamMetadata(stream)).toEqual({ maxCount: 3, custom: { owner: 'billing' } });
        expect((await store.readStream(stream)).map((e) => e.revision)).toEqual([7n, 8n, 9n]);

        await store.setStreamMetadata(stream, { truncateBefore: 5n });
        expect((await store.readStream(stream)).map((e) => e.revision)).toEqual([5n, 6n, 7n, 8n, 9n]);
        expect((await store.readStream(stream, { direction: 'backwards' })).at(-1)?.revision).toBe(5n);
      });

      it('returns empty metadata for a stream that has none', async () => {
        expect(await store.getStreamMetadata(streamIn(category()))).toEqual({});
      });
    });

    describe('bad input', () => {
      const cases: [string, string, EventToAppend[]][] = [
        ['an empty stream name', '', [event('Ok')]],
        ['a 256-character stream name', `s-${'x'.repeat(254)}`, [event('Ok')]],
        ['a stream name starting with $', '$system', [event('Ok')]],
        ['no events', 'fine-stream', []],
        ['an event type with spaces', 'fine-stream', [event('Not ok')]],
        ['an event type starting with $', 'fine-stream', [event('$internal')]],
        ['an id that is not a UUID', 'fine-stream', [{ id: 'nope', type: 'Ok', data: {} }]],
        [
          'the same id twice',
          'fine-stream',
          (() => {
            const e = event('Ok');
            return [e, e];
          })(),
        ],
        ['undefined data', 'fine-stream', [{ id: randomUUID(), type: 'Ok', data: undefined }]],
        ['Infinity in data', 'fine-stream', [event('Ok', { n: Number.POSITIVE_INFINITY })]],
        ['a function in data', 'fine-stream', [event('Ok', { f: () => 1 })]],
        ['a Date in data', 'fine-stream', [event('Ok', { at: new Date() })]],
        ['a lone surrogate in data', 'fine-stream', [event('Ok', { s: '\ud800' })]],
        ['an event over 1 MiB', 'fine-stream', [event('Ok', { blob: 'x'.repeat(1024 * 1024) })]],
      ];
      it.each(cases)('rejects %s with InvalidEvent and writes nothing', async (_, stream, input) => {
        const name = stream === 'fine-stream' ? streamIn(category()) : stream;
        await expect(store.append(name, input)).rejects.toBeInstanceOf(InvalidEvent);
        if (name.length > 0 && name.length <= 255 && !name.startsWith('$')) {
          await expect(store.readStream(name)).rejects.toBeInstanceOf(StreamNotFound);
        }
      });

      it('accepts an event just under 1 MiB', async () => {
        const stream = streamIn(category());
        await store.append(stream, [event('Big', { blob: 'x'.repeat(1024 * 1024 - 100) })]);
        expect((await store.readStream(stream)).length).toBe(1);
      });
    });

    describe('hash chain', () => {
      it('verifies an untouched stream, including across appends', async () => {
        const stream = streamIn(category());
        await store.append(stream, events(3));
        await store.append(stream, [event('More', { nested: { b: 2, a: 1 } }, { actor: 'user:9' })]);
        expect(await store.verifyStream(stream)).toEqual({ stream, ok: true, checked: 4 });
      });

      it('finds exactly the event whose stored content was changed', async (context) => {
        if (!subject.tamperWithEventData)
          return context.skip('this adapter offers no way to edit stored events');
        const stream = streamIn(category());
        const written = await store.append(stream, events(5));
        expect(written.nextExpectedRevision).toBe(4n);
        await subject.tamperWithEventData(stream, 2n, { i: 999 });
        const result = await store.verifyStream(stream);
        expect(result.ok).toBe(false);
        expect(result.firstBroken?.revision).toBe(2n);
        const [third] = await store.readStream(stream, { fromRevision: 2n, maxCount: 1 });
        expect(result.firstBroken?.eventId).toBe(third?.id);
      });
    });

    describe('late commits', () => {
      it('never lets a reader pass over an append that is still committing', async (context) => {
        const { startOpenAppend } = subject;
        if (!startOpenAppend)
          return context.skip('the adapter cannot hold an append open; ordering is the server’s');
        const cat = category();
        const filter = { streamNamePrefixes: [`${cat}-`] };
        const controller = new AbortController();
        const subscription = store.subscribeToAll({ filter, signal: controller.signal });
        const delivered = take(subscription, 2);

        // Append A is written but not yet committed...
        const slow = await startOpenAppend(streamIn(cat), event('SlowButFirst'));
        // ...while B, to another stream, is made: it may not be seen before A nor sorted below it.
        const fast = store.append(streamIn(cat), [event('FastButSecond')]);
        await new Promise((r) => setTimeout(r, 300));
        expect(await store.readAll({ filter })).toEqual([]);

        await slow.commit();
        await fast;
        const got = await delivered;
        controller.abort();
        expect(got.map((e) => e.type)).toEqual(['SlowButFirst', 'FastButSecond']);
        expect((await store.readAll({ filter })).map((e) => e.type)).toEqual([
          'SlowButFirst',
          'FastButSecond',
        ]);
      });
    });
  });
}
