import { createHash, randomBytes } from 'node:crypto';

/**
 * Integrator API keys: `chr_<keyId hex>_<43 base64url chars>`. The `chr_` prefix makes a leaked
 * key recognisable to secret scanners; the key id finds the stored record in one lookup; only the
 * SHA-256 of the token is stored. The first 16 characters are shown to users to tell keys apart.
 */
const KEY_ID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const API_KEY_TOKEN =
  /^chr_([0-9a-f]{8})([0-9a-f]{4})([0-9a-f]{4})([0-9a-f]{4})([0-9a-f]{12})_[A-Za-z0-9_-]{43}$/;
export const API_KEY_PREFIX_LENGTH = 16;

const sha256Hex = (text: string) => createHash('sha256').update(text).digest('hex');

export function newApiKeyToken(keyId: string): { token: string; hash: string; prefix: string } {
  const id = keyId.toLowerCase();
  if (!KEY_ID.test(id)) throw new RangeError('keyId must be a UUID');
  const token = `chr_${id.replaceAll('-', '')}_${randomBytes(32).toString('base64url')}`;
  return { token, hash: sha256Hex(token), prefix: token.slice(0, API_KEY_PREFIX_LENGTH) };
}

/** Null for anything not shaped exactly like a key this module issues; keyId comes back with dashes. */
export function parseApiKeyToken(token: string): { keyId: string; hash: string } | null {
  const groups = API_KEY_TOKEN.exec(token)?.slice(1, 6);
  if (groups === undefined) return null;
  return { keyId: groups.join('-'), hash: sha256Hex(token) };
}
