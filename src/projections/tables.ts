import pg from 'pg';
import type { Projection } from './projection.ts';

/**
 * Physical layout: each generation of a projection has its own tables, `rm_<projection>__<table>__g<n>`,
 * and readers query a view named after the logical table that points at the live generation.
 * A rebuild fills the next generation; the swap re-points the views in one transaction.
 */

const IDENTIFIER = /^[a-z][a-z0-9_]*$/;

export function physicalTable(projection: Projection, table: string, generation: number): string {
  const name = `rm_${projection.name}__${table}__g${generation}`;
  if (!IDENTIFIER.test(projection.name) || !IDENTIFIER.test(table) || name.length > 63) {
    throw new Error(
      `Projection ${projection.name}: table name ${name} must be lower_snake_case and at most 63 characters`,
    );
  }
  return name;
}

export async function createTables(
  client: pg.ClientBase,
  projection: Projection,
  generation: number,
): Promise<void> {
  for (const [table, spec] of Object.entries(projection.tables)) {
    const physical = physicalTable(projection, table, generation);
    const primaryKey = spec.primaryKey.map((c) => pg.escapeIdentifier(c)).join(', ');
    await client.query(`drop table if exists ${physical}`);
    await client.query(`create table ${physical} (${spec.columns}, primary key (${primaryKey}))`);
    for (const [i, index] of (spec.indexes ?? []).entries()) {
      await client.query(`create index ${physical}_i${i} on ${physical} ${index}`);
    }
  }
}

export async function dropTables(
  client: pg.ClientBase,
  projection: Projection,
  generation: number,
): Promise<void> {
  for (const table of Object.keys(projection.tables)) {
    await client.query(`drop table if exists ${physicalTable(projection, table, generation)}`);
  }
}

/** Re-points every logical view at `generation`. Run inside the swap transaction. */
export async function pointViews(
  client: pg.ClientBase,
  projection: Projection,
  generation: number,
): Promise<void> {
  for (const table of Object.keys(projection.tables)) {
    await client.query(`drop view if exists ${pg.escapeIdentifier(table)}`);
    await client.query(
      `create view ${pg.escapeIdentifier(table)} as select * from ${physicalTable(projection, table, generation)}`,
    );
  }
}

export interface TableChecksum {
  rows: number;
  checksum: string;
}

/** Row count and an order-independent checksum of every row's text, per logical table. */
export async function tableChecksums(
  client: pg.ClientBase | pg.Pool,
  projection: Projection,
  generation: number,
): Promise<Record<string, TableChecksum>> {
  const result: Record<string, TableChecksum> = {};
  for (const table of Object.keys(projection.tables)) {
    const physical = physicalTable(projection, table, generation);
    const { rows } = await client.query<{ rows: number; checksum: string }>(
      `select count(*)::int as rows, coalesce(md5(string_agg(md5(t::text), '' order by md5(t::text))), '') as checksum
         from ${physical} t`,
    );
    result[table] = { rows: rows[0]?.rows ?? 0, checksum: rows[0]?.checksum ?? '' };
  }
  return result;
}
