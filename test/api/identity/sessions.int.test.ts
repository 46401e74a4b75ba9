import { createPublicKey, generateKeyPairSync } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { issueAccessToken } from '../../../src/auth/access-tokens.ts';
import { keyIdOf, publicJwkOf } from '../../../src/auth/signing-key-material.ts';
import { errorCodes, fieldOf, type IdentityApp, startIdentityApp } from '../support/identity-app.ts';
import {
  LOGIN,
  ME,
  PASSWORD,
  REFRESH,
  registerAndSignIn,
  registerUser,
  signIn,
} from '../support/identity-operations.ts';
import { signingKeysOf } from '../support/signing-keys.ts';

describe('sessions', () => {
  let api: IdentityApp;
  beforeAll(async () => {
    api = await startIdentityApp();
  });
  afterAll(async () => {
    await api?.close();
  });

  it('signs in with e-mail and password and answers `me` with the access token', async () => {
    const user = await registerAndSignIn(api, 'Ada Lovelace');
    const me = await api.gql(ME, {}, user.accessToken);
    expect(me.errors).toBeUndefined();
    expect(me.data?.me).toMatchObject({
      id: user.id,
      email: user.email,
      displayName: 'Ada Lovelace',
      role: 'user',
    });
  });

  it('issues a 15-minute access token and a 7-day refresh token', async () => {
    const { email } = await registerUser(api);
    const before = Date.now();
    const response = await api.gql(LOGIN, { input: { email, password: PASSWORD } });
    const login = response.data?.login as { accessTokenExpiresAt: string; refreshTokenExpiresAt: string };
    expect(Date.parse(login.accessTokenExpiresAt) - before).toBeGreaterThan(14 * 60_000);
    expect(Date.parse(login.accessTokenExpiresAt) - before).toBeLessThanOrEqual(15 * 60_000 + 1000);
    expect(Date.parse(login.refreshTokenExpiresAt) - before).toBeGreaterThan(7 * 24 * 3_600_000 - 60_000);
  });

  it('refuses a wrong password and an unknown address alike', async () => {
    const { email } = await registerUser(api);
    const wrong = await api.gql(LOGIN, { input: { email, password: 'not the password at all' } });
    const unknown = await api.gql(LOGIN, { input: { email: `nobody-${email}`, password: PASSWORD } });
    expect(errorCodes(wrong)).toEqual(['UNAUTHENTICATED/INVALID_CREDENTIALS']);
    expect(errorCodes(unknown)).toEqual(['UNAUTHENTICATED/INVALID_CREDENTIALS']);
  });

  it('rotates the refresh token: the new one works, and the old one presented again revokes the session', async () => {
    const user = await registerAndSignIn(api);
    const first = await api.gql(REFRESH, { token: user.refreshToken });
    expect(first.errors).toBeUndefined();
    const rotated = first.data?.refreshSession as { accessToken: string; refreshToken: string };
    expect(rotated.refreshToken).not.toBe(user.refreshToken);

    const second = await api.gql(REFRESH, { token: rotated.refreshToken });
    expect(second.errors).toBeUndefined();
    const current = second.data?.refreshSession as { accessToken: string; refreshToken: string };

    // A thief replays the first token: the whole session ends, for the thief and the owner alike.
    const reuse = await api.gql(REFRESH, { token: user.refreshToken });
    expect(errorCodes(reuse)).toEqual(['UNAUTHENTICATED/REFRESH_TOKEN_REUSED']);
    expect(errorCodes(await api.gql(REFRESH, { token: current.refreshToken }))).toEqual([
      'UNAUTHENTICATED/SESSION_REVOKED',
    ]);
    expect(errorCodes(await api.gql(ME, {}, current.accessToken))).toEqual([
      'UNAUTHENTICATED/SESSION_REVOKED',
    ]);
  });

  it('rejects a tampered refresh token and changes nothing', async () => {
    const user = await registerAndSignIn(api);
    const head = await headPosition(api);
    const last = user.refreshToken.at(-1) === 'A' ? 'B' : 'A';
    const tampered = `${user.refreshToken.slice(0, -1)}${last}`;
    expect(errorCodes(await api.gql(REFRESH, { token: tampered }))).toEqual([
      'UNAUTHENTICATED/INVALID_REFRESH_TOKEN',
    ]);
    expect(errorCodes(await api.gql(REFRESH, { token: 'garbage' }))).toEqual([
      'UNAUTHENTICATED/INVALID_REFRESH_TOKEN',
    ]);
    expect(await headPosition(api)).toBe(head);
    // The real token still works: the forgery did not count as reuse.
    expect((await api.gql(REFRESH, { token: user.refreshToken })).errors).toBeUndefined();
  });

  it('ends the session on logout: its access token stops working at once', async () => {
    const user = await registerAndSignIn(api);
    expect((await api.gql(ME, {}, user.accessToken)).errors).toBeUndefined();
    const logout = await api.gql('mutation { logout }', {}, user.accessToken);
    expect(logout.data).toEqual({ logout: true });
    expect(errorCodes(await api.gql(ME, {}, user.accessToken))).toEqual(['UNAUTHENTICATED/SESSION_REVOKED']);
    expect(errorCodes(await api.gql(REFRESH, { token: user.refreshToken }))).toEqual([
      'UNAUTHENTICATED/SESSION_REVOKED',
    ]);
  });

  it('revokes every session of a user within one second, including on another device', async () => {
    const user = await registerAndSignIn(api);
    const laptop = await signIn(api, user.email);
    const revoke = await api.gql('mutation { revokeAllSessions }', {}, user.accessToken);
    const revokedAt = Date.now();
    expect(revoke.data).toEqual({ revokeAllSessions: true });
    let answer = await api.gql(ME, {}, laptop.accessToken);
    while (!answer.errors && Date.now() - revokedAt < 1000)
      answer = await api.gql(ME, {}, laptop.accessToken);
    expect(Date.now() - revokedAt).toBeLessThan(1000);
    expect(errorCodes(answer)).toEqual(['UNAUTHENTICATED/SESSION_REVOKED']);
    expect(errorCodes(await api.gql(ME, {}, user.accessToken))).toEqual(['UNAUTHENTICATED/SESSION_REVOKED']);
    // Signing in again starts a fresh session that works.
    const again = await signIn(api, user.email);
    expect((await api.gql(ME, {}, again.accessToken)).errors).toBeUndefined();
  });

  it('lists the caller`s sessions and marks the current one', async () => {
    const user = await registerAndSignIn(api);
    await signIn(api, user.email);
    const response = await api.gql(
      '{ sessions { totalCount nodes { id current revokedAt } } }',
      {},
      user.accessToken,
    );
    const { nodes: sessions, totalCount } = fieldOf<{ nodes: { current: boolean }[]; totalCount: number }>(
      response,
      'sessions',
    );
    expect(totalCount).toBe(2);
    expect(sessions).toHaveLength(2);
    expect(sessions.filter((s) => s.current)).toHaveLength(1);
  });

  it('rejects forged, expired and malformed access tokens with UNAUTHENTICATED', async () => {
    const user = await registerAndSignIn(api);
    const me = (await api.gql(ME, {}, user.accessToken)).data?.me as { id: string };
    const sessionId = '00000000-0000-4000-8000-000000000000';
    const claims = { userId: me.id, sessionId, role: 'admin' as const };
    // Signed by a key of the right kind that the API never made (its own kid): unknown.
    const stranger = generateKeyPairSync('ed25519').privateKey;
    const forged = await issueAccessToken(claims, {
      keys: {
        signingKey: async () => ({
          kid: keyIdOf(publicJwkOf(createPublicKey(stranger))),
          privateKey: stranger,
        }),
      },
      now: new Date(),
    });
    const expired = await issueAccessToken(claims, {
      keys: signingKeysOf(api),
      now: new Date(Date.now() - 3_600_000),
    });
    expect(errorCodes(await api.gql(ME, {}, forged.token))).toEqual(['UNAUTHENTICATED/TOKEN_INVALID']);
    expect(errorCodes(await api.gql(ME, {}, expired.token))).toEqual(['UNAUTHENTICATED/TOKEN_EXPIRED']);
    expect(errorCodes(await api.gql(ME, {}, 'not.a.jwt'))).toEqual(['UNAUTHENTICATED/TOKEN_INVALID']);
    // A validly signed token for a session that does not exist is refused too.
    const noSession = await issueAccessToken(claims, { keys: signingKeysOf(api), now: new Date() });
    expect(errorCodes(await api.gql(ME, {}, noSession.token))).toEqual(['UNAUTHENTICATED/SESSION_REVOKED']);
  });

  it('locks the account after 10 failed sign-ins within 15 minutes', async () => {
    const { email } = await registerUser(api);
    for (let attempt = 1; attempt <= 9; attempt++) {
      const failed = await api.gql(LOGIN, { input: { email, password: `wrong password ${attempt}` } });
      expect(errorCodes(failed)).toEqual(['UNAUTHENTICATED/INVALID_CREDENTIALS']);
    }
    const tenth = await api.gql(LOGIN, { input: { email, password: 'wrong password 10' } });
    expect(errorCodes(tenth)).toEqual(['RATE_LIMITED/ACCOUNT_LOCKED']);
    // Even the right password is refused while the lock lasts.
    const right = await api.gql(LOGIN, { input: { email, password: PASSWORD } });
    expect(errorCodes(right)).toEqual(['RATE_LIMITED/ACCOUNT_LOCKED']);
    expect(right.errors?.[0]?.extensions?.lockedUntil).toEqual(expect.any(String));
  });
});

async function headPosition(api: IdentityApp): Promise<bigint> {
  const [last] = await api.runtime.store.readAll({ direction: 'backwards', maxCount: 1 });
  return last?.position ?? -1n;
}
