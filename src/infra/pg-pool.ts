import pg from 'pg';
import type { Logger } from '../logger.ts';

/**
 * Limits every Chronicle connection carries, so none of them can hold locks for long: an append
 * holds the event store's append lock until it commits, a projector batch its projections' rows.
 * A statement running past `statement_timeout` is cancelled; a session left idle inside a
 * transaction past `idle_in_transaction_session_timeout` is closed by the server (its transaction
 * rolls back). Both can be raised for one pool (an export, a long report) by passing them.
 */
export const CONNECTION_LIMITS = {
  statement_timeout: Number(process.env.PG_STATEMENT_TIMEOUT_MS ?? 300_000),
  idle_in_transaction_session_timeout: Number(process.env.PG_IDLE_IN_TRANSACTION_TIMEOUT_MS ?? 60_000),
} as const;

/**
 * A node-postgres pool whose connections never crash the process when the server goes away.
 * The pool listens for errors only on idle clients; a connection that dies while checked out
 * (PostgreSQL restarted mid-query) emits 'error' on its client, and an unheard 'error' event
 * kills Node. Each client gets a listener of its own when it connects; the query that was
 * running fails on its own, so the listener only logs.
 *
 * Connections are named `chronicle` in pg_stat_activity and carry CONNECTION_LIMITS.
 */
export function createPool(config: pg.PoolConfig, log: Logger): pg.Pool {
  const pool = new pg.Pool({ application_name: 'chronicle', ...CONNECTION_LIMITS, ...config });
  pool.on('error', (error) => log.warn({ err: error }, 'idle PostgreSQL connection failed'));
  pool.on('connect', (client) => {
    client.on('error', (error) => log.warn({ err: error }, 'PostgreSQL connection failed while in use'));
  });
  return pool;
}
