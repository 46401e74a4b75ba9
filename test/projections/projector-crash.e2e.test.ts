import { type ChildProcess, spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { once } from 'node:events';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PostgresEventStore } from '../../src/eventstore/postgres/postgres-event-store.ts';
import { createLogger } from '../../src/logger.ts';
import { InProcessChangeBus } from '../../src/projections/change-bus.ts';
import { streamCatalogue } from '../../src/projections/read-models/stream-catalogue.ts';
import { rebuildProjection } from '../../src/projections/rebuild.ts';
import { waitForPosition } from '../../src/projections/wait-for-position.ts';
import { event } from '../eventstore/conformance.ts';
import { freshDatabase } from '../support/database.ts';
import { ledger } from './fixtures/ledger.ts';

const CHILD = new URL('./fixtures/projector-process.ts', import.meta.url).pathname;

async function startProjector(url: string): Promise<ChildProcess> {
  const child = spawn(process.execPath, ['--import', 'tsx', CHILD], {
    env: { ...process.env, DATABASE_URL: url },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const [chunk] = await once(child.stdout ?? child, 'data');
  expect(String(chunk)).toContain('ready');
  return child;
}

describe('a projector killed mid-stream', () => {
  let url: string;
  let pool: pg.Pool;
  let store: PostgresEventStore;
  const log = createLogger('silent');
  const bus = new InProcessChangeBus();

  beforeAll(async () => {
    url = await freshDatabase('crash');
    pool = new pg.Pool({ connectionString: url, max: 6 });
    store = new PostgresEventStore({ connectionString: url, log });
  });
  afterAll(async () => {
    await store.close();
    await pool.end();
  });

  it('resumes after SIGKILL with every event applied exactly once', async () => {
    const accounts = Array.from({ length: 100 }, () => `account-${randomUUID()}`);
    const appendRound = (round: number) =>
      Promise.all(
        accounts.slice(0, 10).map((_, i) => {
          const account = accounts[(round * 10 + i) % accounts.length] ?? '';
          return store.append(
            account,
            Array.from({ length: 10 }, () => event('Deposited', { amount: 3 })),
          );
        }),
      );

    let child = await startProjector(url);
    let kills = 0;
    for (let round = 0; round < 100; round++) {
      await appendRound(round); // 100 events per round, 10,000 in all
      if (round === 30 || round === 65) {
        // Kill while it is busy: SIGKILL gives it no chance to finish a batch cleanly.
        child.kill('SIGKILL');
        await once(child, 'exit');
        kills++;
        child = await startProjector(url);
      }
    }
    const last = await store.append(accounts[0] ?? '', [event('Deposited', { amount: 3 })]);
    expect(await waitForPosition(pool, bus, last.position, { timeoutMs: 30_000, pollMs: 100 })).toBe(true);
    child.kill('SIGTERM');
    await once(child, 'exit');
    expect(kills).toBe(2);

    // Exactly once: every deposit counted once in the live ledger...
    const totals = await pool.query<{ balance: string; deposits: string }>(
      'select sum(balance)::text as balance, sum(deposits)::text as deposits from ledger_accounts',
    );
    expect(totals.rows[0]).toEqual({ balance: String(10_001 * 3), deposits: '10001' });
    // ...and every live read model equals what a clean rebuild produces.
    for (const projection of [ledger, streamCatalogue]) {
      const report = await rebuildProjection({ store, pool, bus, log }, projection, {
        compare: true,
        swap: false,
      });
      expect(report.comparison?.length).toBeGreaterThan(0);
      for (const table of report.comparison ?? []) expect(table).toMatchObject({ same: true });
    }
  }, 120_000);
});
