import { describe, expect, it } from 'vitest';
import { base32Decode, base32Encode } from '../../src/auth/base32.ts';
import { generateTotpSecret, matchTotp, otpauthUri, totpCode, totpStep } from '../../src/auth/totp.ts';

// RFC 6238 appendix B, SHA-1 rows: the ASCII secret "12345678901234567890" and 8 digits.
const rfcSecret = base32Encode(Buffer.from('12345678901234567890'));
const rfcVectors: [number, string][] = [
  [59, '94287082'],
  [1111111109, '07081804'],
  [1111111111, '14050471'],
  [1234567890, '89005924'],
  [2000000000, '69279037'],
  [20000000000, '65353130'],
];

const now = new Date('2030-01-01T12:00:10Z');

describe('TOTP', () => {
  it.each(rfcVectors)('matches RFC 6238 at T=%i', (seconds, code) => {
    expect(totpCode(rfcSecret, totpStep(new Date(seconds * 1000)), 8)).toBe(code);
  });

  it('makes 6-digit codes by default', () => {
    expect(totpCode(rfcSecret, totpStep(new Date(59_000)))).toBe('287082');
  });

  it('generates a base32 secret of 20 random bytes', () => {
    const secret = generateTotpSecret();
    expect(secret).toMatch(/^[A-Z2-7]{32}$/);
    expect(base32Decode(secret)).toHaveLength(20);
    expect(generateTotpSecret()).not.toBe(secret);
  });

  it('accepts the current step and one either side, returning the step that matched', () => {
    const secret = generateTotpSecret();
    const step = totpStep(now);
    for (const offset of [-1, 0, 1]) {
      expect(matchTotp(secret, totpCode(secret, step + offset), now)).toBe(step + offset);
    }
  });

  it('refuses codes two steps away', () => {
    const secret = generateTotpSecret();
    const step = totpStep(now);
    for (const offset of [-2, 2]) {
      const code = totpCode(secret, step + offset);
      // Guard against a chance collision with a code inside the window making the test flaky.
      const inWindow = [-1, 0, 1].some((near) => totpCode(secret, step + near) === code);
      if (!inWindow) expect(matchTotp(secret, code, now)).toBeNull();
    }
  });

  it('widens or narrows with the window', () => {
    const secret = generateTotpSecret();
    const step = totpStep(now);
    expect(matchTotp(secret, totpCode(secret, step + 2), now, 2)).toBe(step + 2);
    const previous = totpCode(secret, step - 1);
    if (previous !== totpCode(secret, step)) expect(matchTotp(secret, previous, now, 0)).toBeNull();
  });

  it('refuses input that is not exactly six digits', () => {
    const secret = generateTotpSecret();
    const code = totpCode(secret, totpStep(now));
    for (const input of [
      '',
      'abcdef',
      `${code.slice(0, 5)}x`,
      ` ${code}`,
      `${code}0`,
      code.slice(1),
      '12345６',
    ]) {
      expect(matchTotp(secret, input, now)).toBeNull();
    }
  });

  it('writes the otpauth URI authenticator apps read', () => {
    expect(
      otpauthUri({ secret: 'JBSWY3DPEHPK3PXP', account: 'ana@example.com', issuer: 'Chronicle Dev' }),
    ).toBe(
      'otpauth://totp/Chronicle%20Dev:ana%40example.com?secret=JBSWY3DPEHPK3PXP&issuer=Chronicle%20Dev&algorithm=SHA1&digits=6&period=30',
    );
  });
});
