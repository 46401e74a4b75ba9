import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { issueRecoveryToken } from '../../../src/auth/recovery-tokens.ts';
import { mailpitMessages, waitForEmail } from '../../support/mailpit.ts';
import { errorCodes, fieldOf, type GraphQLResponse, TEST_AUTH_SECRET } from '../support/identity-app.ts';
import { freshEmail, registerUser, signIn } from '../support/identity-operations.ts';
import {
  type AccountEmailHarness,
  deliveryStates,
  mailpit,
  startAccountEmailHarness,
  tokenFromEmail,
  verificationEmailTo,
} from './verification-harness.ts';

const VERIFY = `mutation ($token: String!) { verifyEmail(token: $token) { userId verifiedAt } }`;
const RESEND = `mutation { resendVerificationEmail { expiresAt } }`;
const ME = `{ me { id emailVerifiedAt } }`;
const USER = `query ($id: ID!) { user(id: $id) { id emailVerifiedAt } }`;

let harness: AccountEmailHarness;

describe.skipIf(!mailpit.smtpUrl)('e-mail verification (API, real Mailpit, real Temporal)', () => {
  beforeAll(async () => {
    harness = await startAccountEmailHarness();
  }, 60_000);
  afterAll(async () => {
    await harness?.close();
  });

  const gql = (query: string, variables?: Record<string, unknown>, token?: string) =>
    harness.api.gql(query, variables, token) as Promise<GraphQLResponse>;

  it('registration sends one verification e-mail whose link verifies the address, once', async () => {
    const { id, email } = await registerUser(harness.api, freshEmail(), 'Ada <b>Lovelace</b>');
    const { accessToken } = await signIn(harness.api, email);
    const message = await verificationEmailTo(email);
    expect(message.messageId).toMatch(/^[0-9a-f-]{36}\.email@chronicle$/);
    expect(message.text).toContain('Hello Ada <b>Lovelace</b>,');
    // HTML escaped: the name is text, not markup.
    expect(message.html).toContain('Ada &lt;b&gt;Lovelace&lt;/b&gt;');
    expect((await gql(ME, {}, accessToken)).data?.me).toEqual({ id, emailVerifiedAt: null });

    const token = tokenFromEmail(message, 'verify-email');
    // Followed on another device, not signed in: the e-mail is the proof.
    const verified = await gql(VERIFY, { token });
    expect(verified.errors).toBeUndefined();
    expect(verified.data?.verifyEmail).toEqual({ userId: id, verifiedAt: expect.any(String) });
    const me = (await gql(ME, {}, accessToken)).data?.me as { emailVerifiedAt: string | null };
    expect(me.emailVerifiedAt).toBe(fieldOf<{ verifiedAt: string }>(verified, 'verifyEmail').verifiedAt);

    expect(errorCodes(await gql(VERIFY, { token }))).toEqual(['CONFLICT/TOKEN_USED']);
    expect(await mailpitMessages(mailpit.apiUrl, { to: email })).toHaveLength(1);
    expect(await deliveryStates(harness.api, id)).toEqual([
      { kind: 'email_verification', state: 'sent', reason: null },
    ]);
    // Nobody else learns whether someone's address is verified.
    const stranger = await signIn(harness.api, (await registerUser(harness.api)).email);
    expect((await gql(USER, { id }, stranger.accessToken)).data?.user).toEqual({ id, emailVerifiedAt: null });
  });

  it('resends at most 3 e-mails an hour (the registration one included); any of the links works, once', async () => {
    const { id, email } = await registerUser(harness.api);
    const { accessToken } = await signIn(harness.api, email);
    await verificationEmailTo(email);
    for (let i = 0; i < 2; i++) {
      const resent = await gql(RESEND, {}, accessToken);
      expect(resent.errors).toBeUndefined();
      expect(
        Date.parse(fieldOf<{ expiresAt: string }>(resent, 'resendVerificationEmail').expiresAt),
      ).toBeGreaterThan(Date.now() + 23 * 3_600_000);
    }
    const refused = await gql(RESEND, {}, accessToken);
    expect(errorCodes(refused)).toEqual(['RATE_LIMITED/VERIFICATION_EMAIL_LIMIT']);
    expect(refused.errors?.[0]?.extensions?.retryAfterSeconds).toBeGreaterThan(3_500);

    await waitForEmail(mailpit.apiUrl, email, () => true, 10_000);
    const deadline = Date.now() + 10_000;
    let messages = await mailpitMessages(mailpit.apiUrl, { to: email });
    while (messages.length < 3 && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 100));
      messages = await mailpitMessages(mailpit.apiUrl, { to: email });
    }
    expect(messages).toHaveLength(3);
    const tokens = messages.map((message) => tokenFromEmail(message, 'verify-email'));
    expect(new Set(tokens).size).toBe(3);
    // The second link verifies; the first and the second are spent from then on.
    expect((await gql(VERIFY, { token: tokens[1] })).errors).toBeUndefined();
    expect(errorCodes(await gql(VERIFY, { token: tokens[0] }))).toEqual(['CONFLICT/TOKEN_USED']);
    expect(errorCodes(await gql(VERIFY, { token: tokens[1] }))).toEqual(['CONFLICT/TOKEN_USED']);
    expect(errorCodes(await gql(RESEND, {}, accessToken))).toEqual(['CONFLICT/EMAIL_ALREADY_VERIFIED']);
    expect((await deliveryStates(harness.api, id)).map((row) => row.state)).toEqual(['sent', 'sent', 'sent']);
  });

  it('refuses a link for another account, an altered one and a reset token: INVALID_TOKEN, nothing changed', async () => {
    const ada = await registerUser(harness.api);
    const grace = await registerUser(harness.api);
    const graceSession = await signIn(harness.api, grace.email);
    const adaSession = await signIn(harness.api, ada.email);
    const token = tokenFromEmail(await verificationEmailTo(ada.email), 'verify-email');

    // Grace, signed in, follows Ada's link.
    expect(errorCodes(await gql(VERIFY, { token }, graceSession.accessToken))).toEqual([
      'VALIDATION/INVALID_TOKEN',
    ]);
    // A character changed (the account, the request, the expiry or the signature).
    for (const index of [2, 30, 50, 90]) {
      const altered = `${token.slice(0, index)}${token[index] === 'A' ? 'B' : 'A'}${token.slice(index + 1)}`;
      expect(errorCodes(await gql(VERIFY, { token: altered }))).toEqual(['VALIDATION/INVALID_TOKEN']);
    }
    // A token signed for the other purpose, for a request of the right account.
    const events = await harness.api.runtime.store.readStream(`user-${ada.id}`);
    const request = events.find((event) => event.type === 'EmailVerificationRequested');
    const { requestId, expiresAt } = JSON.parse(JSON.stringify(request?.data)) as {
      requestId: string;
      expiresAt: string;
    };
    const wrongPurpose = issueRecoveryToken(new TextEncoder().encode(TEST_AUTH_SECRET), 'password_reset', {
      userId: ada.id,
      requestId,
      expiresAt,
    });
    expect(errorCodes(await gql(VERIFY, { token: wrongPurpose }))).toEqual(['VALIDATION/INVALID_TOKEN']);
    expect(errorCodes(await gql(VERIFY, { token: 'not a token' }))).toEqual(['VALIDATION/INVALID_TOKEN']);
    expect(errorCodes(await gql(VERIFY, { token: 'x'.repeat(201) }))).toEqual(['VALIDATION/INVALID_INPUT']);

    expect((await gql(ME, {}, adaSession.accessToken)).data?.me).toEqual({
      id: ada.id,
      emailVerifiedAt: null,
    });
    expect(
      (await harness.api.runtime.store.readStream(`user-${ada.id}`)).map((event) => event.type),
    ).not.toContain('UserEmailVerified');
    // Ada herself, signed in, may follow it.
    expect((await gql(VERIFY, { token }, adaSession.accessToken)).errors).toBeUndefined();
  });

  it('resending needs a signed-in user', async () => {
    expect(errorCodes(await gql(RESEND))).toEqual(['UNAUTHENTICATED/SIGN_IN_REQUIRED']);
  });
});
