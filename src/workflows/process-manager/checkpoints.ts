import type pg from 'pg';

/** Before any event: the subscription starts at the beginning of `$all`. */
export const NO_CHECKPOINT = -1n;

export async function ensureCheckpoint(pool: pg.Pool, name: string): Promise<void> {
  await pool.query(
    'insert into process_manager_checkpoints (name) values ($1) on conflict (name) do nothing',
    [name],
  );
}

export async function readCheckpoint(pool: pg.Pool, name: string): Promise<bigint> {
  const { rows } = await pool.query<{ position: string }>(
    'select position from process_manager_checkpoints where name = $1',
    [name],
  );
  return rows[0] ? BigInt(rows[0].position) : NO_CHECKPOINT;
}

/**
 * Moves the checkpoint forward only: a leader that lost its lock and finishes a late write cannot
 * pull it back under the new leader (going back would only replay, but for nothing).
 */
export async function saveCheckpoint(pool: pg.Pool, name: string, position: bigint): Promise<void> {
  await pool.query(
    `insert into process_manager_checkpoints (name, position) values ($1, $2)
     on conflict (name) do update
       set position = greatest(process_manager_checkpoints.position, excluded.position), updated_at = now()`,
    [name, position.toString()],
  );
}
