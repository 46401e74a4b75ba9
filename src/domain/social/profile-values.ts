import { z } from 'zod';

/**
 * A username as stored: lower case, so `@Ada` and `@ada` are the same person (case-insensitive
 * without a second, folded copy). 3 to 30 letters, digits, `_` and `.`, not starting or ending
 * with a dot, never two dots in a row: what fits in a mention and a share URL unescaped.
 */
export const MIN_USERNAME_LENGTH = 3;
export const MAX_USERNAME_LENGTH = 30;
const USERNAME_SHAPE = /^(?!\.)(?!.*\.\.)[a-z0-9_.]+(?<!\.)$/;

export const username = z.string().min(MIN_USERNAME_LENGTH).max(MAX_USERNAME_LENGTH).regex(USERNAME_SHAPE);

/**
 * Names a person might take to pass for the platform or its staff, or that collide with paths of
 * the web app (`/explore`, `/settings`). Compared after normalising, with dots and underscores
 * taken out, so `ad.min` and `_support_` are refused too.
 */
export const RESERVED_USERNAMES: ReadonlySet<string> = new Set([
  'admin',
  'administrator',
  'root',
  'system',
  'support',
  'help',
  'staff',
  'moderator',
  'mod',
  'official',
  'security',
  'chronicle',
  'breiq',
  'api',
  'www',
  'me',
  'you',
  'null',
  'undefined',
  'anonymous',
  'forgotten',
  'settings',
  'explore',
  'trending',
  'feed',
  'foryou',
  'following',
  'followers',
  'login',
  'logout',
  'signup',
  'register',
  'search',
  'about',
  'terms',
  'privacy',
  'abuse',
]);

/** One spelling per username: trimmed, without a leading `@`, Unicode NFC, lower case. */
export function normaliseUsername(raw: string): string {
  return raw.normalize('NFC').trim().replace(/^@/, '').toLowerCase();
}

export function isReservedUsername(name: string): boolean {
  return RESERVED_USERNAMES.has(name.replace(/[._]/g, ''));
}
