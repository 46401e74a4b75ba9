import { createHash, randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { newRefreshToken, parseRefreshToken } from '../../src/auth/refresh-tokens.ts';

const sha256Hex = (text: string) => createHash('sha256').update(text).digest('hex');

describe('refresh tokens', () => {
  it('embeds the session id and stores only the SHA-256 of the whole token', () => {
    const sessionId = randomUUID();
    const { token, hash } = newRefreshToken(sessionId);
    expect(token).toMatch(new RegExp(`^${sessionId}\\.[A-Za-z0-9_-]{43}$`));
    expect(hash).toBe(sha256Hex(token));
  });

  it('parses a token back to its session id and hash', () => {
    const sessionId = randomUUID();
    const { token, hash } = newRefreshToken(sessionId);
    expect(parseRefreshToken(token)).toEqual({ sessionId, hash });
  });

  it('makes a different token each time', () => {
    const sessionId = randomUUID();
    expect(newRefreshToken(sessionId).token).not.toBe(newRefreshToken(sessionId).token);
  });

  it('returns null for anything not shaped exactly like a token', () => {
    const { token } = newRefreshToken(randomUUID());
    const [sessionId, secret] = token.split('.');
    for (const malformed of [
      '',
      'garbage',
      `${sessionId}.`,
      `${sessionId}${secret}`,
      `${sessionId}.${secret}x`,
      `${sessionId}.${secret?.slice(1)}`,
      `${sessionId}.${secret?.slice(1)}+`,
      `not-a-uuid.${secret}`,
      ` ${token}`,
      `${token}\n`,
      `${token}.x`,
    ]) {
      expect(parseRefreshToken(malformed)).toBeNull();
    }
  });

  it('refuses to issue a token for a session id that is not a UUID', () => {
    expect(() => newRefreshToken('session-1')).toThrow(RangeError);
  });
});
