import { AsyncLocalStorage } from 'node:async_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import pg from 'pg';

/** How long a sync waits for another sync of the same person (or for a lock connection) before answering SYNC_BUSY. */
export const SYNC_LOCK_TIMEOUT_MS = 10_000;

/**
 * Connections of the dedicated lock pool, per process: the most pushes a process runs at once.
 * Kept well under the request pool's size, so pushing syncs can never take every connection the
 * rest of the API needs; a push beyond it waits for a lock connection, then answers SYNC_BUSY.
 */
export const SYNC_LOCK_POOL_SIZE = 4;

/** First and longest pause between two tries for a lock someone else holds. */
const BACKOFF_FIRST_MS = 20;
const BACKOFF_MAX_MS = 250;

/**
 * Another sync of the same person holds the lock (two devices, or a retry racing its first try),
 * every lock connection is busy, or the lock was lost mid-push. Retryable: the API answers
 * UNAVAILABLE (HTTP 503 when nothing else was answered), which clients and proxies retry;
 * `extensions` is how a thrown error names its GraphQL code (see api/errors.ts).
 */
export class SyncBusy extends Error {
  readonly extensions = { code: 'UNAVAILABLE', reason: 'SYNC_BUSY', retryable: true } as const;
  constructor(message = 'Another sync of this account is running; retry in a moment') {
    super(message);
    this.name = 'SyncBusy';
  }
}

/**
 * The lock pool of each request pool: same database and credentials, its own few connections.
 * Idle ones close soon (a lock connection is cheap to open again, and an idle one is a server
 * process held for nothing), and they never keep the process alive.
 */
const lockPools = new WeakMap<pg.Pool, pg.Pool>();

function lockPoolOf(pool: pg.Pool): pg.Pool {
  const existing = lockPools.get(pool);
  if (existing !== undefined) return existing;
  const lockPool = new pg.Pool({
    ...(pool as pg.Pool & { options: pg.PoolConfig }).options,
    max: SYNC_LOCK_POOL_SIZE,
    idleTimeoutMillis: 5_000,
    connectionTimeoutMillis: SYNC_LOCK_TIMEOUT_MS,
    allowExitOnIdle: true,
  });
  // An idle lock connection the server ends (a restart) is only dropped from the pool.
  lockPool.on('error', () => {});
  lockPools.set(pool, lockPool);
  return lockPool;
}

/**
 * A lock connection by `deadline`. Every one busy pushing for someone until then: SYNC_BUSY
 * (retryable); a connection that arrives after it is handed back, unused.
 */
async function lockConnection(lockPool: pg.Pool, deadline: number): Promise<pg.PoolClient> {
  const connecting = lockPool.connect();
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<'late'>((resolve) => {
    timer = setTimeout(() => resolve('late'), Math.max(0, deadline - Date.now()));
  });
  try {
    const first = await Promise.race([connecting, late]);
    if (first !== 'late') return first;
    connecting.then(
      (client) => client.release(),
      () => {},
    );
    throw new SyncBusy();
  } catch (error) {
    // pg-pool's own wait (connectionTimeoutMillis) ran out first.
    if (error instanceof Error && !(error instanceof SyncBusy) && /timeout/i.test(error.message))
      throw new SyncBusy();
    throw error;
  } finally {
    clearTimeout(timer);
  }
}

/** Whether the lock the running push holds is still held; set to false when its connection goes. */
interface HeldLock {
  held: boolean;
}

const currentLock = new AsyncLocalStorage<HeldLock>();

/**
 * Throws the retryable SYNC_BUSY when the person's sync lock, taken by the surrounding
 * withUserSyncLock, was lost (its connection ended or failed: the server killed it, the network
 * dropped): another sync of theirs may be deciding now, so a push must not decide its next change.
 * What it settled before keeps its receipts; the retry carries on from there. Outside a lock
 * (a caller that serialises otherwise) there is nothing to check.
 */
export function assertSyncLockHeld(): void {
  const lock = currentLock.getStore();
  if (lock !== undefined && !lock.held)
    throw new SyncBusy('The sync lock was lost while pushing; retry to push the remaining changes');
}

/**
 * Runs `fn` while holding the person's sync lock, so one person's syncs apply their changes one
 * after another (a change decided against the state another sync is changing would be decided on
 * stale facts) while different people's run side by side. The lock is a SESSION advisory lock on
 * a connection of a small dedicated pool: no transaction stays open (nothing for
 * idle_in_transaction_session_timeout to kill), and no connection of the request pool is held,
 * neither while waiting (pg_try_advisory_lock with backoff, up to the timeout) nor while pushing.
 * It is let go with pg_advisory_unlock; if that fails the connection is destroyed, which lets it
 * go too, as does a crashed process. If the connection ends while `fn` runs, the lock is gone:
 * `assertSyncLockHeld` (pushChanges calls it before each change) then aborts with SYNC_BUSY.
 */
export async function withUserSyncLock<T>(
  pool: pg.Pool,
  userId: string,
  fn: () => Promise<T>,
  options: { timeoutMs?: number } = {},
): Promise<T> {
  const timeoutMs = options.timeoutMs ?? SYNC_LOCK_TIMEOUT_MS;
  const deadline = Date.now() + timeoutMs;
  const client = await lockConnection(lockPoolOf(pool), deadline);
  const lock: HeldLock = { held: false };
  const lost = () => {
    lock.held = false;
  };
  client.on('error', lost);
  client.on('end', lost);
  let broken = false;
  try {
    const key = [`sync:${userId.toLowerCase()}`];
    let pause = BACKOFF_FIRST_MS;
    for (;;) {
      const { rows } = await client
        .query<{ locked: boolean }>('select pg_try_advisory_lock(hashtextextended($1, 0)) as locked', key)
        .catch((error: unknown) => {
          broken = true;
          throw error;
        });
      if (rows[0]?.locked === true) break;
      const left = deadline - Date.now();
      if (left <= 0) throw new SyncBusy();
      await sleep(Math.min(pause, left));
      pause = Math.min(pause * 2, BACKOFF_MAX_MS);
    }
    lock.held = true;
    try {
      return await currentLock.run(lock, fn);
    } finally {
      const held = lock.held;
      lock.held = false;
      if (!held) broken = true;
      else
        await client.query('select pg_advisory_unlock(hashtextextended($1, 0))', key).catch(() => {
          broken = true;
        });
    }
  } finally {
    // A connection that failed, or whose lock is in doubt, is destroyed (which lets any lock go)
    // rather than reused; its listeners stay, so a late error of it is not an unhandled one.
    if (!broken) {
      client.off('error', lost);
      client.off('end', lost);
    }
    client.release(broken);
  }
}
