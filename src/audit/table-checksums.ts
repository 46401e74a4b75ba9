import pg from 'pg';
import type { Projection } from '../projections/projection.ts';

/**
 * A checksum per read-model table that two systems built from the same events can compare, even
 * though the stores assigned different global positions (a replay appends the events anew).
 *
 * - Order-independent: the MD5 of the sorted per-row MD5s of the row's text, plus the row count.
 * - Position columns (a bigint named `position` or `*_position`, e.g. content_status_changes.position,
 *   stream_catalogue.last_position) hold a store-assigned number. With the embedded store the
 *   events sit in the same database, so each is replaced by the id of the event at that position:
 *   the same in both systems, the comparison stays exact. Without es_events (EventStoreDB) they
 *   are left out and listed in `excluded`.
 * - Commit-time columns (COMMIT_TIME_COLUMNS: when the store recorded the event) are compared
 *   when the replay restored the source's commit times (the embedded store), else left out.
 * No read model today depends on the wall clock of the projector itself; one that did would be
 * listed in COMMIT_TIME_COLUMNS too.
 */
export const COMMIT_TIME_COLUMNS: Readonly<Record<string, readonly string[]>> = {
  stream_catalogue: ['first_event_at', 'last_event_at'],
  users: ['updated_at'],
};

const POSITION_COLUMN = /(^|_)position$/;

export interface ChecksumOptions {
  /** Compare commit-time columns (both sides have the source's commit times). Default true. */
  commitTimes?: boolean;
  /** Only these logical tables. */
  tables?: readonly string[];
}

export interface ReadModelChecksum {
  rows: number;
  checksum: string;
  /** Position columns compared through the event id at that position. */
  mapped: string[];
  /** Columns left out of the checksum. */
  excluded: string[];
}

export async function readModelChecksums(
  pool: pg.Pool,
  projections: readonly Projection[],
  options: ChecksumOptions = {},
): Promise<Record<string, ReadModelChecksum>> {
  const client = await pool.connect();
  try {
    const { rows: es } = await client.query("select to_regclass('es_events') is not null as present");
    const eventsHere = es[0]?.present === true;
    const result: Record<string, ReadModelChecksum> = {};
    const tables = projections.flatMap((p) => Object.keys(p.tables));
    for (const table of tables.sort()) {
      if (options.tables && !options.tables.includes(table)) continue;
      result[table] = await tableChecksum(client, table, eventsHere, options.commitTimes !== false);
    }
    return result;
  } finally {
    client.release();
  }
}

async function tableChecksum(
  client: pg.PoolClient,
  table: string,
  eventsHere: boolean,
  commitTimes: boolean,
): Promise<ReadModelChecksum> {
  const { rows: columns } = await client.query<{ column_name: string; data_type: string }>(
    `select column_name, data_type from information_schema.columns
      where table_schema = current_schema() and table_name = $1 order by ordinal_position`,
    [table],
  );
  if (columns.length === 0) return { rows: 0, checksum: '(missing)', mapped: [], excluded: [] };
  const mapped: string[] = [];
  const excluded: string[] = [];
  const expressions: string[] = [];
  for (const { column_name: name, data_type: type } of columns) {
    const column = `t.${pg.escapeIdentifier(name)}`;
    if (POSITION_COLUMN.test(name) && type === 'bigint') {
      if (!eventsHere) {
        excluded.push(name);
        continue;
      }
      mapped.push(name);
      expressions.push(`(select e.event_id from es_events e where e.position = ${column})`);
    } else if (!commitTimes && COMMIT_TIME_COLUMNS[table]?.includes(name)) {
      excluded.push(name);
    } else {
      expressions.push(column);
    }
  }
  const row = `md5(row(${expressions.join(', ')})::text)`;
  const { rows } = await client.query<{ rows: number; checksum: string }>(
    `select count(*)::int as rows, coalesce(md5(string_agg(h, '' order by h)), '') as checksum
       from (select ${row} as h from ${pg.escapeIdentifier(table)} t) r`,
  );
  return { rows: rows[0]?.rows ?? 0, checksum: rows[0]?.checksum ?? '', mapped, excluded };
}
