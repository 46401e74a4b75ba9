import pg from 'pg';
import type { Projection } from './projection.ts';
import { readState, withTransaction } from './state.ts';
import { createTables, pointViews } from './tables.ts';

/**
 * Drops every table of one generation, found by name, so tables an older version of the
 * projection declared (and the current one no longer does) go too.
 */
export async function dropGeneration(
  client: pg.ClientBase,
  projectionName: string,
  generation: number,
): Promise<void> {
  const { rows } = await client.query<{ tablename: string }>(
    `select tablename from pg_tables where schemaname = current_schema() and tablename like $1`,
    [`rm\\_${projectionName.replaceAll('_', '\\_')}\\_\\_%\\_\\_g${generation}`],
  );
  for (const { tablename } of rows)
    await client.query(`drop table if exists ${pg.escapeIdentifier(tablename)}`);
}

/**
 * Makes sure a projection has state and live tables. Returns 'rebuild' when the code's version
 * differs from the one whose tables are live: the old tables keep serving until a rebuild swaps.
 */
export async function prepareProjection(pool: pg.Pool, projection: Projection): Promise<'live' | 'rebuild'> {
  return withTransaction(pool, async (client) => {
    // Two projector processes starting at once must not both create generation 1.
    await client.query('select pg_advisory_xact_lock(hashtext($1))', [`projection:${projection.name}`]);
    const state = await readState(client, projection.name, true);
    if (!state) {
      await createTables(client, projection, 1);
      await pointViews(client, projection, 1);
      await client.query('insert into projection_state (name, code_version, generation) values ($1, $2, 1)', [
        projection.name,
        projection.version,
      ]);
      return 'live';
    }
    if (state.codeVersion === projection.version) return 'live';
    await client.query(
      `update projection_state set status = 'rebuilding', updated_at = now() where name = $1`,
      [projection.name],
    );
    return 'rebuild';
  });
}
