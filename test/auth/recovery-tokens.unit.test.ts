import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { issueRecoveryToken, readRecoveryToken } from '../../src/auth/recovery-tokens.ts';

const secret = new TextEncoder().encode('a-test-secret-of-more-than-32-characters');
const claims = () => ({
  userId: randomUUID(),
  requestId: randomUUID(),
  expiresAt: '2026-12-07T14:00:00.123Z',
});

describe('recovery tokens', () => {
  it('reads back the claims it was made from, for its purpose only', () => {
    const made = claims();
    const token = issueRecoveryToken(secret, 'password_reset', made);
    expect(token).toMatch(/^[A-Za-z0-9_-]{96}$/);
    expect(readRecoveryToken(secret, 'password_reset', token)).toEqual(made);
    expect(readRecoveryToken(secret, 'email_verification', token)).toBeNull();
  });

  it('refuses a token made with another secret', () => {
    const token = issueRecoveryToken(
      new TextEncoder().encode('another-secret-of-32-characters-or-more'),
      'password_reset',
      claims(),
    );
    expect(readRecoveryToken(secret, 'password_reset', token)).toBeNull();
  });

  it('refuses a token with any byte changed (another account, request or expiry)', () => {
    const token = issueRecoveryToken(secret, 'email_verification', claims());
    const bytes = Buffer.from(token, 'base64url');
    for (const index of [0, 17, 35, 40, bytes.length - 1]) {
      const altered = Buffer.from(bytes);
      altered[index] = (altered[index] ?? 0) ^ 0x01;
      expect(readRecoveryToken(secret, 'email_verification', altered.toString('base64url'))).toBeNull();
    }
  });

  it('refuses what is not shaped like a token', () => {
    for (const junk of [
      '',
      'abc',
      '!!!',
      'a'.repeat(5_000),
      `${issueRecoveryToken(secret, 'password_reset', claims())}x`,
    ]) {
      expect(readRecoveryToken(secret, 'password_reset', junk)).toBeNull();
    }
  });
});
