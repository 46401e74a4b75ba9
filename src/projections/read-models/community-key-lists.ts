import type { ReadModelTable, ReadModelWriter, Row } from '../projection.ts';

/** Keys per list row: a 50,000-member community is 100 list rows, each under 100 kB. */
export const KEYS_PER_BUCKET = 500;

/**
 * Every row a communities projection wrote for a community, listed by community so that
 * `CommunityErased` can delete them all: the writer deletes by primary key only, and reading a
 * table by its first key column is not something `apply` can do. A row is listed once, when it is
 * first written. Two tables per projection: the buckets of `[table, key]` entries (the key as it
 * was written, so the delete names the same row in the batch's buffer), and a count saying which
 * bucket is being filled. The communities, discussions, learning, progress and trust projections
 * all erase through this one helper.
 */
export interface KeyLists {
  lists: string;
  counts: string;
}

type Entry = [table: string, key: Row];

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

const countKey = (communityId: string) => ({ community_id: communityId.toLowerCase() });

/** The count row `listKey` and `eraseListedRows` read first: for a projection's `prefetch`. */
export const keyCountRow = (names: KeyLists, communityId: string) => ({
  table: names.counts,
  key: countKey(communityId),
});

const entriesOf = (list: Row | undefined): Entry[] =>
  Array.isArray(list?.entries)
    ? (list.entries as unknown[]).filter(
        (entry): entry is Entry =>
          Array.isArray(entry) && typeof entry[0] === 'string' && typeof entry[1] === 'object',
      )
    : [];

/** Notes that `table` now has a row with `key` in `communityId` (call it when the row is new). */
export async function listKey(
  writer: ReadModelWriter,
  names: KeyLists,
  communityId: string,
  table: string,
  key: Row,
): Promise<void> {
  const counted = countKey(communityId);
  const count = await writer.get(names.counts, counted);
  const entries = Number(count?.entries ?? 0);
  const bucket = { ...counted, bucket: Math.floor(entries / KEYS_PER_BUCKET) };
  // A full bucket's next one starts empty: nothing to read.
  const list = entries % KEYS_PER_BUCKET === 0 ? undefined : await writer.get(names.lists, bucket);
  writer.upsert(names.lists, { ...bucket, entries: [...entriesOf(list), [table, key]] });
  writer.upsert(names.counts, { ...counted, entries: entries + 1 });
}

/**
 * For a projection that must see some rows before they go (the trust projection takes a
 * community's counts out of the overall scores): the tables whose rows it needs, and what to do
 * with one bucket's rows of such a table, as this batch has them.
 */
export interface BeforeDelete {
  tables: readonly string[];
  rows(table: string, rows: Row[]): Promise<void>;
}

/**
 * Deletes every listed row of the community, and the lists. Statements: one for the count, then
 * per bucket one for its list and, only for the tables `beforeDelete` names, one bulk read of that
 * bucket's rows (plus whatever its callback reads); the deletes are buffered, and the batch
 * flushes them as one statement per table.
 */
export async function eraseListedRows(
  writer: ReadModelWriter,
  names: KeyLists,
  communityId: string,
  beforeDelete?: BeforeDelete,
): Promise<void> {
  const counted = countKey(communityId);
  const count = await writer.get(names.counts, counted);
  const entries = Number(count?.entries ?? 0);
  for (let bucket = 0; bucket * KEYS_PER_BUCKET < entries; bucket += 1) {
    const listed = entriesOf(await writer.get(names.lists, { ...counted, bucket }));
    for (const table of beforeDelete?.tables ?? []) {
      const keys = listed.filter(([listedIn]) => listedIn === table).map(([, key]) => ({ table, key }));
      if (keys.length === 0) continue;
      await writer.load(keys);
      const rows: Row[] = [];
      for (const { key } of keys) {
        const row = await writer.get(table, key);
        if (row) rows.push(row);
      }
      await beforeDelete?.rows(table, rows);
    }
    for (const [table, key] of listed) writer.delete(table, key);
    writer.delete(names.lists, { ...counted, bucket });
  }
  writer.delete(names.counts, counted);
}
