import type { ReadModelTable, ReadModelWriter, Row } from '../projection.ts';

/** Ids per sealed bucket: 10,000 followers are 20 rows, each about 20 kB. */
export const IDS_PER_BUCKET = 500;

/**
 * A long list of ids per owner (a person's followers, a person's notifications) that `apply` can
 * read whole: the writer reads by primary key only, so the list is kept as rows it can name. The
 * head row holds the bucket being filled (so adding an id reads one row, which a batch prefetches)
 * and how many full buckets were sealed before it; sealed buckets are rows of their own, read in one
 * query however many there are. Removing an id rewrites the bucket that holds it (the caller says
 * which: it keeps that where it keeps the membership); buckets are not compacted, so a list that
 * loses many ids reads some short buckets, never more buckets than ids ever added / 500.
 */
export interface IdLists {
  heads: string;
  buckets: string;
}

export function idListTables(names: IdLists, headColumns = ''): Record<string, ReadModelTable> {
  return {
    [names.heads]: {
      columns: `owner_id uuid not null, sealed int not null, current jsonb not null${headColumns}`,
      primaryKey: ['owner_id'],
    },
    [names.buckets]: {
      columns: 'owner_id uuid not null, bucket int not null, ids jsonb not null',
      primaryKey: ['owner_id', 'bucket'],
    },
  };
}

export const headKey = (names: IdLists, ownerId: string) => ({
  table: names.heads,
  key: { owner_id: ownerId },
});

const idsOf = (value: unknown): string[] =>
  Array.isArray(value) ? value.filter((id): id is string => typeof id === 'string') : [];

/** The head as stored, or an empty one. */
export async function readHead(writer: ReadModelWriter, names: IdLists, ownerId: string): Promise<Row> {
  return (
    (await writer.get(names.heads, { owner_id: ownerId })) ?? { owner_id: ownerId, sealed: 0, current: [] }
  );
}

/**
 * Appends an id to the owner's list; answers the bucket it went into. `head` is the owner's head
 * as read (and is written back with any extra columns it carries).
 */
export function appendId(
  writer: ReadModelWriter,
  names: IdLists,
  head: Row,
  id: string,
): { head: Row; bucket: number } {
  const sealed = Number(head.sealed ?? 0);
  const current = idsOf(head.current);
  if (current.length < IDS_PER_BUCKET) {
    const next = { ...head, current: [...current, id] };
    writer.upsert(names.heads, next);
    return { head: next, bucket: sealed };
  }
  writer.upsert(names.buckets, { owner_id: head.owner_id, bucket: sealed, ids: current });
  const next = { ...head, sealed: sealed + 1, current: [id] };
  writer.upsert(names.heads, next);
  return { head: next, bucket: sealed + 1 };
}

/** Takes an id out of the bucket that holds it. */
export async function removeId(
  writer: ReadModelWriter,
  names: IdLists,
  ownerId: string,
  bucket: number,
  id: string,
): Promise<void> {
  const head = await readHead(writer, names, ownerId);
  if (bucket >= Number(head.sealed ?? 0)) {
    writer.upsert(names.heads, { ...head, current: idsOf(head.current).filter((listed) => listed !== id) });
    return;
  }
  const key = { owner_id: ownerId, bucket };
  const row = await writer.get(names.buckets, key);
  if (row) writer.upsert(names.buckets, { ...key, ids: idsOf(row.ids).filter((listed) => listed !== id) });
}

/**
 * The owner's ids by bucket, from bucket `from` on (the head's bucket last): the sealed buckets in
 * one read. For a list of 10,000 that is one query, not 10,000.
 */
export async function readBuckets(
  writer: ReadModelWriter,
  names: IdLists,
  head: Row,
  from = 0,
): Promise<{ bucket: number; ids: string[] }[]> {
  const ownerId = String(head.owner_id);
  const sealed = Number(head.sealed ?? 0);
  const keys = [];
  for (let bucket = Math.max(0, from); bucket < sealed; bucket += 1) {
    keys.push({ table: names.buckets, key: { owner_id: ownerId, bucket } });
  }
  if (keys.length > 0) await writer.load(keys);
  const buckets: { bucket: number; ids: string[] }[] = [];
  for (const { key } of keys) {
    const row = await writer.get(names.buckets, key);
    buckets.push({ bucket: key.bucket, ids: idsOf(row?.ids) });
  }
  buckets.push({ bucket: sealed, ids: idsOf(head.current) });
  return buckets;
}

/** Deletes the owner's whole list. */
export function deleteList(writer: ReadModelWriter, names: IdLists, head: Row): void {
  const ownerId = String(head.owner_id);
  for (let bucket = 0; bucket < Number(head.sealed ?? 0); bucket += 1) {
    writer.delete(names.buckets, { owner_id: ownerId, bucket });
  }
  writer.delete(names.heads, { owner_id: ownerId });
}
