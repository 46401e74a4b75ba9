import type pg from 'pg';
import type { ChangeBus } from './change-bus.ts';

export interface WaitOptions {
  timeoutMs: number;
  /** Projections that must pass the position; all known projections when omitted. */
  projections?: readonly string[];
  /** How often checkpoints are re-read when no change notification arrives. */
  pollMs?: number;
}

/**
 * Read-your-writes: resolves true once every named projection's checkpoint has reached
 * `position`, false when the timeout passes first (callers must say their data may be stale).
 * Checks the checkpoints once, then follows change notifications (sent after each committed
 * batch, so they can be trusted) without asking the database again; the checkpoints are re-read
 * on a timer too, so a lost notification only costs latency. Re-reading on every notification
 * would cost each waiting request a query per batch of every projection: under concurrent
 * mutations that was most of the database's work.
 */
export async function waitForPosition(
  pool: pg.Pool,
  bus: ChangeBus,
  position: bigint,
  options: WaitOptions,
): Promise<boolean> {
  const deadline = Date.now() + options.timeoutMs;
  const needed = options.projections;
  const seen = new Map<string, bigint>();
  const notified = () => needed?.every((name) => (seen.get(name) ?? -1n) >= position);
  let wake: () => void = () => {};
  const unsubscribe = bus.subscribe((change) => {
    if (needed !== undefined && !needed.includes(change.projection)) return;
    const at = BigInt(change.position);
    if (at > (seen.get(change.projection) ?? -1n)) seen.set(change.projection, at);
    // Without a list of projections, any notification past the position is worth a look.
    if (needed === undefined ? at >= position : notified()) wake();
  });
  try {
    for (;;) {
      if (notified() || (await reached(pool, position, needed))) return true;
      const remaining = deadline - Date.now();
      if (remaining <= 0) return false;
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, Math.min(remaining, options.pollMs ?? 250));
        wake = () => {
          clearTimeout(timer);
          resolve();
        };
      });
    }
  } finally {
    unsubscribe();
  }
}

async function reached(
  pool: pg.Pool,
  position: bigint,
  names: readonly string[] | undefined,
): Promise<boolean> {
  const { rows } = await pool.query<{ behind: number; known: number }>(
    `select count(*) filter (where checkpoint < $1)::int as behind, count(*)::int as known
       from projection_state where $2::text[] is null or name = any($2)`,
    [position.toString(), names ?? null],
  );
  const [row] = rows;
  return row !== undefined && row.behind === 0 && (names === undefined || row.known === names.length);
}
