import { createHash, randomBytes } from 'node:crypto';

/**
 * Opaque refresh tokens: `<sessionId>.<43 base64url chars>`. The session id lets the server find
 * the session in one lookup; only the SHA-256 of the whole token is stored, so a leaked table
 * does not hand out live tokens.
 */
const UUID = '[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}';
const SESSION_ID = new RegExp(`^${UUID}$`);
const REFRESH_TOKEN = new RegExp(`^(${UUID})\\.[A-Za-z0-9_-]{43}$`);

const sha256Hex = (text: string) => createHash('sha256').update(text).digest('hex');

export function newRefreshToken(sessionId: string): { token: string; hash: string } {
  // A token that could never parse back would lock the user out silently; refuse it here instead.
  if (!SESSION_ID.test(sessionId)) throw new RangeError('sessionId must be a UUID');
  const token = `${sessionId}.${randomBytes(32).toString('base64url')}`;
  return { token, hash: sha256Hex(token) };
}

/** Null for anything not shaped exactly like a token this module issues. */
export function parseRefreshToken(token: string): { sessionId: string; hash: string } | null {
  const sessionId = REFRESH_TOKEN.exec(token)?.[1];
  if (sessionId === undefined) return null;
  return { sessionId, hash: sha256Hex(token) };
}
