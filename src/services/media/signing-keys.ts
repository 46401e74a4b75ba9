import { createHmac, timingSafeEqual } from 'node:crypto';

/**
 * Keys for the media capabilities (upload tokens, delivery URLs), each derived from the server's
 * secret and its purpose, as webhook signing keys are: nothing secret is stored, every API process
 * sharing AUTH_SECRET accepts the others' URLs, and one key never signs for another purpose.
 */
export function derivedKey(authSecret: Uint8Array, purpose: string): Buffer {
  return createHmac('sha256', authSecret).update(`media:${purpose}`).digest();
}

export function mac(key: Buffer, message: string): string {
  return createHmac('sha256', key).update(message).digest('base64url');
}

/** Compares a MAC someone presented with the expected one in constant time. */
export function sameMac(given: string, expected: string): boolean {
  const a = Buffer.from(given);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}
