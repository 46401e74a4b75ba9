import { createHash, randomBytes } from 'node:crypto';

/**
 * One-time backup codes for when the authenticator is lost, e.g. `k7m2-9xqp`. Crockford's base32
 * alphabet (no i, l, o, u): 32 symbols, so 8 characters carry 40 bits and a random byte maps to a
 * symbol without bias; when reading, the look-alikes i/l and o are taken as 1 and 0.
 * Only hashes are stored; the codes are shown once.
 */
const ALPHABET = '0123456789abcdefghjkmnpqrstvwxyz';
const CODE_LENGTH = 8;

function randomCode(): string {
  const symbols = Array.from(randomBytes(CODE_LENGTH), (byte) => ALPHABET[byte & 31]).join('');
  return `${symbols.slice(0, 4)}-${symbols.slice(4)}`;
}

/** Case, spaces, dashes and the look-alike letters do not matter to a user typing a code. */
export function hashBackupCode(input: string): string {
  const normalized = input.toLowerCase().replace(/[\s-]/g, '').replace(/[il]/g, '1').replace(/o/g, '0');
  return createHash('sha256').update(normalized).digest('hex');
}

export function generateBackupCodes(count = 10): { codes: string[]; hashes: string[] } {
  const codes = new Set<string>();
  while (codes.size < count) codes.add(randomCode());
  return { codes: [...codes], hashes: [...codes].map(hashBackupCode) };
}
