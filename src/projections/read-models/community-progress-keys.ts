import type { ReadModelTable, ReadModelWriter, Row } from '../projection.ts';

/** Keys per list row: a 10,000-row community is 20 list rows, each a few hundred kilobytes at most. */
export const KEYS_PER_BUCKET = 500;

/**
 * Every row a projection of this context wrote for a community, listed by community so that
 * `CommunityErased` can delete them all: the writer deletes by primary key only, and reading a
 * table by its first key column is not something `apply` can do. A row is listed once, when it is
 * first written (rows here are never deleted but by erasure). Two tables per projection: the
 * buckets of `[table, key]` entries and a count saying which bucket is being filled.
 */
export interface KeyLists {
  lists: string;
  counts: string;
}

export function keyListTables(names: KeyLists): Record<string, ReadModelTable> {
  return {
    [names.lists]: {
      columns: 'community_id uuid not null, bucket int not null, entries jsonb not null',
      primaryKey: ['community_id', 'bucket'],
    },
    [names.counts]: {
      columns: 'community_id uuid not null, entries int not null',
      primaryKey: ['community_id'],
    },
  };
}

/** Notes that `table` now has a row with `key` in `communityId` (call it when the row is new). */
export async function listKey(
  writer: ReadModelWriter,
  names: KeyLists,
  communityId: string,
  table: string,
  key: Row,
): Promise<void> {
  const count = await writer.get(names.counts, { community_id: communityId });
  const entries = Number(count?.entries ?? 0);
  const bucket = Math.floor(entries / KEYS_PER_BUCKET);
  const list = await writer.get(names.lists, { community_id: communityId, bucket });
  const listed = Array.isArray(list?.entries) ? (list.entries as unknown[]) : [];
  writer.upsert(names.lists, { community_id: communityId, bucket, entries: [...listed, [table, key]] });
  writer.upsert(names.counts, { community_id: communityId, entries: entries + 1 });
}

/**
 * Every listed row of the community, read back (as this batch has them), then deleted with the
 * lists. `beforeDelete` sees each row first (the trust projection takes a community's counts out
 * of the overall scores).
 */
export async function eraseListedRows(
  writer: ReadModelWriter,
  names: KeyLists,
  communityId: string,
  beforeDelete?: (table: string, row: Row) => Promise<void> | void,
): Promise<void> {
  const count = await writer.get(names.counts, { community_id: communityId });
  const entries = Number(count?.entries ?? 0);
  for (let bucket = 0; bucket * KEYS_PER_BUCKET < entries; bucket++) {
    const list = await writer.get(names.lists, { community_id: communityId, bucket });
    const listed = Array.isArray(list?.entries) ? (list.entries as [string, Row][]) : [];
    for (const [table, key] of listed) {
      if (beforeDelete) {
        const row = await writer.get(table, key);
        if (row) await beforeDelete(table, row);
      }
      writer.delete(table, key);
    }
    writer.delete(names.lists, { community_id: communityId, bucket });
  }
  writer.delete(names.counts, { community_id: communityId });
}
