import type pg from 'pg';

export interface ProjectionStateRow {
  name: string;
  codeVersion: number;
  generation: number;
  checkpoint: bigint;
  status: 'live' | 'failed' | 'rebuilding';
  error: string | null;
  errorPosition: bigint | null;
  attempts: number;
  updatedAt: Date;
}

interface Raw {
  name: string;
  code_version: number;
  generation: number;
  checkpoint: string;
  status: 'live' | 'failed' | 'rebuilding';
  error: string | null;
  error_position: string | null;
  attempts: number;
  updated_at: Date;
}

const toState = (r: Raw): ProjectionStateRow => ({
  name: r.name,
  codeVersion: r.code_version,
  generation: r.generation,
  checkpoint: BigInt(r.checkpoint),
  status: r.status,
  error: r.error,
  errorPosition: r.error_position === null ? null : BigInt(r.error_position),
  attempts: r.attempts,
  updatedAt: r.updated_at,
});

/** `forUpdate` locks the row until the transaction ends: every batch and every swap does. */
export async function readState(
  client: pg.ClientBase | pg.Pool,
  name: string,
  forUpdate = false,
): Promise<ProjectionStateRow | undefined> {
  const { rows } = await client.query<Raw>(
    `select * from projection_state where name = $1${forUpdate ? ' for update' : ''}`,
    [name],
  );
  return rows[0] ? toState(rows[0]) : undefined;
}

/** Several states at once; `forUpdate` locks them in name order (so two lockers never deadlock). */
export async function readStates(
  client: pg.ClientBase | pg.Pool,
  names: readonly string[],
  forUpdate = false,
): Promise<ProjectionStateRow[]> {
  const { rows } = await client.query<Raw>(
    `select * from projection_state where name = any($1) order by name${forUpdate ? ' for update' : ''}`,
    [names],
  );
  return rows.map(toState);
}

export async function readAllStates(client: pg.ClientBase | pg.Pool): Promise<ProjectionStateRow[]> {
  const { rows } = await client.query<Raw>('select * from projection_state order by name');
  return rows.map(toState);
}

/** Moves the checkpoint; a recorded failure clears once the checkpoint has passed the failed event. */
export function advanceCheckpoint(client: pg.ClientBase, name: string, position: bigint): Promise<void> {
  return advanceCheckpoints(client, [name], position);
}

/** advanceCheckpoint for several projections in one statement. */
export async function advanceCheckpoints(
  client: pg.ClientBase,
  names: readonly string[],
  position: bigint,
): Promise<void> {
  await client.query(
    `update projection_state s
        set checkpoint = $2, updated_at = now(),
            status = case when r.recovered then 'live' else s.status end,
            error = case when r.recovered then null else s.error end,
            error_position = case when r.recovered then null else s.error_position end,
            failed_at = case when r.recovered then null else s.failed_at end,
            attempts = case when r.recovered then 0 else s.attempts end
       from (select name, error_position is null or $2 >= error_position as recovered
               from projection_state where name = any($1)) as r
      where s.name = r.name`,
    [names, position.toString()],
  );
}

export async function recordFailure(
  pool: pg.Pool,
  name: string,
  error: string,
  position: bigint | undefined,
): Promise<void> {
  await pool.query(
    `update projection_state
        set status = 'failed', error = $2, error_position = $3, failed_at = now(), attempts = attempts + 1,
            updated_at = now()
      where name = $1`,
    [name, error, position?.toString() ?? null],
  );
}

/**
 * Read-model transactions may commit without waiting for their WAL flush (`readModel: true`):
 * what they write is derived from the event store, and their checkpoint is in the same
 * transaction, so a crash that loses the last of them loses rows and checkpoint together and the
 * projector applies those events again. Event appends always wait for the flush.
 */
export async function withTransaction<T>(
  pool: pg.Pool,
  work: (client: pg.PoolClient) => Promise<T>,
  options: { readModel?: boolean } = {},
): Promise<T> {
  const client = await pool.connect();
  try {
    await client.query(options.readModel ? 'begin; set local synchronous_commit = off' : 'begin');
    const result = await work(client);
    await client.query('commit');
    return result;
  } catch (error) {
    await client.query('rollback').catch(() => undefined);
    throw error;
  } finally {
    // The pool drops a client whose connection died (it is no longer queryable).
    client.release();
  }
}
