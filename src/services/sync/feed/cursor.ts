import type pg from 'pg';
import { SYNC_FEED_PROJECTION } from '../../../projections/read-models/sync-feed.ts';
import { LOADED_READ_MODELS } from './loaders.ts';

/** The projections whose checkpoints bound what a pull or a snapshot may send. */
export const FEED_BOUND_PROJECTIONS: readonly string[] = [SYNC_FEED_PROJECTION, ...LOADED_READ_MODELS];

/**
 * How far the feed may be served: the lowest checkpoint of the feed projection and of the read
 * models its data is loaded from. A checkpoint moves in the transaction that wrote its rows, so
 * every record at or below it is in `sync_changes` (the feed is gap-free: a cursor at most this
 * far never skips a record committed later at a lower position), and the data it points at is
 * loadable. A projection not running yet (no state row) holds the bound at -1: nothing is served
 * rather than something unreadable. One query.
 */
export async function feedHead(pool: Pick<pg.Pool, 'query'>): Promise<bigint> {
  const { rows } = await pool.query<{ name: string; checkpoint: string }>(
    'select name, checkpoint::text as checkpoint from projection_state where name = any($1)',
    [FEED_BOUND_PROJECTIONS],
  );
  let head: bigint | null = null;
  for (const name of FEED_BOUND_PROJECTIONS) {
    const row = rows.find((r) => r.name === name);
    const checkpoint = row ? BigInt(row.checkpoint) : -1n;
    if (head === null || checkpoint < head) head = checkpoint;
  }
  return head ?? -1n;
}
