import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { PostgresEventStore } from '../../src/eventstore/postgres/postgres-event-store.ts';
import { createLogger } from '../../src/logger.ts';
import { InProcessChangeBus } from '../../src/projections/change-bus.ts';
import type { Projection } from '../../src/projections/projection.ts';
import { Projector } from '../../src/projections/projector.ts';
import { streamCatalogue } from '../../src/projections/read-models/stream-catalogue.ts';
import { projectionStatuses } from '../../src/projections/status.ts';
import { waitForPosition } from '../../src/projections/wait-for-position.ts';
import { event } from '../eventstore/conformance.ts';
import { freshDatabase } from '../support/database.ts';
import { ledger } from './fixtures/ledger.ts';

describe('projector', () => {
  let url: string;
  let pool: pg.Pool;
  let store: PostgresEventStore;
  const bus = new InProcessChangeBus();
  const log = createLogger(process.env.TEST_LOG_LEVEL ?? 'silent');
  let projector: Projector | undefined;

  beforeAll(async () => {
    url = await freshDatabase('proj');
    pool = new pg.Pool({ connectionString: url, max: 8 });
    store = new PostgresEventStore({ connectionString: url, log, pollIntervalMs: 100 });
  });
  afterEach(async () => {
    await projector?.stop();
    projector = undefined;
  });
  afterAll(async () => {
    await store.close();
    await pool.end();
  });

  const start = async (projections: Projection[]) => {
    projector = new Projector({ store, pool, bus, log }, projections, {
      batchSize: 100,
      backoffMs: 50,
      maxBackoffMs: 200,
    });
    await projector.start();
  };

  it('applies events to the read models and moves each checkpoint with them', async () => {
    await start([streamCatalogue, ledger]);
    const account = `account-${randomUUID()}`;
    await store.append(account, [event('Deposited', { amount: 5 }), event('Deposited', { amount: 7 })]);
    const { position } = await store.append(account, [event('Deposited', { amount: 30 })]);

    expect(await waitForPosition(pool, bus, position, { timeoutMs: 5000 })).toBe(true);
    const { rows } = await pool.query('select balance, deposits from ledger_accounts where account = $1', [
      account,
    ]);
    expect(rows).toEqual([{ balance: '42', deposits: 3 }]);
    const catalogue = await pool.query(
      'select category, event_count, last_revision from stream_catalogue where stream_name = $1',
      [account],
    );
    expect(catalogue.rows).toEqual([{ category: 'account', event_count: '3', last_revision: '2' }]);
  });

  it('publishes the keys each batch touched', async () => {
    await start([ledger]);
    const account = `account-${randomUUID()}`;
    const seen = new Promise((resolve) => {
      const stop = bus.subscribe((change) => {
        if (change.keys.some((k) => k.key.account === account)) {
          stop();
          resolve(change);
        }
      });
    });
    await store.append(account, [event('Deposited', { amount: 1 })]);
    await expect(seen).resolves.toMatchObject({
      projection: 'ledger',
      keys: [{ table: 'ledger_accounts', key: { account } }],
    });
  });

  it('adds up a timestamp-keyed row touched again and again in one batch, whatever spelling the key comes back in', async () => {
    // The key is written as `….000Z` and read back from PostgreSQL as `…+00:00`: spread into an
    // upsert, the stored spelling must still be found by the next `get` of the batch.
    const minuteCounts: Projection = {
      name: 'minute_counts',
      version: 1,
      eventTypes: ['Ticked'],
      tables: {
        minute_counts: {
          columns: 'stream text not null, minute timestamptz not null, ticks int not null',
          primaryKey: ['stream', 'minute'],
        },
      },
      async apply(recorded, writer) {
        const key = { stream: recorded.streamName, minute: '2026-12-07T06:50:00.000Z' };
        const row = (await writer.get('minute_counts', key)) ?? { ...key, ticks: 0 };
        writer.upsert('minute_counts', { ...row, ticks: Number(row.ticks) + 1 });
      },
    };
    await start([minuteCounts]);
    const stream = `clock-${randomUUID()}`;
    const first = await store.append(stream, [event('Ticked')]);
    const applied = (at: bigint) =>
      waitForPosition(pool, bus, at, { timeoutMs: 5000, projections: ['minute_counts'] });
    expect(await applied(first.position)).toBe(true);
    const { position } = await store.append(stream, [event('Ticked'), event('Ticked'), event('Ticked')]);
    expect(await applied(position)).toBe(true);
    const { rows } = await pool.query('select ticks from minute_counts where stream = $1', [stream]);
    expect(rows).toEqual([{ ticks: 4 }]);
  });

  it('stops only the projection that cannot apply an event, reports where, and retries', async () => {
    const account = `account-${randomUUID()}`;
    const before = await store.append(account, [event('Deposited', { amount: 1 })]);
    const poison = await store.append(account, [event('Poison')]);
    const after = await store.append(account, [event('Deposited', { amount: 2 })]);
    // Started after the appends, so the poison event and the one after it come in one batch, and
    // the reader then waits on a read that no new event will end.
    await start([streamCatalogue, ledger]);

    // The catalogue passes the poison event; the ledger stops right before it.
    expect(
      await waitForPosition(pool, bus, after.position, {
        timeoutMs: 5000,
        projections: ['stream_catalogue'],
      }),
    ).toBe(true);
    // Retried with backoff, so the failure shows up more than once (a busy machine takes a while).
    const attempts = async () =>
      (await pool.query<{ attempts: number }>("select attempts from projection_state where name = 'ledger'"))
        .rows[0]?.attempts ?? 0;
    for (let i = 0; i < 100 && (await attempts()) < 2; i++) await new Promise((r) => setTimeout(r, 100));
    expect(await attempts()).toBeGreaterThan(1);
    expect(
      await waitForPosition(pool, bus, after.position, { timeoutMs: 300, projections: ['ledger'] }),
    ).toBe(false);

    const statuses = await projectionStatuses(pool, store, [streamCatalogue, ledger]);
    const ledgerStatus = statuses.find((s) => s.name === 'ledger');
    expect(ledgerStatus).toMatchObject({ state: 'failed', errorPosition: poison.position });
    expect(ledgerStatus?.error).toContain('this event cannot be applied');
    // Stopped at the poison event: everything before it applied, nothing after it.
    expect(ledgerStatus?.checkpoint).toBe(before.position);
    expect(statuses.find((s) => s.name === 'stream_catalogue')?.state).toBe('live');
    const { rows } = await pool.query('select balance from ledger_accounts where account = $1', [account]);
    expect(rows).toEqual([{ balance: '1' }]);
  });
});
