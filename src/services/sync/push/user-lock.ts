import type pg from 'pg';

/** How long a sync waits for another sync of the same person before answering SYNC_BUSY. */
export const SYNC_LOCK_TIMEOUT_MS = 10_000;

/** PostgreSQL's lock_not_available: the lock_timeout passed while waiting. */
const LOCK_NOT_AVAILABLE = '55P03';

/**
 * Another sync of the same person holds the lock (two devices, or a retry racing its first try).
 * Retryable: the API answers UNAVAILABLE (HTTP 503 when nothing else was answered), which clients
 * and proxies retry; `extensions` is how a thrown error names its GraphQL code (see api/errors.ts).
 */
export class SyncBusy extends Error {
  readonly extensions = { code: 'UNAVAILABLE', reason: 'SYNC_BUSY', retryable: true } as const;
  constructor() {
    super('Another sync of this account is running; retry in a moment');
    this.name = 'SyncBusy';
  }
}

/**
 * Runs `fn` while holding the person's sync lock: a transaction-scoped advisory lock on a dedicated
 * connection, so one person's syncs apply their changes one after another (a change decided
 * against the state another sync is changing would be decided on stale facts) while different
 * people's run side by side. The lock goes with the transaction, so a crashed process never leaves
 * it held. `fn` does its own writes on other connections; this one only holds the lock.
 */
export async function withUserSyncLock<T>(
  pool: pg.Pool,
  userId: string,
  fn: () => Promise<T>,
  options: { timeoutMs?: number } = {},
): Promise<T> {
  const timeoutMs = options.timeoutMs ?? SYNC_LOCK_TIMEOUT_MS;
  const client = await pool.connect();
  let broken = false;
  try {
    await client.query('begin');
    try {
      await client.query(`select set_config('lock_timeout', $1, true)`, [
        `${Math.max(1, Math.round(timeoutMs))}ms`,
      ]);
      await client.query(`select pg_advisory_xact_lock(hashtextextended('sync:' || $1, 0))`, [
        userId.toLowerCase(),
      ]);
    } catch (error) {
      await client.query('rollback').catch(() => {
        broken = true;
      });
      if ((error as { code?: unknown }).code === LOCK_NOT_AVAILABLE) throw new SyncBusy();
      throw error;
    }
    try {
      return await fn();
    } finally {
      // Nothing was written on this connection: ending the transaction only lets the lock go.
      await client.query('commit').catch(() => {
        broken = true;
      });
    }
  } finally {
    client.release(broken);
  }
}
