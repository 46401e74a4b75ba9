import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { totpCode, totpStep } from '../../../src/auth/totp.ts';
import { DEFAULT_RELYING_PARTY } from '../../../src/auth/webauthn.ts';
import { userStream } from '../../../src/domain/identity/streams.ts';
import { SoftwareAuthenticator } from '../../support/software-authenticator.ts';
import { errorCodes, fieldOf, type IdentityApp, startIdentityApp } from '../support/identity-app.ts';
import { LOGIN, ME, PASSWORD, registerAndSignIn, type TestUser } from '../support/identity-operations.ts';

const ORIGIN = DEFAULT_RELYING_PARTY.origins[0] as string;
const START_REGISTRATION =
  'mutation ($currentPassword: String!) { startPasskeyRegistration(currentPassword: $currentPassword) }';
const FINISH_REGISTRATION = `mutation ($response: WebAuthnJSON!, $name: String!) {
  finishPasskeyRegistration(response: $response, name: $name) {
    credentialId name transports backedUp createdAt lastUsedAt cloneSuspectedAt
  }
}`;
const MY_PASSKEYS = '{ myPasskeys { credentialId name lastUsedAt cloneSuspectedAt } }';
const START_SIGN_IN = 'mutation ($email: String) { startPasskeySignIn(email: $email) }';
const FINISH_SIGN_IN = `mutation ($response: WebAuthnJSON!) {
  finishPasskeySignIn(response: $response) { user { id } accessToken refreshToken }
}`;
const REMOVE = 'mutation ($id: String!) { removePasskey(credentialId: $id) }';

interface RequestOptions {
  challenge: string;
  rpId: string;
  allowCredentials?: { id: string }[];
}

