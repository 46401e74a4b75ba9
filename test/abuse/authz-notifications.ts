import { createECDH, randomBytes, randomUUID } from 'node:crypto';
import { issueRecoveryToken, type RecoveryPurpose } from '../../src/auth/recovery-tokens.ts';
import { DEFAULT_RELYING_PARTY } from '../../src/auth/webauthn.ts';
import { handleCommand } from '../../src/commands/handle-command.ts';
import { userStream } from '../../src/domain/identity/streams.ts';
import { users } from '../../src/services/identity/aggregates.ts';
import { ACCOUNT_RECOVERY_ACTOR } from '../../src/services/identity/password-reset.ts';
import { fieldOf, TEST_AUTH_SECRET } from '../api/support/identity-app.ts';
import { freshEmail, PASSWORD, registerUser, signIn } from '../api/support/identity-operations.ts';
import { SoftwareAuthenticator } from '../support/software-authenticator.ts';
import type { AuthzFixture, RoleName } from './authz-fixture.ts';
import type { Call, Cell, MatrixRow } from './authz-matrix.ts';

/**
 * The rows of issue 22's mutations: the inbox, notification preferences, devices (Web Push),
 * account recovery and passkeys. What they protect is the caller's own: an inbox, preferences,
 * devices and passkeys belong to one person, so the target is the caller's own (a key with
 * `graphql:write` acts for its owner where the code lets it), and someone else's device or passkey
 * reads as not found. Recovery links are bearer tokens: whoever holds one may follow it, except
 * someone signed in as another account (refused as a forged link, VALIDATION INVALID_TOKEN).
 */

const HUMANS: readonly RoleName[] = [
  'user',
  'creator',
  'brandEditor',
  'approver',
  'moderator',
  'admin',
  'auditor',
];
const PEOPLE: readonly RoleName[] = [...HUMANS, 'key:graphql:write'];
const EVERYONE: readonly RoleName[] = [
  ...PEOPLE,
  'anonymous',
  'key:events:read',
  'key:graphql:read',
  'key:audit:read',
];
const ORIGIN = DEFAULT_RELYING_PARTY.origins[0] as string;
const NEW_PASSWORD = 'Matrix-reset-passw0rd!';

const vars = (variables: Record<string, unknown>): Call => ({ variables });

function propFor<T>(fx: AuthzFixture, cell: Cell, name: string, make: () => Promise<T>): Promise<T> {
  return cell.expected === 'allow' ? make() : fx.shared(name, make);
}

/** As PushSubscription.toJSON() gives it: a real P-256 point and a 16-byte secret. */
function pushSubscription() {
  const ecdh = createECDH('prime256v1');
  ecdh.generateKeys();
  return {
    endpoint: `https://fcm.googleapis.com/fcm/send/${randomUUID()}`,
    keys: { p256dh: ecdh.getPublicKey().toString('base64url'), auth: randomBytes(16).toString('base64url') },
  };
}

const REGISTER_DEVICE = `mutation ($input: RegisterDeviceInput!) { registerDevice(input: $input) { id } }`;
const START_REGISTRATION = `mutation ($p: String!) { startPasskeyRegistration(currentPassword: $p) }`;
const FINISH_REGISTRATION = `mutation ($r: WebAuthnJSON!, $n: String!) { finishPasskeyRegistration(response: $r, name: $n) { credentialId } }`;
const START_SIGN_IN = `mutation ($e: String) { startPasskeySignIn(email: $e) }`;

/** The `user` actor's device: nobody else may unregister it. */
async function userDevice(fx: AuthzFixture): Promise<string> {
  const device = await fx.gqlOk<{ id: string }>(
    REGISTER_DEVICE,
    { input: { platform: 'WEB', appVersion: '1.0.0', pushSubscription: pushSubscription() } },
    fx.people.user.token,
    'registerDevice',
  );
  return device.id;
}

/** A registration response for a new passkey of whoever `token` signs in. */
async function attestation(fx: AuthzFixture, token: string, authenticator: SoftwareAuthenticator) {
  const options = await fx.gqlOk<unknown>(
    START_REGISTRATION,
    { p: PASSWORD },
    token,
    'startPasskeyRegistration',
  );
  return authenticator.create(options);
}

