import pg from 'pg';
import type { Logger } from '../logger.ts';

/**
 * A node-postgres pool whose connections never crash the process when the server goes away.
 * The pool listens for errors only on idle clients; a connection that dies while checked out
 * (PostgreSQL restarted mid-query) emits 'error' on its client, and an unheard 'error' event
 * kills Node. Each client gets a listener of its own when it connects; the query that was
 * running fails on its own, so the listener only logs.
 */
export function createPool(config: pg.PoolConfig, log: Logger): pg.Pool {
  const pool = new pg.Pool(config);
  pool.on('error', (error) => log.warn({ err: error }, 'idle PostgreSQL connection failed'));
  pool.on('connect', (client) => {
    client.on('error', (error) => log.warn({ err: error }, 'PostgreSQL connection failed while in use'));
  });
  return pool;
}
