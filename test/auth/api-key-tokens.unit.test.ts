import { createHash, randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { newApiKeyToken, parseApiKeyToken } from '../../src/auth/api-key-tokens.ts';

const sha256Hex = (text: string) => createHash('sha256').update(text).digest('hex');

describe('API key tokens', () => {
  it('makes chr_<key id hex>_<secret>, its SHA-256 and a 16-character display prefix', () => {
    const keyId = randomUUID();
    const { token, hash, prefix } = newApiKeyToken(keyId);
    expect(token).toMatch(new RegExp(`^chr_${keyId.replaceAll('-', '')}_[A-Za-z0-9_-]{43}$`));
    expect(hash).toBe(sha256Hex(token));
    expect(prefix).toBe(`chr_${keyId.replaceAll('-', '').slice(0, 12)}`);
  });

  it('parses a token back to its key id (with dashes) and hash', () => {
    const keyId = randomUUID();
    const { token, hash } = newApiKeyToken(keyId);
    expect(parseApiKeyToken(token)).toEqual({ keyId, hash });
  });

  it('writes an upper-case key id in lower case, so the token still parses', () => {
    const keyId = randomUUID();
    const { token } = newApiKeyToken(keyId.toUpperCase());
    expect(parseApiKeyToken(token)?.keyId).toBe(keyId);
  });

  it('returns null for anything not shaped exactly like a key', () => {
    const keyId = randomUUID();
    const { token } = newApiKeyToken(keyId);
    const secret = token.slice(-43);
    const hex = keyId.replaceAll('-', '');
    for (const malformed of [
      '',
      'chr_',
      `chr_${keyId}_${secret}`,
      `chr_${hex.toUpperCase()}_${secret}`,
      `sk_${hex}_${secret}`,
      `chr_${hex}_${secret.slice(1)}`,
      `chr_${hex}_${secret}x`,
      `chr_${hex}${secret}`,
      `${token} `,
    ]) {
      expect(parseApiKeyToken(malformed)).toBeNull();
    }
  });

  it('refuses to issue a key for an id that is not a UUID', () => {
    expect(() => newApiKeyToken('key-1')).toThrow(RangeError);
  });
});
