import pg from 'pg';
import type { Projection, ReadModelWriter, Row } from './projection.ts';
import { physicalTable } from './tables.ts';

const DELETED = Symbol('deleted');
type Slot = Row | typeof DELETED;

/** Physical table + declared columns → the columns to write, for the life of the process. */
const COLUMNS = new Map<string, string[]>();

export interface TouchedKey {
  table: string;
  key: Row;
}

/**
 * The unit of work behind `apply`: buffers each row's final state for the batch and writes each
 * table with one upsert and one delete, through jsonb_populate_recordset so column types come
 * from the table itself.
 */
export class BatchWriter implements ReadModelWriter {
  private readonly buffers = new Map<string, Map<string, Slot>>();
  /** Rows read ahead by `load`, as stored before this batch (DELETED: known to be absent). */
  private readonly loaded = new Map<string, Map<string, Slot>>();

  constructor(
    private readonly client: pg.ClientBase,
    private readonly projection: Projection,
    private readonly generation: number,
  ) {}

  async get(table: string, key: Row): Promise<Row | undefined> {
    const buffered = this.buffer(table).get(this.keyOf(table, key));
    if (buffered === DELETED) return undefined;
    if (buffered) return { ...buffered };
    const preloaded = this.loaded.get(table)?.get(this.loadKey(table, key));
    if (preloaded === DELETED) return undefined;
    if (preloaded) return this.withCallersKey(table, preloaded, key);
    const spec = this.spec(table);
    const where = spec.primaryKey.map((c, i) => `${pg.escapeIdentifier(c)} = $${i + 1}`).join(' and ');
    const { rows } = await this.client.query<{ row: Row }>(
      `select row_to_json(t) as row from ${this.physical(table)} t where ${where}`,
      spec.primaryKey.map((c) => key[c]),
    );
    return rows[0] ? this.withCallersKey(table, rows[0].row, key) : undefined;
  }

  /**
   * A stored row with its key spelled as the caller spelled it. PostgreSQL writes a timestamp key
   * back as `…+00:00` where the caller wrote `….000Z`: a row spread into `upsert` would otherwise be
   * buffered under a second spelling of the same key, and the next `get` in the batch would miss it
   * and read the stale stored row again, losing the first change.
   */
  private withCallersKey(table: string, row: Row, key: Row): Row {
    const spelled = Object.fromEntries(this.spec(table).primaryKey.map((column) => [column, key[column]]));
    return { ...row, ...spelled };
  }

  /** Reads these rows in one query per table, for `get` to answer from memory. */
  async load(keys: readonly { table: string; key: Row }[]): Promise<void> {
    const byTable = new Map<string, Map<string, Row>>();
    for (const { table, key } of keys) {
      const wanted = byTable.get(table) ?? new Map<string, Row>();
      wanted.set(this.loadKey(table, key), key);
      byTable.set(table, wanted);
    }
    for (const [table, wanted] of byTable) {
      const spec = this.spec(table);
      const physical = this.physical(table);
      const primaryKey = spec.primaryKey.map((c) => pg.escapeIdentifier(c)).join(', ');
      const { rows } = await this.client.query<{ row: Row }>(
        `select row_to_json(t) as row from ${physical} t where (${primaryKey}) in
           (select ${primaryKey} from jsonb_populate_recordset(null::${physical}, $1::jsonb))`,
        [JSON.stringify([...wanted.values()])],
      );
      const slots = this.loaded.get(table) ?? new Map<string, Slot>();
      for (const key of wanted.keys()) slots.set(key, DELETED);
      for (const { row } of rows) slots.set(this.loadKey(table, row), row);
      this.loaded.set(table, slots);
    }
  }

  upsert(table: string, row: Row): void {
    this.buffer(table).set(this.keyOf(table, row), { ...row });
  }

  async update(table: string, key: Row, changes: Row): Promise<void> {
    const current = await this.get(table, key);
    if (current) this.upsert(table, { ...current, ...changes });
  }

  delete(table: string, key: Row): void {
    this.buffer(table).set(this.keyOf(table, key), DELETED);
  }

