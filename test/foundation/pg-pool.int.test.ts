import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { createPool } from '../../src/infra/pg-pool.ts';
import { createLogger, type Logger } from '../../src/logger.ts';
import { freshDatabase } from '../support/database.ts';

let databaseUrl: string;
beforeAll(async () => {
  databaseUrl = await freshDatabase('pg_pool');
});

/** Ends a backend from another session, as a PostgreSQL restart would. */
async function terminate(pid: number): Promise<void> {
  const admin = new pg.Client({ connectionString: databaseUrl });
  await admin.connect();
  try {
    await admin.query('select pg_terminate_backend($1)', [pid]);
  } finally {
    await admin.end();
  }
}

describe('createPool', () => {
  const warnings: string[] = [];
  const log: Logger = createLogger('warn');
  let pool: pg.Pool;
  beforeAll(() => {
    vi.spyOn(log, 'warn').mockImplementation(((_: unknown, message: string) => {
      warnings.push(message);
    }) as Logger['warn']);
    pool = createPool({ connectionString: databaseUrl, max: 2 }, log);
  });
  afterAll(async () => {
    await pool.end();
  });

  it('survives a connection that dies while checked out: the query fails, the error is logged', async () => {
    const client = await pool.connect();
    // pg-pool stops listening on a client it hands out; without ours an 'error' would kill Node.
    expect(client.listenerCount('error')).toBeGreaterThan(0);
    const { rows } = await client.query<{ pid: number }>('select pg_backend_pid() as pid');
    await terminate(rows[0]?.pid ?? 0);
    await vi.waitFor(() => expect(warnings).toContain('PostgreSQL connection failed while in use'), {
      timeout: 5_000,
    });
    await expect(client.query('select 1')).rejects.toThrow();
    client.release(true);
    // The pool goes on with a new connection.
    expect((await pool.query<{ one: number }>('select 1 as one')).rows).toEqual([{ one: 1 }]);
  });
});
