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
 * Woken by change notifications; re-reads the checkpoints on a timer too, so a lost
 * notification only costs latency.
 */
export async function waitForPosition(
  pool: pg.Pool,
  bus: ChangeBus,
  position: bigint,
  options: WaitOptions,
): Promise<boolean> {
  const deadline = Date.now() + options.timeoutMs;
  let wake: () => void = () => {};
  const unsubscribe = bus.subscribe((change) => {
    if (BigInt(change.position) >= position) wake();
  });
  try {
    for (;;) {
      if (await reached(pool, position, options.projections)) return true;
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
