import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { issueRecoveryToken } from '../../../src/auth/recovery-tokens.ts';
import { userStream } from '../../../src/domain/identity/streams.ts';
import { errorCodes, type IdentityApp, startIdentityApp, TEST_AUTH_SECRET } from '../support/identity-app.ts';
import { LOGIN, ME, PASSWORD, registerUser } from '../support/identity-operations.ts';

const SECRET = new TextEncoder().encode(TEST_AUTH_SECRET);
const NEW_PASSWORD = 'a fresh passphrase from the page';

/**
 * The pages the links in account e-mails open, served by the API itself: GET shows a button or a
 * form and changes nothing, POST does it; no script, a strict CSP, no caching, no referrer.
 */
describe('account recovery pages (/verify-email, /reset-password) against the real API', () => {
  let api: IdentityApp;
  beforeAll(async () => {
    api = await startIdentityApp();
  });
  afterAll(async () => {
    await api?.close();
  });

  const request = async (method: 'GET' | 'POST', url: string, form?: Record<string, string>) =>
    api.app.inject({
      method,
      url,
      ...(form
        ? {
            headers: { 'content-type': 'application/x-www-form-urlencoded' },
            payload: new URLSearchParams(form).toString(),
          }
        : {}),
    });
  const lastRequest = async (
    userId: string,
    type: 'EmailVerificationRequested' | 'PasswordResetRequested',
  ) => {
    const events = await api.runtime.store.readStream(userStream(userId));
    const data = events.filter((event) => event.type === type).at(-1)?.data as {
      requestId: string;
      expiresAt: string;
    };
    return { userId, requestId: data.requestId, expiresAt: data.expiresAt };
  };
  const verified = async (userId: string) =>
    (
      await api.runtime.pool.query<{ email_verified_at: Date | null }>(
        'select email_verified_at from users where user_id = $1',
        [userId],
      )
    ).rows[0]?.email_verified_at ?? null;
  const expectSafePage = (response: { headers: Record<string, unknown>; body: string }) => {
    expect(response.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(response.headers['cache-control']).toBe('no-store');
    expect(response.headers['referrer-policy']).toBe('no-referrer');
    expect(response.headers['content-security-policy']).toContain("default-src 'none'");
    expect(response.body).not.toMatch(/<script/i);
  };

  it('verify-email: GET shows a button and verifies nothing; POST verifies once, then says the link is used', async () => {
    const { id } = await registerUser(api);
    const token = issueRecoveryToken(
      SECRET,
      'email_verification',
      await lastRequest(id, 'EmailVerificationRequested'),
    );
    const url = `/verify-email?token=${encodeURIComponent(token)}`;

    const shown = await request('GET', url);
    expect(shown.statusCode).toBe(200);
    expectSafePage(shown);
    expect(shown.body).toContain('<form method="post"');
    expect(await verified(id)).toBeNull();

    const done = await request('POST', url);
    expect(done.statusCode).toBe(200);
    expectSafePage(done);
    expect(done.body).toContain('is verified');
    expect(await verified(id)).toBeInstanceOf(Date);

    const again = await request('POST', url);
    expect(again.statusCode).toBe(409);
    expect(again.body).toContain('TOKEN_USED');
  });

  it('refuses bad tokens with a typed message and changes nothing', async () => {
    const { id } = await registerUser(api);
    const claims = await lastRequest(id, 'EmailVerificationRequested');
    const asReset = issueRecoveryToken(SECRET, 'password_reset', claims);
    for (const url of ['/verify-email', '/verify-email?token=', `/verify-email?token=${'x'.repeat(400)}`]) {
      const response = await request('POST', url);
      expect(response.statusCode).toBe(400);
      expect(response.body).toContain('Link not valid');
    }
    const forged = await request('POST', '/verify-email?token=AAAA<script>alert(1)</script>');
    expect(forged.statusCode).toBe(400);
    expect(forged.body).not.toContain('<script>');
    const wrongPurpose = await request('POST', `/verify-email?token=${asReset}`);
    expect(wrongPurpose.statusCode).toBe(400);
    expect(wrongPurpose.body).toContain('INVALID_TOKEN');
    const expired = issueRecoveryToken(SECRET, 'email_verification', {
      ...claims,
      expiresAt: new Date(Date.now() - 60_000).toISOString(),
    });
    expect((await request('POST', `/verify-email?token=${expired}`)).statusCode).toBe(400);
    expect(await verified(id)).toBeNull();
  });

  it('reset-password: GET shows a form; a short password re-shows it; POST resets once and ends every session', async () => {
    const { id, email } = await registerUser(api);
    const session = await api.gql(LOGIN, { input: { email, password: PASSWORD } });
    const { accessToken } = (session.data as { login: { accessToken: string } }).login;
    expect(
      (await api.gql('mutation ($email: String!) { requestPasswordReset(email: $email) }', { email })).errors,
    ).toBeUndefined();
    const token = issueRecoveryToken(
      SECRET,
      'password_reset',
      await lastRequest(id, 'PasswordResetRequested'),
    );
    const url = `/reset-password?token=${encodeURIComponent(token)}`;

    const shown = await request('GET', url);
    expect(shown.statusCode).toBe(200);
    expectSafePage(shown);
    expect(shown.body).toContain('type="password"');
    expect(shown.body).toContain('autocomplete="new-password"');

    const short = await request('POST', url, { newPassword: 'short' });
    expect(short.statusCode).toBe(400);
    expect(short.body).toContain('at least 10 characters');
    expect(short.body).toContain('type="password"');
    const empty = await request('POST', url, {});
    expect(empty.statusCode).toBe(400);
    // Nothing changed yet: the old password still signs in, the session still works.
    expect(errorCodes(await api.gql(ME, {}, accessToken))).toEqual([]);

    const done = await request('POST', url, { newPassword: NEW_PASSWORD });
    expect(done.statusCode).toBe(200);
    expect(done.body).toContain('Password changed');
    expect(errorCodes(await api.gql(ME, {}, accessToken))).toEqual(['UNAUTHENTICATED/SESSION_REVOKED']);
    expect(errorCodes(await api.gql(LOGIN, { input: { email, password: PASSWORD } }))).toEqual([
      'UNAUTHENTICATED/INVALID_CREDENTIALS',
    ]);
    expect((await api.gql(LOGIN, { input: { email, password: NEW_PASSWORD } })).errors).toBeUndefined();

    const again = await request('POST', url, { newPassword: 'yet another passphrase' });
    expect(again.statusCode).toBe(409);
    expect(again.body).toContain('TOKEN_USED');
    expect((await api.gql(LOGIN, { input: { email, password: NEW_PASSWORD } })).errors).toBeUndefined();
  });

  it('reset-password refuses a verification link and a made-up token, changing nothing', async () => {
    const { id, email } = await registerUser(api);
    const verification = issueRecoveryToken(
      SECRET,
      'email_verification',
      await lastRequest(id, 'EmailVerificationRequested'),
    );
    const wrong = await request('POST', `/reset-password?token=${verification}`, {
      newPassword: NEW_PASSWORD,
    });
    expect(wrong.statusCode).toBe(400);
    expect(wrong.body).toContain('INVALID_TOKEN');
    const made = await request('POST', `/reset-password?token=${'A'.repeat(96)}`, {
      newPassword: NEW_PASSWORD,
    });
    expect(made.statusCode).toBe(400);
    expect((await api.gql(LOGIN, { input: { email, password: PASSWORD } })).errors).toBeUndefined();
  });
});
