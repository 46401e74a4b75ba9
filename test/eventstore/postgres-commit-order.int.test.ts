import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  IdempotencyMismatch,
  InvalidEvent,
  StreamDeleted,
  WrongExpectedVersion,
} from '../../src/eventstore/errors.ts';
import type { EventToAppend } from '../../src/eventstore/port.ts';
import { appendLockState, describeStall } from '../../src/eventstore/postgres/append-lock.ts';
import { appendPayload } from '../../src/eventstore/postgres/append-payload.ts';
import { PostgresEventStore } from '../../src/eventstore/postgres/postgres-event-store.ts';
import { DEFAULT_LIMITS } from '../../src/eventstore/validation.ts';
import { createPool } from '../../src/infra/pg-pool.ts';
import { createLogger } from '../../src/logger.ts';
import { freshDatabase } from '../support/database.ts';

const event = (type: string, data: unknown = {}): EventToAppend => ({ id: randomUUID(), type, data });

describe('embedded event store: commit-ordered positions and group commit', () => {
  let store: PostgresEventStore;
  let raw: pg.Pool;
  let connectionString: string;

  beforeAll(async () => {
    connectionString = await freshDatabase('es_order');
    store = new PostgresEventStore({ connectionString, log: createLogger('warn'), poolSize: 20 });
    raw = new pg.Pool({ connectionString, max: 2 });
  });
  afterAll(async () => {
    await store.close();
    await raw.end();
  });

  it('keeps a stream’s revision order in $all under 16 concurrent writers expecting any revision', async () => {
    const streams = Array.from({ length: 4 }, () => `order-${randomUUID()}`);
    await Promise.all(
      Array.from({ length: 16 }, async (_, writer) => {
        for (let i = 0; i < 25; i++) {
          await store.append(streams[(writer + i) % streams.length] as string, [
            event('Raced', { writer, i }),
          ]);
        }
      }),
    );
    for (const stream of streams) {
      const { rows } = await raw.query<{ revision: string }>(
        'select revision::text from es_events where stream_name = $1 order by position',
        [stream],
      );
      expect(rows.length).toBe(100);
      expect(rows.map((r) => Number(r.revision))).toEqual(Array.from({ length: 100 }, (_, i) => i));
    }
    // Recorded-at never goes backwards along $all either.
    const { rows } = await raw.query<{ backwards: number }>(
      `select count(*)::int as backwards from (
         select created_at < lag(created_at) over (order by position) as back from es_events) t where back`,
    );
    expect(rows[0]?.backwards).toBe(0);
  });

  it('answers each append of a shared batch on its own', async () => {
    const taken = `taken-${randomUUID()}`;
    const gone = `gone-${randomUUID()}`;
    await store.append(taken, [event('First')]);
    await store.append(gone, [event('First')]);
    await store.tombstoneStream(gone);
    const replayed = [event('Again')];
    await store.append(taken, replayed, { expectedRevision: 0n });

    // Fired together, so the group commit puts them in as few statements as it can.
    const results = await Promise.allSettled([
      store.append(`fresh-${randomUUID()}`, [event('Ok'), event('Ok')], { expectedRevision: 'no_stream' }),
      store.append(taken, [event('Late')], { expectedRevision: 0n }),
      store.append(gone, [event('Dead')]),
      store.append(taken, replayed, { expectedRevision: 0n }),
      store.append(`fresh-${randomUUID()}`, [event('Ok')]),
      store.append(taken, [event('Next')], { expectedRevision: 1n }),
    ]);
    const [fresh, late, dead, replay, other, next] = results;
    expect(fresh.status).toBe('fulfilled');
    expect(late.status === 'rejected' && late.reason).toBeInstanceOf(WrongExpectedVersion);
    expect(dead.status === 'rejected' && dead.reason).toBeInstanceOf(StreamDeleted);
    expect(replay.status === 'fulfilled' && replay.value.nextExpectedRevision).toBe(1n);
    expect(other.status).toBe('fulfilled');
    // Queued behind the replay of the same stream, so it sees revision 1.
    expect(next.status === 'fulfilled' && next.value.nextExpectedRevision).toBe(2n);
    expect((await store.readStream(taken)).map((e) => e.type)).toEqual(['First', 'Again', 'Next']);
  });

  it('refuses an event id already written with other content, instead of calling it a replay', async () => {
    const stream = `same-id-${randomUUID()}`;
    const original = event('Priced', { amount: 10 });
    await store.append(stream, [original], { expectedRevision: 'no_stream' });
    await expect(
      store.append(stream, [{ ...original, data: { amount: 1_000_000 } }], { expectedRevision: 'no_stream' }),
    ).rejects.toBeInstanceOf(IdempotencyMismatch);
    await expect(
      store.append(stream, [{ ...original, data: { amount: 1_000_000 } }], { expectedRevision: 'any' }),
    ).rejects.toBeInstanceOf(IdempotencyMismatch);
    // The same content is still a replay.
    await expect(store.append(stream, [original], { expectedRevision: 'any' })).resolves.toMatchObject({
      nextExpectedRevision: 0n,
    });
    expect((await store.readStream(stream)).map((e) => e.data)).toEqual([{ amount: 10 }]);
  });

  it('refuses stream names with lone surrogates, which would alias once stored as UTF-8', async () => {
    await expect(store.append('chat-\ud800', [event('X')])).rejects.toBeInstanceOf(InvalidEvent);
    await expect(store.append('chat-\udfff', [event('X')])).rejects.toBeInstanceOf(InvalidEvent);
  });

  it('shows who holds the append lock, and a session left open holding it is closed by the server', async () => {
    const careless = createPool(
      { connectionString, max: 1, idle_in_transaction_session_timeout: 1500 },
      createLogger('silent'),
    );
    const client = await careless.connect();
    try {
      await client.query('begin');
      await client.query("select * from es_append($1, 'any', $2::jsonb)", [
        `held-${randomUUID()}`,
        appendPayload([event('Held')], DEFAULT_LIMITS),
      ]);
      const waiting = store.append(`waits-${randomUUID()}`, [event('Waits')]);
      await expect.poll(async () => (await appendLockState(raw)).waiting, { timeout: 1000 }).toBe(1);
      const state = await appendLockState(raw);
      expect(state.holder?.query).toContain('es_append');
      expect(state.holder?.state).toBe('idle in transaction');
      expect(describeStall(state, 0)).toMatch(/appends stalled: .* by backend \d+ .*1 append\(s\) waiting/);
      expect(describeStall(state)).toBeUndefined();
      // The server ends the idle session; its append rolls back and the waiting one goes through.
      await expect(waiting).resolves.toBeDefined();
      expect((await appendLockState(raw)).holder).toBeUndefined();
    } finally {
      client.release(true);
      await careless.end();
    }
  });

  it('reads an append right after it, whatever other sessions hold open', async () => {
    const idle = await raw.connect();
    try {
      // An idle transaction used to hold back every reader of $all.
      await idle.query('begin');
      await idle.query('select txid_current()');
      for (let i = 0; i < 20; i++) {
        const stream = `ryw-${randomUUID()}`;
        const { position } = await store.append(stream, [event('Seen')]);
        const [read] = await store.readAll({ fromPosition: position, maxCount: 1 });
        expect(read?.streamName).toBe(stream);
      }
    } finally {
      await idle.query('rollback');
      idle.release();
    }
  });
});
