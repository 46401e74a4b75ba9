import type pg from 'pg';
import { SYNC_LIMITS, type SyncEntityType } from '../../../domain/sync/change-types.ts';
import { SYNC_CHANGES } from '../../../projections/read-models/sync-feed.ts';
import { feedHead } from './cursor.ts';
import { type EntityData, LOADERS } from './loaders.ts';

export interface SyncRecord {
  /** The store position of the entity's latest record sent (a string: positions are 64-bit). */
  position: string;
  entityType: SyncEntityType;
  entityId: string;
  version: number;
  op: 'upsert' | 'delete';
  data: Record<string, unknown> | null;
}

export type ReseedReason = 'NEW_DEVICE' | 'SCOPE_CHANGED' | 'TOO_FAR_BEHIND' | 'ERASURE' | 'CURSOR_AHEAD';

export interface FeedDeps {
  pool: Pick<pg.Pool, 'query'>;
}

export interface PullInput {
  userId: string;
  scopes: readonly string[];
  /** Every record at or below it has been sent to this device; -1 for none. */
  cursor: bigint;
  pageSize?: number;
}

export type PullResult =
  | { records: SyncRecord[]; cursor: bigint; hasMore: boolean }
  | { reseed: ReseedReason };

export interface FeedRow {
  position: string;
  entity_type: SyncEntityType;
  entity_id: string;
  version: number;
  deleted: boolean;
}

/**
 * The changes after `cursor` in the person's scopes, one page:
 * at most `pageSize` records, except that a page never ends inside one position (the returned
 * cursor is a position all of whose records were sent), and never past the feed's head
 * (cursor.ts), so the next pull starts where this one stopped and misses nothing. Within a page an
 * entity changed several times is sent once, as it stands now (loaders.ts), at its latest record.
 *
 * Re-seed instead when: the cursor is past the head (a cursor from another server or a restored
 * database: its device cannot know what it holds), an erasure reached one of its scopes, or it is
 * more than SYNC_LIMITS.maxBehind records behind (counted only when a page is full: a device
 * whose changes fit one page is never too far behind).
 */
export async function pullChanges(deps: FeedDeps, input: PullInput): Promise<PullResult> {
  const pageSize = Math.max(1, Math.min(input.pageSize ?? SYNC_LIMITS.pageSize, SYNC_LIMITS.pageSize));
  const head = await feedHead(deps.pool);
  if (input.cursor > head) return { reseed: 'CURSOR_AHEAD' };
  const scopes = [...new Set(input.scopes)];
  const rows = await readPage(deps.pool, scopes, input.cursor, head, pageSize + 1);
  let page = rows;
  let cursor = head;
  let hasMore = false;
  if (rows.length > pageSize) {
    if (await tooFarBehind(deps.pool, scopes, input.cursor, head)) return { reseed: 'TOO_FAR_BEHIND' };
    hasMore = true;
    page = await wholePositions(deps.pool, scopes, rows, pageSize);
    cursor = BigInt(page.at(-1)?.position ?? input.cursor.toString());
  }
  if (page.some((row) => row.entity_type === 'scope')) return { reseed: 'ERASURE' };
  return { records: await recordsOf(deps.pool, input.userId, page, 'delete'), cursor, hasMore };
}

/** A page read per scope (each its own primary-key range, at most `limit` rows) and merged. */
async function readPage(
  pool: FeedDeps['pool'],
  scopes: readonly string[],
  after: bigint,
  head: bigint,
  limit: number,
): Promise<FeedRow[]> {
  const { rows } = await pool.query<FeedRow>(
    `select r.position::text as position, r.entity_type, r.entity_id, r.version, r.deleted
       from unnest($1::text[]) as s(scope)
       cross join lateral (
         select position, entity_type, entity_id, version, deleted from ${SYNC_CHANGES}
          where scope = s.scope and position > $2 and position <= $3
          order by position, entity_type, entity_id limit $4) r
      order by r.position, r.entity_type, r.entity_id limit $4`,
    [scopes, after.toString(), head.toString(), limit],
  );
  return rows;
}

/**
 * The first `pageSize` rows without the last position's rows if it continues past them; when the
 * page is all one position (an event with more records than a page), that whole position.
 */
async function wholePositions(
  pool: FeedDeps['pool'],
  scopes: readonly string[],
  rows: readonly FeedRow[],
  pageSize: number,
): Promise<FeedRow[]> {
  const next = rows[pageSize]?.position;
  const page = rows.slice(0, pageSize).filter((row) => row.position !== next);
  if (page.length > 0 || next === undefined) return page;
  const { rows: all } = await pool.query<FeedRow>(
    `select position::text as position, entity_type, entity_id, version, deleted from ${SYNC_CHANGES}
      where scope = any($1::text[]) and position = $2 order by entity_type, entity_id`,
    [scopes, next],
  );
  return all;
}

/** More than SYNC_LIMITS.maxBehind records between the cursor and the head: counted up to the limit. */
async function tooFarBehind(
  pool: FeedDeps['pool'],
  scopes: readonly string[],
  after: bigint,
  head: bigint,
): Promise<boolean> {
  const { rows } = await pool.query<{ behind: number }>(
    `select count(*)::int as behind from (
       select 1 from ${SYNC_CHANGES} where scope = any($1::text[]) and position > $2 and position <= $3
        limit $4) behind`,
    [scopes, after.toString(), head.toString(), SYNC_LIMITS.maxBehind + 1],
  );
  return (rows[0]?.behind ?? 0) > SYNC_LIMITS.maxBehind;
}

/**
 * The page's records, one per entity at its latest row, in position order, each with its data as
 * the person may see it now. `missing` says what an entity they may not see (or that is gone)
 * becomes: a deletion in a pull, nothing in a snapshot (a re-seeding device starts empty).
 */
export async function recordsOf(
  pool: FeedDeps['pool'],
  userId: string,
  rows: readonly FeedRow[],
  missing: 'delete' | 'skip',
): Promise<SyncRecord[]> {
  const latest = new Map<string, FeedRow>();
  for (const row of rows) {
    if (row.entity_type === 'scope') continue;
    const key = `${row.entity_type}\u0000${row.entity_id}`;
    // The same entity twice in a page: the later row wins (and moves to its place in the order).
    latest.delete(key);
    latest.set(key, row);
  }
  const unique = [...latest.values()];
  const wanted = new Map<Exclude<SyncEntityType, 'scope'>, string[]>();
  for (const row of unique) {
    if (row.deleted || row.entity_type === 'scope') continue;
    wanted.set(row.entity_type, [...(wanted.get(row.entity_type) ?? []), row.entity_id]);
  }
  const loaded = new Map<string, Map<string, EntityData>>(
    await Promise.all(
      [...wanted].map(
        async ([type, ids]) =>
          [type, await LOADERS[type](pool, userId, ids)] as [string, Map<string, EntityData>],
      ),
    ),
  );
  const records: SyncRecord[] = [];
  for (const row of unique) {
    const data = row.deleted ? undefined : loaded.get(row.entity_type)?.get(row.entity_id.toLowerCase());
    if (data === undefined && missing === 'skip') continue;
    records.push({
      position: row.position,
      entityType: row.entity_type,
      entityId: row.entity_id,
      version: row.version,
      op: data === undefined ? 'delete' : 'upsert',
      data: data ?? null,
    });
  }
  return records;
}