  touched(): TouchedKey[] {
    const spec = (table: string) => this.spec(table).primaryKey;
    return [...this.buffers].flatMap(([table, slots]) =>
      [...slots.keys()].map((k) => {
        const values: unknown[] = JSON.parse(k);
        return { table, key: Object.fromEntries(spec(table).map((c, i) => [c, values[i]])) };
      }),
    );
  }

  async flush(): Promise<void> {
    for (const [table, slots] of this.buffers) {
      const physical = this.physical(table);
      const primaryKey = this.spec(table)
        .primaryKey.map((c) => pg.escapeIdentifier(c))
        .join(', ');
      const rows = [...slots.values()].filter((s): s is Row => s !== DELETED);
      const deleted = [...slots.entries()].filter(([, s]) => s === DELETED).map(([k]) => k);
      if (deleted.length > 0) {
        const keyRows = deleted.map((k) => this.keyRow(table, k));
        await this.client.query(
          `delete from ${physical} where (${primaryKey}) in
             (select ${primaryKey} from jsonb_populate_recordset(null::${physical}, $1::jsonb))`,
          [JSON.stringify(keyRows)],
        );
      }
      if (rows.length > 0) {
        const columns = await this.columns(physical, this.spec(table).columns);
        const listed = columns.map((c) => pg.escapeIdentifier(c)).join(', ');
        const others = columns
          .filter((c) => !this.spec(table).primaryKey.includes(c))
          .map((c) => pg.escapeIdentifier(c));
        const onConflict =
          others.length === 0
            ? 'do nothing'
            : `do update set (${others.join(', ')}) = row(${others.map((c) => `excluded.${c}`).join(', ')})`;
        await this.client.query(
          `insert into ${physical} (${listed})
             select ${listed} from jsonb_populate_recordset(null::${physical}, $1::jsonb)
             on conflict (${primaryKey}) ${onConflict}`,
          [JSON.stringify(rows)],
        );
      }
    }
    this.buffers.clear();
    this.loaded.clear();
  }

  private async columns(physical: string, declared: string): Promise<string[]> {
    // A generation's tables may be dropped and made anew by a rebuild, but always from the same
    // declaration: the name and the declared columns together name one column list.
    const cacheKey = `${physical}\n${declared}`;
    const cached = COLUMNS.get(cacheKey);
    if (cached) return cached;
    // pg_attribute rather than information_schema: the same answer in a fraction of a millisecond.
    // Generated columns (a search document) are computed by PostgreSQL and never written.
    const { rows } = await this.client.query<{ attname: string }>(
      `select attname from pg_attribute
        where attrelid = $1::regclass and attnum > 0 and not attisdropped and attgenerated = ''
        order by attnum`,
      [physical],
    );
    const names = rows.map((r) => r.attname);
    COLUMNS.set(cacheKey, names);
    return names;
  }

  private spec(table: string) {
    const spec = this.projection.tables[table];
    if (!spec) throw new Error(`Projection ${this.projection.name} has no table ${table}`);
    return spec;
  }

  private physical(table: string): string {
    return physicalTable(this.projection, table, this.generation);
  }

  private buffer(table: string): Map<string, Slot> {
    this.spec(table);
    let buffer = this.buffers.get(table);
    if (!buffer) {
      buffer = new Map();
      this.buffers.set(table, buffer);
    }
    return buffer;
  }

  private keyOf(table: string, row: Row): string {
    return JSON.stringify(
      this.spec(table).primaryKey.map((column) => {
        const value = row[column];
        if (value === undefined || value === null) {
          throw new Error(
            `Projection ${this.projection.name}: ${table}.${column} is part of the key and missing`,
          );
        }
        return value;
      }),
    );
  }

  /** A key for rows read ahead: values as text, since JSON gives a bigint column back as a number. */
  private loadKey(table: string, row: Row): string {
    this.keyOf(table, row);
    return JSON.stringify(this.spec(table).primaryKey.map((column) => String(row[column])));
  }

  private keyRow(table: string, key: string): Row {
    const values: unknown[] = JSON.parse(key);
    return Object.fromEntries(this.spec(table).primaryKey.map((c, i) => [c, values[i]]));
  }
}
