import type pg from 'pg';
import { communityTrustScoreSql } from './trust-sql.ts';

/**
 * A member's trust score in a community (0–100) as the `community_trust` read model has it, with
 * tenure counted up to now (see trust-sql.ts); 0 for someone it has no row for. Read-side on
 * purpose: trust is derived from events by a projection, so a gate on it (starting threads,
 * posting links) trusts the projection's word, lag included.
 */
export async function memberTrust(
  pool: Pick<pg.Pool, 'query'>,
  communityId: string,
  userId: string,
): Promise<number> {
  const { rows } = await pool.query<{ score: string }>(
    `select ${communityTrustScoreSql('t', 'now()')} as score
       from community_trust_scores t where community_id = $1 and user_id = $2`,
    [communityId.toLowerCase(), userId.toLowerCase()],
  );
  return rows[0] ? Number(rows[0].score) : 0;
}
