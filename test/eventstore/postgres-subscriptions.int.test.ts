import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PostgresEventStore } from '../../src/eventstore/postgres/postgres-event-store.ts';
import { createLogger } from '../../src/logger.ts';
import { freshDatabase } from '../support/database.ts';
import { event, take } from './conformance.ts';

/** What only the PostgreSQL adapter has to get right: how subscriptions learn of new events. */
describe('PostgreSQL subscriptions', () => {
  let url: string;
  let admin: pg.Pool;
  const stores: PostgresEventStore[] = [];
  const newStore = (options: { pollIntervalMs: number; subscriptionPageSize?: number; pool?: pg.Pool }) => {
    const store = new PostgresEventStore({ connectionString: url, log: createLogger('silent'), ...options });
    stores.push(store);
    return store;
  };

  beforeAll(async () => {
    url = await freshDatabase('subs');
    admin = new pg.Pool({ connectionString: url, max: 2 });
  });
  afterAll(async () => {
    await Promise.all(stores.map((s) => s.close()));
    await admin.end();
  });

  /** The first event appended to `stream` from now on, as `subscriber` delivers it. */
  const nextEventOf = async (subscriber: PostgresEventStore, stream: string) => {
    const [first] = await take(
      subscriber.subscribeToAll({ fromPosition: 'end', filter: { streamNamePrefixes: [stream] } }),
      1,
      5_000,
    );
    if (!first) throw new Error(`no event on ${stream}`);
    return first;
  };

  it('wakes on NOTIFY for an append made by another process, long before the next poll', async () => {
    const subscriber = newStore({ pollIntervalMs: 60_000 });
    const writer = newStore({ pollIntervalMs: 60_000 });
    const stream = `notify-${randomUUID()}`;
    const received = nextEventOf(subscriber, stream);
    await new Promise((r) => setTimeout(r, 300)); // subscribed and waiting
    await writer.append(stream, [event('Pinged')]);
    expect((await received).type).toBe('Pinged');
  });

  it('falls back to polling while the LISTEN connection is gone', async () => {
    const subscriber = newStore({ pollIntervalMs: 200 });
    const writer = newStore({ pollIntervalMs: 60_000 });
    const stream = `poll-${randomUUID()}`;
    const received = nextEventOf(subscriber, stream);
    await new Promise((r) => setTimeout(r, 300)); // subscribed and waiting
    const killed = await admin.query(
      "select pg_terminate_backend(pid) from pg_stat_activity where datname = current_database() and query ilike 'listen%'",
    );
    expect(killed.rowCount).toBeGreaterThan(0);
    await writer.append(stream, [event('Polled')]);
    expect((await received).type).toBe('Polled');
  });

  it('reads a page only when the consumer asks for more (backpressure)', async () => {
    const pool = new pg.Pool({ connectionString: url, max: 2 });
    let queries = 0;
    pool.on('acquire', () => queries++);
    const store = newStore({ pollIntervalMs: 60_000, subscriptionPageSize: 10, pool });
    const stream = `slow-${randomUUID()}`;
    await store.append(
      stream,
      Array.from({ length: 100 }, (_, i) => event('Queued', { i })),
    );
    await new Promise((r) => setTimeout(r, 100)); // let the append's NOTIFY go out first
    queries = 0;

    const iterator = store
      .subscribeToAll({ filter: { streamNamePrefixes: [stream] } })
      [Symbol.asyncIterator]();
    for (let i = 0; i < 25; i++) await iterator.next();
    await new Promise((r) => setTimeout(r, 300)); // a consumer that stalls
    // 25 events need three pages of 10; an eager reader would have fetched all ten by now.
    expect(queries).toBe(3);
    await iterator.return?.(undefined);
    await pool.end();
  });
});
