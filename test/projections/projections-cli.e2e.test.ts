import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { once } from 'node:events';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PostgresEventStore } from '../../src/eventstore/postgres/postgres-event-store.ts';
import { createLogger } from '../../src/logger.ts';
import { event } from '../eventstore/conformance.ts';
import { CLI, cleanEnv, runCli } from '../support/cli.ts';
import { freshDatabase } from '../support/database.ts';

/** The ops commands, as an operator runs them: real processes against a real database. */
describe('chronicle projector and chronicle projections', () => {
  let url: string;
  let pool: pg.Pool;
  let store: PostgresEventStore;

  beforeAll(async () => {
    url = await freshDatabase('cli');
    // Bounded waits: a query held behind the child's locks fails and is tried again.
    pool = new pg.Pool({
      connectionString: url,
      max: 2,
      statement_timeout: 2000,
      connectionTimeoutMillis: 5000,
    });
    store = new PostgresEventStore({ connectionString: url, log: createLogger('silent') });
  });
  afterAll(async () => {
    await store.close();
    await pool.end();
  });

  it('runs the registered projections until SIGTERM', async () => {
    const stream = `order-${randomUUID()}`;
    await store.append(stream, [event('OrderPlaced'), event('OrderPaid')]);
    const child = spawn(process.execPath, [CLI, 'projector'], {
      env: cleanEnv({ DATABASE_URL: url, LOG_LEVEL: 'info' }),
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout?.on('data', (chunk) => {
      output += chunk;
    });
    child.stderr?.on('data', (chunk) => {
      output += chunk;
    });
    const exited = once(child, 'exit');
    try {
      let rows: unknown[] = [];
      // Generous: under a loaded test run, starting a child process through tsx takes seconds. The
      // deadline is well inside the test's timeout, so a failure shows what the child printed.
      const deadline = Date.now() + 45_000;
      while (rows.length === 0 && Date.now() < deadline) {
        await new Promise((r) => setTimeout(r, 100));
        rows = (
          await pool
            .query('select category, event_count from stream_catalogue where stream_name = $1', [stream])
            .catch(() => ({ rows: [] }))
        ).rows;
      }
      expect(rows, output).toEqual([{ category: 'order', event_count: '2' }]);
    } finally {
      child.kill('SIGTERM');
    }
    const [code] = await exited;
    expect(code, output).toBe(0);
  }, 90_000);

  it('exits cleanly when stopped while it is still starting', async () => {
    const child = spawn(process.execPath, [CLI, 'projector'], {
      env: cleanEnv({ DATABASE_URL: url, LOG_LEVEL: 'info' }),
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const exited = once(child, 'exit');
    let output = '';
    // The first log line comes while it opens its connections, before any projection runs.
    await new Promise<void>((resolve) => {
      child.stdout?.on('data', (chunk) => {
        output += chunk;
        resolve();
      });
    });
    child.kill('SIGTERM');
    const [code] = await exited;
    expect(code, output).toBe(0);
  }, 60_000);

  it('prints status, and rebuilds with a comparison and progress', async () => {
    const status = await runCli(['projections', 'status'], { DATABASE_URL: url, LOG_LEVEL: 'warn' });
    expect(status.code).toBe(0);
    expect(status.stdout).toMatch(
      /projection\s+version\s+gen\s+checkpoint\s+head\s+lag events\s+lag s\s+state/,
    );
    expect(status.stdout).toMatch(/stream_catalogue\s+1\s+1\s+\d+\s+\d+\s+0\s+0\.0\s+live/);

    const rebuild = await runCli(['projections', 'rebuild', 'stream_catalogue', '--compare'], {
      DATABASE_URL: url,
      LOG_LEVEL: 'warn',
    });
    expect(rebuild.code).toBe(0);
    expect(rebuild.stdout).toContain('stream_catalogue: 2 events');
    expect(rebuild.stdout).toMatch(/stream_catalogue: same \(live 1 rows/);
    expect(rebuild.stdout).toContain('swapped in');
    const after = await runCli(['projections', 'status'], { DATABASE_URL: url, LOG_LEVEL: 'warn' });
    expect(after.stdout).toMatch(/stream_catalogue\s+1\s+2\s/);
  });

  it('names the known projections when asked for an unknown one', async () => {
    const result = await runCli(['projections', 'rebuild', 'nope'], { DATABASE_URL: url, LOG_LEVEL: 'warn' });
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('known: stream_catalogue');
  });
});