async function registeredPasskey(fx: AuthzFixture, token: string, authenticator: SoftwareAuthenticator) {
  const response = await attestation(fx, token, authenticator);
  const passkey = await fx.gqlOk<{ credentialId: string }>(
    FINISH_REGISTRATION,
    { r: response, n: 'Matrix passkey' },
    token,
    'finishPasskeyRegistration',
  );
  return passkey.credentialId;
}

/**
 * Someone none of the actors is, with a passkey of their own. One per role: a passkey's counter
 * goes up with each assertion, and two assertions racing in one batch would read as a clone.
 */
async function passkeyHolder(fx: AuthzFixture) {
  const { email } = await registerUser(fx.api, freshEmail(), 'Matrix passkey holder');
  const authenticator = new SoftwareAuthenticator({ origin: ORIGIN });
  await registeredPasskey(fx, (await signIn(fx.api, email)).accessToken, authenticator);
  return { email, authenticator };
}

/**
 * A live recovery link of a new stranger's, made as the e-mail saga makes it: the request from
 * their history, the token signed with the server's secret. A reset request is recorded by the
 * system, as `requestPasswordReset` records it (not through the API: its per-client limit is the
 * matrix's too).
 */
async function recoveryToken(fx: AuthzFixture, purpose: RecoveryPurpose): Promise<string> {
  const { id } = await registerUser(fx.api, freshEmail(), 'Matrix recovery');
  const { store, codec } = fx.api.runtime;
  const type = purpose === 'email_verification' ? 'EmailVerificationRequested' : 'PasswordResetRequested';
  if (purpose === 'password_reset') {
    await handleCommand({ store, codec }, users, userStream(id), {
      commandId: randomUUID(),
      actor: ACCOUNT_RECOVERY_ACTOR,
      now: new Date(),
      command: { type: 'RequestPasswordReset', requestId: randomUUID() },
    });
  }
  const request = (await store.readStream(userStream(id))).findLast((event) => event.type === type);
  if (!request) throw new Error(`no ${type} for the matrix's recovery prop`);
  const { requestId, expiresAt } = request.data as { requestId: string; expiresAt: string };
  return issueRecoveryToken(new TextEncoder().encode(TEST_AUTH_SECRET), purpose, {
    userId: id,
    requestId,
    expiresAt,
  });
}

