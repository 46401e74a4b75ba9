import { describe, expect, it } from 'vitest';
import {
  KEY_REFRESH_MS,
  keyStatus,
  MAX_SIGNER_AGE_MS,
  RETIREMENT_GRACE_MS,
  rotationCutoff,
  rotationDue,
  verifiesAt,
  verifiesUntil,
} from '../../src/auth/signing-key-policy.ts';

const at = (iso: string) => new Date(iso);

describe('signing key policy', () => {
  it('keeps a retired key verifying for an access token lifetime plus the grace', () => {
    expect(verifiesUntil(at('2030-01-01T12:00:00Z'))).toEqual(at('2030-01-01T12:20:00Z'));
    expect(RETIREMENT_GRACE_MS).toBe(5 * 60_000);
  });

  it('covers a token signed by a process that has not yet seen the rotation', () => {
    // Such a process signs with the old key for at most MAX_SIGNER_AGE_MS after the rotation;
    // its token lives 15 minutes from then and must still verify everywhere.
    expect(MAX_SIGNER_AGE_MS).toBeLessThan(RETIREMENT_GRACE_MS);
    expect(KEY_REFRESH_MS).toBeLessThan(MAX_SIGNER_AGE_MS);
  });

  it('says signing, verifying until its end, then expired', () => {
    const retiredAt = at('2030-01-01T12:00:00Z');
    const retired = { retiredAt, verifiesUntil: verifiesUntil(retiredAt) };
    expect(keyStatus({ retiredAt: null, verifiesUntil: null }, at('2099-01-01T00:00:00Z'))).toBe('signing');
    expect(keyStatus(retired, at('2030-01-01T12:19:59.999Z'))).toBe('verifying');
    expect(keyStatus(retired, at('2030-01-01T12:20:00Z'))).toBe('expired');
    expect(verifiesAt(retired, at('2030-01-01T12:19:59Z'))).toBe(true);
    expect(verifiesAt(retired, at('2030-01-01T12:20:00Z'))).toBe(false);
  });

  it('makes a key due for rotation after KEY_ROTATION_DAYS, never with 0', () => {
    const createdAt = at('2030-01-01T00:00:00Z');
    expect(rotationDue(createdAt, at('2030-03-31T23:59:59Z'), 90)).toBe(false);
    expect(rotationDue(createdAt, at('2030-04-01T00:00:00Z'), 90)).toBe(true);
    expect(rotationDue(createdAt, at('2040-01-01T00:00:00Z'), 0)).toBe(false);
    expect(rotationCutoff(at('2030-04-01T00:00:00Z'), 90)).toEqual(createdAt);
  });
});
