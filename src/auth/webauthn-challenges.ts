import { randomBytes } from 'node:crypto';
import type pg from 'pg';
import { conflict } from '../domain/shared/domain-error.ts';
import { CHALLENGE_TTL_MS } from './webauthn.ts';

export type ChallengePurpose = 'registration' | 'authentication';

export interface IssuedChallenge {
  challenge: string;
  expiresAt: Date;
}

/**
 * A fresh challenge, kept server-side until it is answered or expires. Expired ones are swept as
 * new ones are made, so the table holds at most the last five minutes' worth.
 */
export async function issueChallenge(
  pool: pg.Pool,
  purpose: ChallengePurpose,
  userId: string | null,
  now: Date,
): Promise<IssuedChallenge> {
  const challenge = randomBytes(32).toString('base64url');
  const expiresAt = new Date(now.getTime() + CHALLENGE_TTL_MS);
  await pool.query('delete from webauthn_challenges where expires_at < $1', [now]);
  await pool.query(
    'insert into webauthn_challenges (challenge, purpose, user_id, expires_at) values ($1, $2, $3, $4)',
    [challenge, purpose, userId, expiresAt],
  );
  return { challenge, expiresAt };
}

/**
 * Takes the challenge out of the table: whatever happens next (a bad signature, a refused
 * account), it cannot be answered twice. A challenge made for someone else, or for the other
 * ceremony, is left alone, so nobody can burn another person's challenge by presenting it.
 *
 * @returns who the challenge was made for (null: passwordless sign-in)
 */
export async function consumeChallenge(
  pool: pg.Pool,
  challenge: string,
  expected: { purpose: ChallengePurpose; userId?: string },
  now: Date,
): Promise<{ userId: string | null }> {
  const { rows } = await pool.query<{ user_id: string | null; expires_at: Date }>(
    `delete from webauthn_challenges
      where challenge = $1 and purpose = $2 and ($3::uuid is null or user_id is null or user_id = $3)
      returning user_id, expires_at`,
    [challenge, expected.purpose, expected.userId ?? null],
  );
  const row = rows[0];
  if (!row)
    throw conflict('CHALLENGE_USED', 'This challenge is unknown or was already answered; start again');
  if (row.expires_at.getTime() <= now.getTime()) {
    throw conflict('CHALLENGE_EXPIRED', 'This challenge has expired; start again');
  }
  return { userId: row.user_id };
}
