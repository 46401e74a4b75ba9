import { createHmac, hkdfSync } from 'node:crypto';
import { normalizeIP } from '@fastify/rate-limit';
import type pg from 'pg';
import { normalizeEmail } from '../../domain/identity/streams.ts';
import { rateLimited } from '../../domain/shared/domain-error.ts';

/** Reset requests per e-mail address per window: enough for a typo and a retry or two. */
export const RESET_REQUESTS_PER_ADDRESS = 5;
/** Reset requests per client address per window: an office behind one address, not a sweep. */
export const RESET_REQUESTS_PER_CLIENT = 30;
export const RESET_THROTTLE_WINDOW_MS = 60 * 60_000;

export interface ResetThrottle {
  pool: pg.Pool;
  authSecret: Uint8Array;
}

/**
 * Counts one reset request against its e-mail address and its client's address (fixed windows in
 * PostgreSQL, shared by every replica; see the migration) and refuses it past either limit with
 * RATE_LIMITED and when to retry. Known and unknown addresses are counted alike, so the refusal
 * says nothing about whether an account exists. Both counters move before either is judged: a
 * client over its limit cannot probe addresses for free.
 */
export async function countResetRequest(
  throttle: ResetThrottle,
  request: { email: string; clientAddress: string },
  now: Date,
): Promise<void> {
  const { pool, authSecret } = throttle;
  const keys: [string, number][] = [
    [`reset-email:${addressKey(authSecret, request.email)}`, RESET_REQUESTS_PER_ADDRESS],
    [`reset-ip:${normalizeIP(request.clientAddress)}`, RESET_REQUESTS_PER_CLIENT],
  ];
  const { rows } = await pool.query<{ key: string; hits: number; window_started_at: Date }>(
    `insert into account_recovery_throttle as t (key, window_started_at, hits)
       select key, $2::timestamptz, 1 from unnest($1::text[]) as key
     on conflict (key) do update set
       hits = case when t.window_started_at <= $2::timestamptz - $3 * interval '1 millisecond'
                   then 1 else t.hits + 1 end,
       window_started_at = case when t.window_started_at <= $2::timestamptz - $3 * interval '1 millisecond'
                                then $2::timestamptz else t.window_started_at end
     returning key, hits, window_started_at`,
    [keys.map(([key]) => key), now, RESET_THROTTLE_WINDOW_MS],
  );
  await forgetOldWindows(pool, now);
  let retryAfterMs = 0;
  for (const [key, limit] of keys) {
    const row = rows.find((each) => each.key === key);
    if (!row || row.hits <= limit) continue;
    retryAfterMs = Math.max(
      retryAfterMs,
      row.window_started_at.getTime() + RESET_THROTTLE_WINDOW_MS - now.getTime(),
    );
  }
  if (retryAfterMs > 0) {
    throw rateLimited('TOO_MANY_RESET_REQUESTS', 'Too many password reset requests; try again later', {
      retryAfterSeconds: Math.max(1, Math.ceil(retryAfterMs / 1_000)),
    });
  }
}

/** Ended windows are dropped as requests come (a few rows at a time), so the table stays small. */
async function forgetOldWindows(pool: pg.Pool, now: Date): Promise<void> {
  await pool.query(
    `delete from account_recovery_throttle where key in (
       select key from account_recovery_throttle
        where window_started_at < $1::timestamptz - $2 * interval '1 millisecond' limit 100)`,
    [now, RESET_THROTTLE_WINDOW_MS],
  );
}

function addressKey(authSecret: Uint8Array, email: string): string {
  const key = Buffer.from(
    hkdfSync('sha256', authSecret, Buffer.alloc(0), 'chronicle/reset-throttle-address', 32),
  );
  return createHmac('sha256', key).update(normalizeEmail(email)).digest('hex');
}
