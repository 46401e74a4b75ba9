import { SYNC_LIMITS } from '../../../domain/sync/change-types.ts';
import { SYNC_CHANGES } from '../../../projections/read-models/sync-feed.ts';
import { feedHead } from './cursor.ts';
import { type FeedDeps, type FeedRow, recordsOf, type SyncRecord } from './pull.ts';
import {
  decodeSnapshotToken,
  encodeSnapshotToken,
  SNAPSHOT_STAGES,
  type SnapshotPosition,
} from './snapshot-token.ts';

export interface SnapshotInput {
  userId: string;
  scopes: readonly string[];
  /** null starts a snapshot; otherwise the `nextToken` of the previous page. */
  token: string | null;
  pageSize?: number;
}

export interface SnapshotPage {
  records: SyncRecord[];
  /** null once every entity was sent. */
  nextToken: string | null;
  /** Where the feed continues once the snapshot is done: the position it was started at. */
  cursor: bigint;
}

/**
 * One page of everything a re-seeding device should hold: every entity with a record in its
 * scopes at or before the snapshot's start, stage by stage (entity type) in id order, each as it
 * stands now and only if the person may see it (what is gone or hidden is left out: the device
 * starts empty). The start is the feed's head when the snapshot begins; a page loaded later may
 * show data newer than its version, which the pull from the start position sends again, so the
 * device converges. Every page reads at most `pageSize` feed rows per scope.
 */
export async function snapshotPage(deps: FeedDeps, input: SnapshotInput): Promise<SnapshotPage> {
  const pageSize = Math.max(1, Math.min(input.pageSize ?? SYNC_LIMITS.pageSize, SYNC_LIMITS.pageSize));
  const head = await feedHead(deps.pool);
  let at: SnapshotPosition | null =
    input.token === null ? { start: head, stage: 0, after: null } : decodeSnapshotToken(input.token, head);
  const start = at.start;
  const rows: FeedRow[] = [];
  while (at !== null && rows.length < pageSize) {
    const limit = pageSize - rows.length;
    const stage: SnapshotPosition = at;
    const found = await readStage(deps.pool, input.scopes, stage, limit);
    rows.push(...found);
    const last = found.at(-1);
    if (found.length === limit && last) at = { ...stage, after: last.entity_id };
    else
      at = stage.stage + 1 < SNAPSHOT_STAGES.length ? { start, stage: stage.stage + 1, after: null } : null;
  }
  return {
    records: await recordsOf(deps.pool, input.userId, rows, 'skip'),
    nextToken: at === null ? null : encodeSnapshotToken(at),
    cursor: start,
  };
}

/** The stage's next entities after `after`, each at its latest row up to the start, in id order. */
async function readStage(
  pool: FeedDeps['pool'],
  scopes: readonly string[],
  at: SnapshotPosition,
  limit: number,
): Promise<FeedRow[]> {
  const { rows } = await pool.query<FeedRow>(
    `select r.position::text as position, r.entity_type, r.entity_id, r.version, r.deleted
       from unnest($1::text[]) as s(scope)
       cross join lateral (
         select distinct on (entity_id) position, entity_type, entity_id, version, deleted from ${SYNC_CHANGES}
          where scope = s.scope and entity_type = $2 and entity_id > $3 and position <= $4
          order by entity_id, position desc limit $5) r
      order by r.entity_id, r.position desc limit $5`,
    [[...new Set(scopes)], SNAPSHOT_STAGES[at.stage], at.after ?? '', at.start.toString(), limit],
  );
  return rows;
}