export const NOTIFICATION_ROWS: readonly MatrixRow[] = [
  // ---- the inbox and preferences: one's own, also through one's write key ----
  {
    // Ids that are not the caller's are ignored (0), never reported: whether they exist is not theirs.
    mutation: 'markNotificationsRead',
    rule: 'yourself, or your API key with graphql:write (your own inbox only)',
    allowed: PEOPLE,
    document: `mutation ($ids: [ID!]!) { markNotificationsRead(ids: $ids) }`,
    call: async () => vars({ ids: [randomUUID()] }),
  },
  {
    mutation: 'markAllNotificationsRead',
    rule: 'yourself, or your API key with graphql:write (your own inbox only)',
    allowed: PEOPLE,
    document: `mutation { markAllNotificationsRead }`,
    call: async () => vars({}),
  },
  {
    mutation: 'updateNotificationPreferences',
    rule: 'yourself, or your API key with graphql:write (your own preferences only)',
    allowed: PEOPLE,
    document: `mutation ($input: UpdateNotificationPreferencesInput!) { updateNotificationPreferences(input: $input) { timeZone } }`,
    call: async () =>
      vars({ input: { timeZone: 'Europe/London', quietHours: { start: '22:00', end: '07:00' } } }),
  },

  // ---- devices ----
  {
    mutation: 'registerDevice',
    rule: 'yourself, or your API key with graphql:write (a device of your own)',
    allowed: PEOPLE,
    document: REGISTER_DEVICE,
    call: async () =>
      vars({ input: { platform: 'WEB', appVersion: '1.0.0', pushSubscription: pushSubscription() } }),
  },
  {
    // Unregistering again is true as well, so the allowed cell may share the device.
    mutation: 'unregisterDevice',
    rule: "the device's owner (anyone else is told there is no such device)",
    allowed: ['user'],
    concealedAs: ['NOT_FOUND/DEVICE_NOT_FOUND'],
    document: `mutation ($d: ID!) { unregisterDevice(deviceId: $d) }`,
    call: async (fx) => vars({ d: await fx.shared('notifications-device', () => userDevice(fx)) }),
  },

  // ---- account recovery ----
  {
    mutation: 'resendVerificationEmail',
    rule: 'yourself, signed in (a key cannot), at most 3 an hour',
    allowed: HUMANS,
    document: `mutation { resendVerificationEmail { expiresAt } }`,
    call: async () => vars({}),
  },
  {
    mutation: 'verifyEmail',
    rule: 'whoever holds the link, unless signed in as another account (refused as a forged link)',
    allowed: ['anonymous'],
    concealedAs: ['VALIDATION/INVALID_TOKEN'],
    document: `mutation ($t: String!) { verifyEmail(token: $t) { userId } }`,
    call: async (fx, cell) =>
      vars({
        t: await propFor(fx, cell, 'verification-token', () => recoveryToken(fx, 'email_verification')),
      }),
  },
  {
    // The same answer whether or not the address has an account: here it has none.
    mutation: 'requestPasswordReset',
    rule: 'public (the same answer for every address)',
    allowed: EVERYONE,
    document: `mutation ($e: String!) { requestPasswordReset(email: $e) }`,
    call: async () => vars({ e: freshEmail() }),
  },
  {
    mutation: 'resetPassword',
    rule: 'whoever holds the link, unless signed in as another account (refused as a forged link)',
    allowed: ['anonymous'],
    concealedAs: ['VALIDATION/INVALID_TOKEN'],
    document: `mutation ($t: String!, $p: String!) { resetPassword(token: $t, newPassword: $p) }`,
    call: async (fx, cell) =>
      vars({
        t: await propFor(fx, cell, 'reset-token', () => recoveryToken(fx, 'password_reset')),
        p: NEW_PASSWORD,
      }),
  },

  // ---- passkeys: how one signs in is one's own, signed in (a key cannot) ----
  {
    mutation: 'startPasskeyRegistration',
    rule: 'yourself, signed in (a key cannot change how its owner signs in)',
    allowed: HUMANS,
    document: START_REGISTRATION,
    call: async () => vars({ p: PASSWORD }),
  },
  {
    // Allowed cells answer a challenge of their own with a real attestation; refused ones are
    // turned away before the response is looked at.
    mutation: 'finishPasskeyRegistration',
    rule: 'yourself, signed in (a key cannot change how its owner signs in)',
    allowed: HUMANS,
    document: FINISH_REGISTRATION,
    call: async (fx, cell) =>
      cell.expected === 'allow' && cell.actor.token
        ? vars({
            r: await attestation(fx, cell.actor.token, new SoftwareAuthenticator({ origin: ORIGIN })),
            n: 'Matrix passkey',
          })
        : vars({ r: { id: 'matrix', response: {} }, n: 'Matrix passkey' }),
  },
  {
    // Someone else's credential id is looked for among the caller's own passkeys: not found.
    mutation: 'removePasskey',
    rule: "the passkey's owner, signed in (anyone else is told there is no such passkey)",
    allowed: ['user'],
    concealedAs: ['NOT_FOUND/PASSKEY_NOT_FOUND'],
    document: `mutation ($c: String!) { removePasskey(credentialId: $c) }`,
    call: async (fx, cell) =>
      vars({
        c: await propFor(fx, cell, 'user-passkey', () =>
          registeredPasskey(fx, fx.people.user.token, new SoftwareAuthenticator({ origin: ORIGIN })),
        ),
      }),
  },
  {
    mutation: 'startPasskeySignIn',
    rule: 'public',
    allowed: EVERYONE,
    document: START_SIGN_IN,
    call: async () => vars({ e: null }),
  },
  {
    // Each role signs in as a holder of its own with a real assertion (see passkeyHolder).
    mutation: 'finishPasskeySignIn',
    rule: 'public (the assertion is the credential)',
    allowed: EVERYONE,
    document: `mutation ($r: WebAuthnJSON!) { finishPasskeySignIn(response: $r) { accessToken } }`,
    call: async (fx, cell) => {
      const holder = await fx.shared(`passkey-holder:${cell.role}`, () => passkeyHolder(fx));
      const options = fieldOf<unknown>(
        await fx.api.gql(START_SIGN_IN, { e: holder.email }),
        'startPasskeySignIn',
      );
      return vars({ r: holder.authenticator.get(options) });
    },
  },
];
