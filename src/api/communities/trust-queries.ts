import type pg from 'pg';
import {
  NO_TRUST_FACTS,
  overallTrustScore,
  type TrustFacts,
  type TrustScore,
  trustScore,
} from '../../domain/communities/trust.ts';
import { validation } from '../../domain/shared/domain-error.ts';
import { communityTrustScoreSql } from '../../services/communities/trust-sql.ts';
import type { Page } from '../pagination.ts';

type Queryable = Pick<pg.Pool, 'query'>;

export interface TrustView extends TrustScore {
  at: string;
}

const factsOf = (components: unknown): TrustFacts => ({
  ...NO_TRUST_FACTS,
  ...((components as { facts?: Partial<TrustFacts> } | null)?.facts ?? {}),
});

/**
 * A member's trust in a community, computed at `at` from the facts the read model keeps (the
 * formula is the domain's); null when the read model has no row (not a member, ever).
 */
export async function communityTrustOf(
  pool: Queryable,
  communityId: string,
  userId: string,
  at: Date,
): Promise<TrustView | null> {
  const { rows } = await pool.query<{ components: unknown }>(
    'select components from community_trust_scores where community_id = $1 and user_id = $2',
    [communityId, userId],
  );
  const row = rows[0];
  return row ? { ...trustScore(factsOf(row.components), at), at: at.toISOString() } : null;
}

/** Overall trust; zeros for someone with no community and no session yet. */
export async function overallTrustOf(pool: Queryable, userId: string, at: Date): Promise<TrustView> {
  const { rows } = await pool.query<{ components: unknown }>(
    'select components from community_trust_overall where user_id = $1',
    [userId],
  );
  return { ...overallTrustScore(factsOf(rows[0]?.components ?? null), at), at: at.toISOString() };
}

export interface LeaderboardRow {
  user_id: string;
  /** The full trust score at the time of reading (tenure included), as text. */
  score: string;
  /** 1 for the first member on the board; carried by the cursor from page to page. */
  rank: number;
}

/** A cursor is the last row's user id and rank; nothing in it tells anyone's score. */
export const leaderboardCursor = (row: LeaderboardRow): string[] => [row.user_id, String(row.rank)];
export const LEADERBOARD_CURSOR_PARTS = 2;

/**
 * The SQL of one leaderboard page. Current members ordered by `base` (the weighted sum of every
 * component but tenure) highest first, ties by user id: exactly the order of the partial index
 * `(community_id, (-base), user_id) where member_since is not null`, so a page is an index range
 * scan that stops after `limit` rows, never a sort of every member. The index keeps `-base`
 * rather than `base desc` so both columns ascend and the cursor is one row comparison
 * `((-base), user_id) > (anchor)` the scan seeks to; with mixed directions the scan started at
 * the anchor's `base` and filtered through every member sharing it (most members share one of a
 * few values). After a cursor the anchor is the member's (base, user id), read by primary key,
 * so no one is counted or skipped. The score shown is computed for the page's rows only, at `$2`.
 */
export function leaderboardSql(after: boolean): string {
  const anchor =
    '(select -a.base from community_trust_scores a where a.community_id = $1 and a.user_id = $3::uuid)';
  const seek = after ? `and ((-t.base), t.user_id) > (${anchor}, $3::uuid)` : '';
  return `select t.user_id, ${communityTrustScoreSql('t', '$2::timestamptz')}::text as score
            from community_trust_scores t
           where t.community_id = $1 and t.member_since is not null ${seek}
           order by (-t.base), t.user_id
           limit ${after ? '$4' : '$3'}`;
}

/**
 * Current members by the time-independent part of their trust, highest first, ties by user id
 * (why not by the full score: docs/learning-progress-and-trust.md). Ranks continue from the
 * cursor's, so no page counts the members ahead of it. A member whose trust changes between two
 * pages may appear on both or on neither, as in any keyset listing of values that move.
 */
export async function leaderboard(
  pool: Queryable,
  communityId: string,
  page: Page,
  now: Date,
): Promise<{ rows: LeaderboardRow[]; at: string }> {
  const [afterUser, afterRank] = page.after ?? [];
  if (page.after && (!/^[0-9a-f-]{36}$/u.test(afterUser ?? '') || !/^\d{1,9}$/u.test(afterRank ?? ''))) {
    throw validation('INVALID_CURSOR', 'after is not a cursor this API handed out');
  }
  const at = now.toISOString();
  const after = afterUser !== undefined;
  const { rows } = await pool.query<{ user_id: string; score: string }>(
    leaderboardSql(after),
    after ? [communityId, at, afterUser, page.first + 1] : [communityId, at, page.first + 1],
  );
  const before = Number(afterRank ?? 0);
  return { rows: rows.map((row, i) => ({ ...row, rank: before + i + 1 })), at };
}

export interface TrustEventRow {
  event_id: string;
  event_type: string;
  stream_name: string;
  stream_revision: string;
  position: string;
  component: string;
  change: number;
  occurred_at: Date;
}

/** The events behind a member's trust, newest first, by position. */
export async function trustEvents(
  pool: Queryable,
  communityId: string,
  userId: string,
  page: Page,
): Promise<TrustEventRow[]> {
  const after = page.after?.[0] ?? null;
  if (after !== null && !/^\d+$/u.test(after)) {
    throw validation('INVALID_CURSOR', 'after is not a cursor this API handed out');
  }
  const { rows } = await pool.query<TrustEventRow>(
    `select event_id, event_type, stream_name, stream_revision::text as stream_revision,
            position::text as position, component, change, occurred_at
       from community_trust_events
      where community_id = $1 and user_id = $2 and ($3::bigint is null or position < $3::bigint)
      order by position desc limit $4`,
    [communityId, userId, after, page.first + 1],
  );
  return rows;
}
