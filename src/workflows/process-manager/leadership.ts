import type pg from 'pg';
import type { Logger } from '../../logger.ts';
import { pause } from './pause.ts';

export interface Leadership {
  /** Aborts when the lock's connection fails: another process may take over from then on. */
  readonly lost: AbortSignal;
  release(): Promise<void>;
}

export interface LeadershipOptions {
  signal: AbortSignal;
  /** How often a standby tries to take over. */
  retryMs: number;
  /** How often the leader checks its lock's connection is alive. */
  heartbeatMs: number;
  log: Logger;
}

/**
 * One process manager of a name acts at a time: each worker replica runs one, and the others stand
 * by on a PostgreSQL advisory lock held by a session of their own. Two acting together would still
 * be correct (every action is idempotent), only twice the work. Resolves undefined once `signal`
 * aborts before the lock was won.
 */
export async function acquireLeadership(
  pool: pg.Pool,
  name: string,
  options: LeadershipOptions,
): Promise<Leadership | undefined> {
  const { signal, retryMs, log } = options;
  let waitingLogged = false;
  while (!signal.aborted) {
    let client: pg.PoolClient | undefined;
    try {
      client = await pool.connect();
      const { rows } = await client.query<{ locked: boolean }>(
        "select pg_try_advisory_lock(hashtext('chronicle.process-manager'), hashtext($1)) as locked",
        [name],
      );
      if (rows[0]?.locked) return holdLock(client, name, options);
      client.release();
      if (!waitingLogged) log.info('another process manager of this name is active; standing by');
      waitingLogged = true;
    } catch (error) {
      client?.release(true);
      log.warn({ err: error }, 'could not try the process manager lock');
    }
    await pause(retryMs, signal);
  }
  return undefined;
}

function holdLock(client: pg.PoolClient, name: string, options: LeadershipOptions): Leadership {
  const lost = new AbortController();
  let released = false;
  const lose = (error: unknown) => {
    if (released || lost.signal.aborted) return;
    options.log.warn({ err: error }, 'lost the process manager lock connection');
    lost.abort();
  };
  // A checked-out client that errors with no listener would crash the process.
  client.on('error', lose);
  // A connection to a server that vanished without a reset may never fail on its own: ask it.
  const heartbeat = setInterval(() => {
    const silent = setTimeout(
      () => lose(new Error('lock connection stopped answering')),
      options.heartbeatMs,
    );
    silent.unref();
    client.query('select 1').then(() => clearTimeout(silent), lose);
  }, options.heartbeatMs);
  heartbeat.unref();
  return {
    lost: lost.signal,
    async release() {
      if (released) return;
      released = true;
      clearInterval(heartbeat);
      // Listening until the pool has the client back: a connection that dies during the unlock
      // counts as losing the lock (which ending the session releases anyway).
      try {
        if (lost.signal.aborted) {
          client.release(true);
          return;
        }
        await client.query("select pg_advisory_unlock(hashtext('chronicle.process-manager'), hashtext($1))", [
          name,
        ]);
        client.release();
      } catch {
        // Ending the session releases the lock anyway.
        client.release(true);
      } finally {
        client.off('error', lose);
      }
    },
  };
}
