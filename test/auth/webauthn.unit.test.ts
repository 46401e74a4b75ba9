import { describe, expect, it } from 'vitest';
import { challengeOf, relyingPartyFrom, userIdFromHandle } from '../../src/auth/webauthn.ts';
import { ConfigError, loadConfig } from '../../src/config.ts';

const clientData = (data: unknown) => ({
  response: { clientDataJSON: Buffer.from(JSON.stringify(data)).toString('base64url') },
});

function refusedVariables(env: Record<string, string>): string[] {
  try {
    loadConfig(env);
    return [];
  } catch (error) {
    if (error instanceof ConfigError) return error.issues.map((issue) => issue.variable);
    throw error;
  }
}

describe('the WebAuthn relying party from configuration', () => {
  it('defaults to the API on localhost, then to PUBLIC_URL, then to what is set', () => {
    expect(relyingPartyFrom(loadConfig({}))).toEqual({
      id: 'localhost',
      name: 'Chronicle',
      origins: ['http://localhost:4000'],
    });
    expect(relyingPartyFrom(loadConfig({ PUBLIC_URL: 'https://app.example.org/base/' }))).toMatchObject({
      id: 'app.example.org',
      origins: ['https://app.example.org'],
    });
    const set = loadConfig({
      PUBLIC_URL: 'https://app.example.org',
      WEBAUTHN_RP_ID: 'Example.org',
      WEBAUTHN_ORIGIN: 'https://app.example.org, https://example.org:8443',
    });
    expect(relyingPartyFrom(set)).toMatchObject({
      id: 'example.org',
      origins: ['https://app.example.org', 'https://example.org:8443'],
    });
  });

  it('refuses an RP id the origins cannot use, and origins with paths or other schemes', () => {
    expect(
      refusedVariables({ WEBAUTHN_RP_ID: 'example.org', WEBAUTHN_ORIGIN: 'https://app.example.com' }),
    ).toEqual(['WEBAUTHN_RP_ID']);
    // A suffix that is not a parent domain: notexample.org is not on example.org.
    expect(
      refusedVariables({ WEBAUTHN_RP_ID: 'example.org', WEBAUTHN_ORIGIN: 'https://notexample.org' }),
    ).toEqual(['WEBAUTHN_RP_ID']);
    expect(refusedVariables({ WEBAUTHN_ORIGIN: 'https://example.org/app' })).toEqual(['WEBAUTHN_ORIGIN']);
    expect(refusedVariables({ WEBAUTHN_ORIGIN: 'ftp://example.org' })).toEqual(['WEBAUTHN_ORIGIN']);
    expect(refusedVariables({ WEBAUTHN_RP_ID: 'https://example.org' })).toEqual(['WEBAUTHN_RP_ID']);
  });
});

describe('reading a response before verifying it', () => {
  it('takes the challenge from the client data, and nothing that is not one', () => {
    const challenge = 'q1w2e3r4t5y6u7i8o9p0asdfghjklzxc';
    expect(challengeOf(clientData({ type: 'webauthn.get', challenge, origin: 'x' }))).toBe(challenge);
    expect(challengeOf(clientData({ challenge: 'short' }))).toBeNull();
    expect(challengeOf(clientData({ challenge: 42 }))).toBeNull();
    expect(challengeOf(clientData(null))).toBeNull();
    expect(challengeOf({ response: { clientDataJSON: 'bm90IGpzb24' } })).toBeNull();
  });

  it('reads the user id back from a user handle', () => {
    const userId = '0b6f1c1e-8a1f-4a44-9d8e-3f2b7c9a1d20';
    expect(userIdFromHandle(Buffer.from(userId).toString('base64url'))).toBe(userId);
  });
});