describe('passkeys (WebAuthn) through the API, with a software authenticator', () => {
  let api: IdentityApp;
  beforeAll(async () => {
    api = await startIdentityApp();
  });
  afterAll(async () => {
    await api?.close();
  });

  async function registerPasskey(user: TestUser, authenticator: SoftwareAuthenticator, name = 'Laptop') {
    const options = fieldOf<{ challenge: string; rp: { id: string }; user: { id: string } }>(
      await api.gql(START_REGISTRATION, { currentPassword: PASSWORD }, user.accessToken),
      'startPasskeyRegistration',
    );
    const response = authenticator.create(options);
    const finished = await api.gql(FINISH_REGISTRATION, { response, name }, user.accessToken);
    return { options, response, finished };
  }

  async function userWithPasskey(options: { counts?: boolean } = {}) {
    const user = await registerAndSignIn(api);
    const authenticator = new SoftwareAuthenticator({ origin: ORIGIN, ...options });
    const { response } = await registerPasskey(user, authenticator);
    return { user, authenticator, credentialId: response.id };
  }

  const startSignIn = async (email: string | null = null) =>
    fieldOf<RequestOptions>(await api.gql(START_SIGN_IN, { email }), 'startPasskeySignIn');
  const finishSignIn = (response: unknown) => api.gql(FINISH_SIGN_IN, { response });

  it('registers a passkey: options bound to the RP, the attestation verified, listed by its owner', async () => {
    const user = await registerAndSignIn(api);
    const authenticator = new SoftwareAuthenticator({ origin: ORIGIN, backedUp: true });
    const { options, response, finished } = await registerPasskey(user, authenticator, '  Work laptop ');
    expect(options.rp.id).toBe('localhost');
    // The user handle is the user id, so a discoverable passkey names its owner.
    expect(Buffer.from(options.user.id, 'base64url').toString()).toBe(user.id);
    expect(finished.errors).toBeUndefined();
    expect(fieldOf(finished, 'finishPasskeyRegistration')).toMatchObject({
      credentialId: response.id,
      name: 'Work laptop',
      transports: ['internal'],
      backedUp: true,
      lastUsedAt: null,
      cloneSuspectedAt: null,
    });
    expect(fieldOf(await api.gql(MY_PASSKEYS, {}, user.accessToken), 'myPasskeys')).toEqual([
      { credentialId: response.id, name: 'Work laptop', lastUsedAt: null, cloneSuspectedAt: null },
    ]);
    // The same attestation again: its challenge is spent.
    const replay = await api.gql(FINISH_REGISTRATION, { response, name: 'Again' }, user.accessToken);
    expect(errorCodes(replay)).toEqual(['CONFLICT/CHALLENGE_USED']);
    // The next registration's options exclude the passkey already held.
    const next = fieldOf<{ excludeCredentials: { id: string }[] }>(
      await api.gql(START_REGISTRATION, { currentPassword: PASSWORD }, user.accessToken),
      'startPasskeyRegistration',
    );
    expect(next.excludeCredentials.map((c) => c.id)).toEqual([response.id]);
  });

  it('refuses a registration from another origin, malformed responses and anonymous callers, storing nothing', async () => {
    const user = await registerAndSignIn(api);
    const options = fieldOf(
      await api.gql(START_REGISTRATION, { currentPassword: PASSWORD }, user.accessToken),
      'startPasskeyRegistration',
    );
    const phished = new SoftwareAuthenticator({ origin: 'https://chronicle.evil.example' }).create(options);
    const refused = await api.gql(FINISH_REGISTRATION, { response: phished, name: 'x' }, user.accessToken);
    expect(errorCodes(refused)).toEqual(['VALIDATION/INVALID_PASSKEY_RESPONSE']);
    const garbage = await api.gql(
      FINISH_REGISTRATION,
      { response: { id: 'x' }, name: 'x' },
      user.accessToken,
    );
    expect(errorCodes(garbage)).toEqual(['VALIDATION/INVALID_PASSKEY_RESPONSE']);
    const noName = await api.gql(FINISH_REGISTRATION, { response: phished, name: ' ' }, user.accessToken);
    expect(errorCodes(noName)).toEqual(['VALIDATION/INVALID_INPUT']);
    expect(errorCodes(await api.gql(START_REGISTRATION, { currentPassword: PASSWORD }))).toEqual([
      'UNAUTHENTICATED/SIGN_IN_REQUIRED',
    ]);
    expect(fieldOf(await api.gql(MY_PASSKEYS, {}, user.accessToken), 'myPasskeys')).toEqual([]);
  });

  it('asks for the current password before a passkey can be added: wrong is a counted failed sign-in', async () => {
    const user = await registerAndSignIn(api);
    const wrong = await api.gql(
      START_REGISTRATION,
      { currentPassword: 'not the password at all' },
      user.accessToken,
    );
    expect(errorCodes(wrong)).toEqual(['UNAUTHENTICATED/WRONG_PASSWORD']);
    const missing = await api.gql('mutation { startPasskeyRegistration }', {}, user.accessToken);
    expect(missing.errors?.length).toBe(1);
    const recorded = await api.runtime.store.readStream(userStream(user.id));
    expect(
      recorded.filter((e) => e.type === 'LoginFailed').map((e) => (e.data as { reason: string }).reason),
    ).toEqual(['password']);
    // Ten failures in 15 minutes lock the account, whichever door the guesses came through.
    for (let attempt = 0; attempt < 9; attempt += 1) {
      await api.gql(START_REGISTRATION, { currentPassword: `guess ${attempt}` }, user.accessToken);
    }
    expect(
      errorCodes(await api.gql(START_REGISTRATION, { currentPassword: PASSWORD }, user.accessToken)),
    ).toEqual(['RATE_LIMITED/ACCOUNT_LOCKED']);
    expect(errorCodes(await api.gql(LOGIN, { input: { email: user.email, password: PASSWORD } }))).toEqual([
      'RATE_LIMITED/ACCOUNT_LOCKED',
    ]);
    expect(fieldOf(await api.gql(MY_PASSKEYS, {}, user.accessToken), 'myPasskeys')).toEqual([]);
  });

  it('signs in without a password, with or without an e-mail address, as login answers', async () => {
    const { user, authenticator, credentialId } = await userWithPasskey();
    const discoverable = await startSignIn();
    expect(discoverable.allowCredentials).toEqual([]);
    const signedIn = await finishSignIn(authenticator.get(discoverable));
    expect(signedIn.errors).toBeUndefined();
    const payload = fieldOf<{ user: { id: string }; accessToken: string }>(signedIn, 'finishPasskeySignIn');
    expect(payload.user.id).toBe(user.id);
    expect(fieldOf(await api.gql(ME, {}, payload.accessToken), 'me')).toMatchObject({ id: user.id });

    const forAccount = await startSignIn(user.email.toUpperCase());
    expect(forAccount.allowCredentials?.map((c) => c.id)).toEqual([credentialId]);
    expect(errorCodes(await finishSignIn(authenticator.get(forAccount)))).toEqual([]);

    const recorded = await api.runtime.store.readStream(userStream(user.id));
    const methods = recorded
      .filter((e) => e.type === 'LoginSucceeded')
      .map((e) => (e.data as { method: string }).method);
    expect(methods).toEqual(['password', 'passkey', 'passkey']);
    const [listed] = fieldOf<{ lastUsedAt: string | null }[]>(
      await api.gql(MY_PASSKEYS, {}, payload.accessToken),
      'myPasskeys',
    );
    expect(listed?.lastUsedAt).not.toBeNull();
  });

  it('answers an unknown address as it answers an account: one stable credential id', async () => {
    const email = `nobody-${Date.now()}@example.org`;
    const first = await startSignIn(email);
    const second = await startSignIn(email);
    expect(first.allowCredentials).toHaveLength(1);
    expect(second.allowCredentials).toEqual(first.allowCredentials);
    expect(second.challenge).not.toBe(first.challenge);
  });

  it('refuses a replayed or expired challenge', async () => {
    const { authenticator } = await userWithPasskey();
    const assertion = authenticator.get(await startSignIn());
    expect(errorCodes(await finishSignIn(assertion))).toEqual([]);
    expect(errorCodes(await finishSignIn(assertion))).toEqual(['CONFLICT/CHALLENGE_USED']);

    const options = await startSignIn();
    await api.runtime.pool.query(
      "update webauthn_challenges set expires_at = now() - interval '1 second' where challenge = $1",
      [options.challenge],
    );
    expect(errorCodes(await finishSignIn(authenticator.get(options)))).toEqual([
      'CONFLICT/CHALLENGE_EXPIRED',
    ]);
  });

  it('refuses an assertion made for another origin', async () => {
    const { authenticator } = await userWithPasskey();
    const phished = authenticator.at('https://chronicle.evil.example').get(await startSignIn());
    expect(errorCodes(await finishSignIn(phished))).toEqual(['UNAUTHENTICATED/INVALID_PASSKEY']);
  });

  it('records a cloned authenticator (a counter that does not go up) and refuses the passkey from then on', async () => {
    const { user, authenticator } = await userWithPasskey();
    const copy = authenticator.clone();
    expect(errorCodes(await finishSignIn(authenticator.get(await startSignIn())))).toEqual([]);
    // The copy signs with the counter the original just used: one of them is a clone.
    expect(errorCodes(await finishSignIn(copy.get(await startSignIn())))).toEqual([
      'UNAUTHENTICATED/PASSKEY_CLONED',
    ]);
    expect(errorCodes(await finishSignIn(authenticator.get(await startSignIn())))).toEqual([
      'UNAUTHENTICATED/PASSKEY_CLONED',
    ]);
    const [listed] = fieldOf<{ cloneSuspectedAt: string | null }[]>(
      await api.gql(MY_PASSKEYS, {}, user.accessToken),
      'myPasskeys',
    );
    expect(listed?.cloneSuspectedAt).not.toBeNull();
  });

  it('accepts a passkey that does not count (counter always 0)', async () => {
    const { authenticator } = await userWithPasskey({ counts: false });
    expect(errorCodes(await finishSignIn(authenticator.get(await startSignIn())))).toEqual([]);
    expect(errorCodes(await finishSignIn(authenticator.get(await startSignIn())))).toEqual([]);
  });

  it("refuses someone else's credential id, however it is presented", async () => {
    const ada = await userWithPasskey();
    const bob = await userWithPasskey();
    // Bob's credential id under Ada's user handle: not one of Ada's passkeys.
    const adaHandle = Buffer.from(ada.user.id).toString('base64url');
    const asAda = ada.authenticator.forge(await startSignIn(), bob.credentialId, adaHandle);
    expect(errorCodes(await finishSignIn(asAda))).toEqual(['UNAUTHENTICATED/INVALID_PASSKEY']);
    // Bob's credential id and user handle, signed with Ada's key: the signature does not verify.
    const bobHandle = Buffer.from(bob.user.id).toString('base64url');
    const asBob = ada.authenticator.forge(await startSignIn(), bob.credentialId, bobHandle);
    expect(errorCodes(await finishSignIn(asBob))).toEqual(['UNAUTHENTICATED/INVALID_PASSKEY']);
    // A challenge made for Ada's account, answered with Bob's passkey.
    const forAda = await startSignIn(ada.user.email);
    const bobsAnswer = bob.authenticator.get({ ...forAda, allowCredentials: [] });
    expect(errorCodes(await finishSignIn(bobsAnswer))).toEqual(['UNAUTHENTICATED/INVALID_PASSKEY']);
    // Nor can Ada remove Bob's passkey.
    expect(errorCodes(await api.gql(REMOVE, { id: bob.credentialId }, ada.user.accessToken))).toEqual([
      'NOT_FOUND/PASSKEY_NOT_FOUND',
    ]);
  });

  it('is a second factor where login asks for one, in place of the TOTP code', async () => {
    const { user, authenticator, credentialId } = await userWithPasskey();
    const setup = fieldOf<{ secret: string }>(
      await api.gql('mutation { enableTotp { secret } }', {}, user.accessToken),
      'enableTotp',
    );
    const confirmed = await api.gql(
      'mutation ($code: String!) { verifyTotp(code: $code) { backupCodes } }',
      { code: totpCode(setup.secret, totpStep(new Date())) },
      user.accessToken,
    );
    expect(confirmed.errors).toBeUndefined();
    const login = (extra: Record<string, unknown>, password = PASSWORD) =>
      api.gql(LOGIN, { input: { email: user.email, password, ...extra } });

    const required = await login({});
    expect(errorCodes(required)).toEqual(['UNAUTHENTICATED/TOTP_REQUIRED']);
    // The account has a passkey: the message says it is accepted too.
    expect(required.errors?.[0]?.message).toMatch(/passkey/);
    const options = await startSignIn(user.email);
    expect(options.allowCredentials?.map((c) => c.id)).toEqual([credentialId]);
    const withPasskey = await login({ passkey: authenticator.get(options) });
    expect(withPasskey.errors).toBeUndefined();
    expect(fieldOf<{ user: { id: string } }>(withPasskey, 'login').user.id).toBe(user.id);

    // A wrong password is refused before the passkey is even looked at (its challenge stays usable).
    const kept = await startSignIn(user.email);
    expect(errorCodes(await login({ passkey: authenticator.get(kept) }, 'wrong password entirely'))).toEqual([
      'UNAUTHENTICATED/INVALID_CREDENTIALS',
    ]);
    // Someone else's passkey answering this account's challenge is a failed second factor.
    const other = await userWithPasskey();
    const foreign = other.authenticator.get({ ...(await startSignIn(user.email)), allowCredentials: [] });
    expect(errorCodes(await login({ passkey: foreign }))).toEqual(['UNAUTHENTICATED/INVALID_SECOND_FACTOR']);
    expect(errorCodes(await login({ passkey: { id: 'not-an-assertion' } }))).toEqual([
      'VALIDATION/INVALID_PASSKEY_RESPONSE',
    ]);
    const recorded = await api.runtime.store.readStream(userStream(user.id));
    expect(
      recorded.filter((e) => e.type === 'LoginFailed').map((e) => (e.data as { reason: string }).reason),
    ).toEqual(['password', 'passkey']);
    expect(
      recorded.filter((e) => e.type === 'LoginSucceeded').map((e) => (e.data as { method: string }).method),
    ).toContain('password+passkey');
  });

  it('does not sign in a removed passkey or a deactivated account', async () => {
    const removed = await userWithPasskey();
    expect(
      fieldOf(await api.gql(REMOVE, { id: removed.credentialId }, removed.user.accessToken), 'removePasskey'),
    ).toBe(true);
    expect(fieldOf(await api.gql(MY_PASSKEYS, {}, removed.user.accessToken), 'myPasskeys')).toEqual([]);
    expect(errorCodes(await finishSignIn(removed.authenticator.get(await startSignIn())))).toEqual([
      'UNAUTHENTICATED/INVALID_PASSKEY',
    ]);

    const gone = await userWithPasskey();
    const deactivated = await api.gql(
      'mutation ($id: ID!) { deactivateUser(userId: $id) { status } }',
      { id: gone.user.id },
      gone.user.accessToken,
    );
    expect(deactivated.errors).toBeUndefined();
    expect(errorCodes(await finishSignIn(gone.authenticator.get(await startSignIn())))).toEqual([
      'UNAUTHENTICATED/INVALID_PASSKEY',
    ]);
  });

  it("forgets a forgotten person's passkeys: rows and names gone, no sign-in", async () => {
    const { user, authenticator } = await userWithPasskey();
    const rows = async (table: string) =>
      (await api.runtime.pool.query(`select 1 from ${table} where user_id = $1`, [user.id])).rowCount;
    expect(await rows('passkeys')).toBe(1);
    const forgotten = await api.gql('mutation { forgetUser { erasedAt } }', {}, user.accessToken);
    expect(forgotten.errors).toBeUndefined();
    await expect.poll(() => rows('passkeys')).toBe(0);
    expect(await rows('passkey_owners')).toBe(0);
    expect(errorCodes(await finishSignIn(authenticator.get(await startSignIn())))).toEqual([
      'UNAUTHENTICATED/INVALID_PASSKEY',
    ]);
  });
});
