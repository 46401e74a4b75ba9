import type pg from 'pg';

/** Anything that runs a query: the pool, or a client inside a transaction. */
export type Queryable = Pick<pg.Pool, 'query'>;

/**
 * True when either of the two blocked the other, as the social graph read model shows it. Every
 * social read that involves two people (following, comments, feeds, live subscriptions) asks this,
 * so a block hides both sides from each other wherever it applies.
 */
export async function isBlockedBetween(pool: Queryable, a: string, b: string): Promise<boolean> {
  if (a === b) return false;
  const { rows } = await pool.query<{ blocked: boolean }>(
    `select exists (
       select 1 from social_blocks
        where (blocker_id = $1::uuid and blocked_id = $2::uuid)
           or (blocker_id = $2::uuid and blocked_id = $1::uuid)
     ) as blocked`,
    [a, b],
  );
  return rows[0]?.blocked === true;
}

/** The people `userId` blocked or was blocked by, for filtering a page of others' content in one query. */
export async function blockedAround(
  pool: Queryable,
  userId: string,
  others: readonly string[],
): Promise<Set<string>> {
  if (others.length === 0) return new Set();
  const { rows } = await pool.query<{ other: string }>(
    `select blocked_id as other from social_blocks where blocker_id = $1::uuid and blocked_id = any($2::uuid[])
     union
     select blocker_id from social_blocks where blocked_id = $1::uuid and blocker_id = any($2::uuid[])`,
    [userId, others],
  );
  return new Set(rows.map((row) => row.other));
}
