import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PostgresEventStore } from '../../src/eventstore/postgres/postgres-event-store.ts';
import { createLogger } from '../../src/logger.ts';
import { InProcessChangeBus } from '../../src/projections/change-bus.ts';
import { Projector } from '../../src/projections/projector.ts';
import { abandonRebuild, rebuildProjection } from '../../src/projections/rebuild.ts';
import { physicalTable } from '../../src/projections/tables.ts';
import { waitForPosition } from '../../src/projections/wait-for-position.ts';
import { event } from '../eventstore/conformance.ts';
import { freshDatabase } from '../support/database.ts';
import { ledger } from './fixtures/ledger.ts';

describe('rebuild without downtime', () => {
  let url: string;
  let pool: pg.Pool;
  let store: PostgresEventStore;
  const bus = new InProcessChangeBus();
  const log = createLogger(process.env.TEST_LOG_LEVEL ?? 'silent');
  const deps = () => ({ store, pool, bus, log });

  beforeAll(async () => {
    url = await freshDatabase('rebuild');
    pool = new pg.Pool({ connectionString: url, max: 10 });
    store = new PostgresEventStore({ connectionString: url, log, pollIntervalMs: 100 });
  });
  afterAll(async () => {
    await store.close();
    await pool.end();
  });

  const deposit = (accounts: string[], n: number) =>
    Promise.all(
      accounts.map((a) =>
        store.append(
          a,
          Array.from({ length: n }, () => event('Deposited', { amount: 1 })),
        ),
      ),
    );

  it('keeps serving a complete model while it rebuilds under reads and writes, then includes every event', async () => {
    const projector = new Projector(deps(), [ledger], { batchSize: 200 });
    await projector.start();
    const accounts = Array.from({ length: 20 }, () => `account-${randomUUID()}`);
    for (let i = 0; i < 10; i++) await deposit(accounts, 20);
    const seeded = await store.append(accounts[0] ?? '', [event('Deposited', { amount: 1 })]);
    expect(await waitForPosition(pool, bus, seeded.position, { timeoutMs: 10_000 })).toBe(true);

    // Readers: the total only ever grows (events only add), and never reads an empty or partial model.
    let reading = true;
    let lowest = Number.POSITIVE_INFINITY;
    let reads = 0;
    let last = 0;
    let shrank = false;
    const reader = (async () => {
      while (reading) {
        const { rows } = await pool.query<{ total: string | null }>(
          'select sum(balance) as total from ledger_accounts',
        );
        const total = Number(rows[0]?.total ?? 0);
        lowest = Math.min(lowest, total);
        if (total < last) shrank = true;
        last = total;
        reads++;
      }
    })();
    let writing = true;
    let written = 4001;
    const writer = (async () => {
      while (writing) {
        await deposit(accounts.slice(0, 5), 2);
        written += 10;
      }
    })();

    const report = await rebuildProjection(deps(), ledger, { batchSize: 500 });
    writing = false;
    await writer;
    const end = await store.append(accounts[1] ?? '', [event('Deposited', { amount: 1 })]);
    written += 1;
    expect(await waitForPosition(pool, bus, end.position, { timeoutMs: 10_000 })).toBe(true);
    reading = false;
    await reader;
    await projector.stop();

    expect(report.swapped).toBe(true);
    expect(report.generation).toBe(2);
    expect(reads).toBeGreaterThan(10);
    expect(lowest).toBeGreaterThanOrEqual(4001);
    expect(shrank).toBe(false);
    const { rows } = await pool.query<{ total: string }>('select sum(balance) as total from ledger_accounts');
    expect(Number(rows[0]?.total)).toBe(written);
    // The old generation's tables are gone.
    const old = await pool.query('select 1 from pg_tables where tablename = $1', [
      physicalTable(ledger, 'ledger_accounts', 1),
    ]);
    expect(old.rowCount).toBe(0);
  });

  it('compares before swapping, and with swap: false leaves the live tables alone until resumed', async () => {
    const changed = { ...ledger, version: 2 };
    const report = await rebuildProjection(deps(), changed, { compare: true, swap: false });
    expect(report.swapped).toBe(false);
    expect(report.comparison).toEqual([expect.objectContaining({ table: 'ledger_accounts', same: true })]);
    const state = await pool.query('select generation, code_version from projection_state where name = $1', [
      'ledger',
    ]);
    expect(state.rows).toEqual([{ generation: 2, code_version: 1 }]);

    // A live model that drifted (here: edited by hand) shows up in the comparison.
    await pool.query(
      'update ledger_accounts set balance = balance + 1 where account = (select min(account) from ledger_accounts)',
    );
    const drifted = await rebuildProjection(deps(), changed, { compare: true, swap: false });
    expect(drifted.comparison).toEqual([
      expect.objectContaining({
        table: 'ledger_accounts',
        same: false,
        live: expect.objectContaining({ rows: 20 }),
      }),
    ]);

    // Resuming picks up the same generation and swaps it in.
    const resumed = await rebuildProjection(deps(), changed);
    expect(resumed).toMatchObject({ generation: report.generation, swapped: true });
    const after = await pool.query('select generation, code_version from projection_state where name = $1', [
      'ledger',
    ]);
    expect(after.rows).toEqual([{ generation: report.generation, code_version: 2 }]);
  });

  it('abandons a half-built rebuild without touching the live model', async () => {
    const changed = { ...ledger, version: 3 };
    const before = await pool.query('select sum(balance) as total from ledger_accounts');
    const report = await rebuildProjection(deps(), changed, { swap: false });
    expect(await abandonRebuild(pool, 'ledger')).toBe(true);
    const leftover = await pool.query('select 1 from pg_tables where tablename = $1', [
      physicalTable(ledger, 'ledger_accounts', report.generation),
    ]);
    expect(leftover.rowCount).toBe(0);
    expect((await pool.query('select sum(balance) as total from ledger_accounts')).rows).toEqual(before.rows);
  });

  it('rebuilds automatically on start when the code version changed', async () => {
    const account = `account-${randomUUID()}`;
    const { position } = await store.append(account, [event('Deposited', { amount: 9 })]);
    const changed = { ...ledger, version: 4 };
    const projector = new Projector(deps(), [changed], { batchSize: 200 });
    await projector.start();
    expect(await waitForPosition(pool, bus, position, { timeoutMs: 10_000, projections: ['ledger'] })).toBe(
      true,
    );
    await projector.stop();
    const state = await pool.query('select code_version, status from projection_state where name = $1', [
      'ledger',
    ]);
    expect(state.rows).toEqual([{ code_version: 4, status: 'live' }]);
    const { rows } = await pool.query('select balance from ledger_accounts where account = $1', [account]);
    expect(rows).toEqual([{ balance: '9' }]);
  });
});
