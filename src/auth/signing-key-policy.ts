import { ACCESS_TOKEN_TTL_SECONDS } from './access-tokens.ts';

/**
 * When a signing key signs, verifies, and is forgotten. Pure: every rule takes the time it is
 * asked about, so tests and `chronicle keys list` apply the same rules as the API.
 */

/** How long an API process goes on with the keys it read before reading them again. */
export const KEY_REFRESH_MS = 60_000;

/**
 * A retired key verifies for an access token's lifetime plus this. Another API process may go on
 * signing with it until its next read of the keys (KEY_REFRESH_MS, longer while the database is
 * unreachable, see MAX_SIGNER_AGE_MS), and hosts' clocks differ a little; tokens it signs
 * meanwhile still get their whole lifetime.
 */
export const RETIREMENT_GRACE_MS = 5 * 60_000;

/**
 * A process whose keys are older than this reads them again before it signs, and refuses to sign
 * if it cannot: a token signed with a key retired longer ago than the grace covers would be
 * refused by everyone else before it expired.
 */
export const MAX_SIGNER_AGE_MS = 3 * KEY_REFRESH_MS;

/** Default of KEY_ROTATION_DAYS: MixerAI's policy is a new key every 90 days. */
export const DEFAULT_KEY_ROTATION_DAYS = 90;

const DAY_MS = 86_400_000;

export function verifiesUntil(retiredAt: Date): Date {
  return new Date(retiredAt.getTime() + ACCESS_TOKEN_TTL_SECONDS * 1000 + RETIREMENT_GRACE_MS);
}

export interface KeyLifetime {
  retiredAt: Date | null;
  verifiesUntil: Date | null;
}

/** `signing`: new tokens get it. `verifying`: retired, its tokens may still be alive. `expired`: gone. */
export type KeyStatus = 'signing' | 'verifying' | 'expired';

export function keyStatus(key: KeyLifetime, now: Date): KeyStatus {
  if (key.retiredAt === null) return 'signing';
  return key.verifiesUntil !== null && now.getTime() < key.verifiesUntil.getTime() ? 'verifying' : 'expired';
}

/** Whether tokens signed with this key are accepted (and the key published) at `now`. */
export const verifiesAt = (key: KeyLifetime, now: Date): boolean => keyStatus(key, now) !== 'expired';

/** With KEY_ROTATION_DAYS = `days` (0: never), whether the signing key made at `createdAt` is due. */
export function rotationDue(createdAt: Date, now: Date, days: number): boolean {
  return days > 0 && now.getTime() - createdAt.getTime() >= days * DAY_MS;
}

/** The creation time before which a signing key is due for rotation (see rotationDue). */
export function rotationCutoff(now: Date, days: number): Date {
  return new Date(now.getTime() - days * DAY_MS);
}
