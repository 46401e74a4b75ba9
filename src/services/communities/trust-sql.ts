import {
  COMMUNITY_TRUST_WEIGHTS,
  FULL_TENURE_DAYS,
  OVERALL_TRUST_WEIGHTS,
} from '../../domain/communities/trust.ts';

/**
 * The trust score at the time of reading, in SQL, from the parts `community_trust` stores: the
 * same arithmetic as `trustScore` (src/domain/communities/trust.ts), so a gate, a leaderboard and
 * `Trust.score` agree. Only tenure moves with time: score = clamp(base + tenure weight ×
 * min(1, tenure days / 90), 0, 100), rounded to 2 decimals. In double precision throughout
 * (`date_part`, not `extract`, which is numeric): a 50,000-member leaderboard computes it for every
 * member, and numeric arithmetic tripled that cost. The same expression always gives the same
 * double, so it compares exactly in cursors. `at` is an SQL expression of type timestamptz (a
 * parameter such as `$2::timestamptz`).
 */
export function communityTrustScoreSql(alias: string, at: string): string {
  const days = `(${alias}.tenure_days + coalesce(greatest(0, date_part('epoch', ${at} - ${alias}.member_since) / 86400), 0))`;
  return clamped(
    `${alias}.base + ${COMMUNITY_TRUST_WEIGHTS.tenure ?? 0} * least(1, ${days} / ${FULL_TENURE_DAYS})`,
  );
}

/** Overall: tenure counts from first joining any community (`first_joined_at`). */
export function overallTrustScoreSql(alias: string, at: string): string {
  const days = `coalesce(greatest(0, date_part('epoch', ${at} - ${alias}.first_joined_at) / 86400), 0)`;
  return clamped(
    `${alias}.base + ${OVERALL_TRUST_WEIGHTS.tenure ?? 0} * least(1, ${days} / ${FULL_TENURE_DAYS})`,
  );
}

const clamped = (total: string) => `(round(least(100, greatest(0, ${total}))::float8 * 100) / 100)`;
