import type { RecordedEvent } from '../eventstore/port.ts';

/** A read-model table as a projection declares it; the runtime names and creates the physical tables. */
export interface ReadModelTable {
  /** Column definitions as in CREATE TABLE, without constraints on the primary key. */
  columns: string;
  primaryKey: readonly string[];
  /** Index definitions after `on <table>`, e.g. `(brand_id, updated_at desc)`. */
  indexes?: readonly string[];
}

export type Row = Record<string, unknown>;

/**
 * What `apply` writes through. Writes are buffered per batch and flushed as one multi-row
 * statement per table, so a rebuild makes a few round trips per thousand events, not one per event.
 */
export interface ReadModelWriter {
  /** Reads a row as this batch has left it (buffered writes first, then the table). */
  get(table: string, key: Row): Promise<Row | undefined>;
  /**
   * Reads these rows ahead in one query per table, for `get` to answer from memory (rows written
   * in this batch still answer as written): for `apply` to read many rows it can name at once.
   */
  load(keys: readonly { table: string; key: Row }[]): Promise<void>;
  /** Writes a complete row (every column; missing ones become null), replacing any row with its key. */
  upsert(table: string, row: Row): void;
  /** Merges changes into an existing row; does nothing if there is no such row. */
  update(table: string, key: Row, changes: Row): Promise<void>;
  delete(table: string, key: Row): void;
}

/**
 * A projection: name + version + the event types it handles + apply. Bump `version` whenever
 * `apply` or the tables change: the projector then rebuilds it into new tables on start.
 */
export interface Projection {
  name: string;
  version: number;
  /** Exact event type names; `'*'` handles every event. */
  eventTypes: readonly string[];
  /** Logical table name → definition. Readers query the logical name (a view over the live tables). */
  tables: Readonly<Record<string, ReadModelTable>>;
  apply(event: RecordedEvent, writer: ReadModelWriter): Promise<void> | void;
  /**
   * The rows `apply` will `get` for these events (the ones it handles, in a batch): read in one
   * query per table before the batch is applied, instead of one query per `get`. Optional; a row
   * not named here is still read when asked for.
   */
  prefetch?(events: readonly RecordedEvent[]): { table: string; key: Row }[];
}

export function handles(projection: Projection, type: string): boolean {
  return projection.eventTypes.includes('*') || projection.eventTypes.includes(type);
}
