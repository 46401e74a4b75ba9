import type pg from 'pg';

/**
 * Who holds the embedded store's append lock (migrations/…_event-store-commit-order.sql), so an
 * operator can see a stall and its cause. Chronicle holds it for one statement and its commit,
 * milliseconds; held longer, it is a session that called es_append inside a transaction it left
 * open (a `psql`, a script), and every append waits behind it until it commits, rolls back, or
 * `idle_in_transaction_session_timeout` closes it.
 */
export interface AppendLockState {
  holder?: {
    pid: number;
    /** Since the holding transaction started. */
    heldSeconds: number;
    state: string;
    applicationName: string;
    /** Its current or last statement, cut to 300 characters. */
    query: string;
  };
  /** Appends waiting for it. */
  waiting: number;
}

/** Held this long, the lock counts as a stall (readiness fails, status says so). */
export const APPEND_STALL_SECONDS = 10;

export async function appendLockState(pool: pg.Pool): Promise<AppendLockState> {
  const { rows } = await pool.query<{
    granted: boolean;
    pid: number;
    held_seconds: number | null;
    state: string | null;
    application_name: string | null;
    query: string | null;
  }>(
    `select l.granted, l.pid, extract(epoch from now() - a.xact_start)::float8 as held_seconds,
            a.state, a.application_name, left(a.query, 300) as query
       from pg_locks l
       join es_append_lock_key() k on l.classid = k.classid::oid and l.objid = k.objid::oid
       left join pg_stat_activity a on a.pid = l.pid
      where l.locktype = 'advisory' and l.objsubid = 2 and l.database = (select oid from pg_database where datname = current_database())`,
  );
  const held = rows.find((r) => r.granted);
  return {
    ...(held
      ? {
          holder: {
            pid: held.pid,
            heldSeconds: held.held_seconds ?? 0,
            state: held.state ?? 'unknown',
            applicationName: held.application_name ?? '',
            query: held.query ?? '',
          },
        }
      : {}),
    waiting: rows.filter((r) => !r.granted).length,
  };
}

export function describeStall(
  state: AppendLockState,
  afterSeconds = APPEND_STALL_SECONDS,
): string | undefined {
  const { holder } = state;
  if (!holder || holder.heldSeconds < afterSeconds) return undefined;
  return (
    `appends stalled: the append lock has been held for ${Math.round(holder.heldSeconds)} s by backend ` +
    `${holder.pid} (${holder.state}${holder.applicationName ? `, ${holder.applicationName}` : ''}: ${holder.query}); ` +
    `${state.waiting} append(s) waiting. pg_terminate_backend(${holder.pid}) ends it.`
  );
}
