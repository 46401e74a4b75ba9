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
  score: string;
}

/**
 * Current members by trust at `at`, highest first, ties by user id. The score is computed in SQL
 * at `at` (trust-sql.ts), and the cursor carries `at`, so every page of one listing ranks at the
 * same instant and no one is skipped or repeated while tenure moves on.
 */
export async function leaderboard(
  pool: Queryable,
  communityId: string,
  page: Page,
  now: Date,
): Promise<{ rows: LeaderboardRow[]; at: string }> {
  const [atCursor, score, userId] = page.after ?? [];
  const at = atCursor ?? now.toISOString();
  if (
    page.after &&
    (Number.isNaN(Date.parse(at)) ||
      !/^\d+(\.\d+)?(e-?\d+)?$/u.test(score ?? '') ||
      !/^[0-9a-f-]{36}$/u.test(userId ?? ''))
  ) {
    throw validation('INVALID_CURSOR', 'after is not a cursor this API handed out');
  }
  const { rows } = await pool.query<LeaderboardRow>(
    `select user_id, score::text as score from (
       select t.user_id, ${communityTrustScoreSql('t', '$2::timestamptz')} as score
         from community_trust_scores t
        where t.community_id = $1 and t.member_since is not null) ranked
      where $3::float8 is null or score < $3::float8 or (score = $3::float8 and user_id > $4::uuid)
      order by score desc, user_id
      limit $5`,
    [communityId, at, score ?? null, userId ?? null, page.first + 1],
  );
  return { rows, at };
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
