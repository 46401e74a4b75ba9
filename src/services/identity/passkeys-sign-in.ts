import { createHmac, hkdfSync, randomUUID } from 'node:crypto';
import { z } from 'zod';
import {
  type AuthenticationResponse,
  authenticationOptions,
  authenticationResponseInput,
  challengeOf,
  type KnownCredential,
  userIdFromHandle,
  verifyAssertion,
} from '../../auth/webauthn.ts';
import { consumeChallenge, issueChallenge } from '../../auth/webauthn-challenges.ts';
import { loadAggregate } from '../../commands/load-aggregate.ts';
import { ownerOf } from '../../commands/reservations.ts';
import {
  passkeyAggregate,
  passkeyCloned,
  passkeyCloneSuspected,
  passkeyOf,
} from '../../domain/identity/passkey-decider.ts';
import { EMAIL_SCOPE, normalizeEmail, userStream } from '../../domain/identity/streams.ts';
import type { SecondFactor } from '../../domain/identity/user-commands.ts';
import type { User } from '../../domain/identity/user-state.ts';
import { passkeyStream } from '../../domain/notifications/streams.ts';
import { DomainError, unauthenticated } from '../../domain/shared/domain-error.ts';
import { envelope, execute, nowFrom, type RequestContext } from '../shared/command-context.ts';
import { users } from './aggregates.ts';
import { type SessionDeps, SIGN_IN_ACTOR } from './context.ts';
import { challengePool, passkeysOf, relyingPartyOf } from './passkeys.ts';
import { type IssuedTokens, presentedDevice, type SignInClient, startSession } from './sign-in.ts';

export type PasskeySignInDeps = SessionDeps;

export const invalidPasskey = () =>
  unauthenticated('INVALID_PASSKEY', 'The passkey is not valid for this account');

const startInput = z.object({ email: z.string().max(254).nullish() });

/**
 * Request options for `navigator.credentials.get()`. Without an e-mail address they allow any
 * discoverable passkey of this site (passwordless: the authenticator says whose it is). With one,
 * they list that account's passkeys, for sign-in and for the second factor after a password.
 *
 * An address with no account (or no passkeys) gets the same shape: one credential id derived from
 * the address with AUTH_SECRET, stable across calls, so the answer does not tell who has an account.
 */
export async function startPasskeySignIn(deps: PasskeySignInDeps, raw: unknown) {
  const { email } = startInput.parse(raw ?? {});
  const now = nowFrom(deps);
  if (!email) {
    const { challenge } = await issueChallenge(challengePool(deps), 'authentication', null, now);
    return authenticationOptions(relyingPartyOf(deps), [], challenge);
  }
  const normalized = normalizeEmail(email);
  const userId = await ownerOf(deps.store, EMAIL_SCOPE, normalized);
  const allowed: KnownCredential[] = userId ? await passkeysOf(deps, userId) : [];
  const { challenge } = await issueChallenge(
    challengePool(deps),
    'authentication',
    allowed.length ? userId : null,
    now,
  );
  return authenticationOptions(
    relyingPartyOf(deps),
    allowed.length ? allowed : [decoyCredential(deps.authSecret, normalized)],
    challenge,
  );
}

/** The decoys' own key, derived from AUTH_SECRET for this purpose alone, like every other use of it. */
function decoyKey(authSecret: Uint8Array): Buffer {
  return Buffer.from(
    hkdfSync('sha256', authSecret, Buffer.alloc(0), 'chronicle/passkey-decoy-credentials', 32),
  );
}

function decoyCredential(authSecret: Uint8Array, email: string): KnownCredential {
  const id = createHmac('sha256', decoyKey(authSecret)).update(email).digest().subarray(0, 16);
  return { credentialId: id.toString('base64url'), transports: ['internal', 'hybrid'] };
}

/**
 * Passwordless sign-in: a verified assertion from a discoverable passkey is both factors (the
 * authenticator must have verified its user: PIN or biometrics). Answers as `login` does.
 */
export async function finishPasskeySignIn(
  deps: PasskeySignInDeps,
  context: RequestContext,
  raw: unknown,
  client?: SignInClient,
): Promise<IssuedTokens> {
  const response = parseAssertion(raw);
  const challenge = challengeOf(response);
  if (!challenge) throw invalidPasskey();
  const now = nowFrom(deps);
  const issuedFor = await consumeChallenge(
    challengePool(deps),
    challenge,
    { purpose: 'authentication' },
    now,
  );
  const handle = response.response.userHandle ? userIdFromHandle(response.response.userHandle) : null;
  // The challenge was made for one account (sign-in with an e-mail address): the passkey must be its.
  if (issuedFor.userId && handle && handle !== issuedFor.userId) throw invalidPasskey();
  const userId = issuedFor.userId ?? handle;
  if (!userId || !z.uuid().safeParse(userId).success) throw invalidPasskey();
  const user = (await loadAggregate(deps, users, userStream(userId))).state;
  // A deactivated or forgotten account stays shut, whatever key is presented.
  if (user.status !== 'active') throw invalidPasskey();
  await assertPasskey(deps, context, userId, response, challenge, true);
  const sessionId = randomUUID();
  const presented = client ? presentedDevice(client, userId, deps.authSecret) : undefined;
  await execute(
    deps,
    users,
    userStream(userId),
    envelope(
      context,
      randomUUID(),
      now,
      {
        type: 'RecordPasskeySignIn' as const,
        sessionId,
        ...(presented ? { device: presented.device } : {}),
      },
      SIGN_IN_ACTOR,
    ),
  );
  const tokens = await startSession(deps, context, user, sessionId, now);
  return presented ? { ...tokens, deviceId: presented.deviceId } : tokens;
}

/**
 * The passkey as a second factor after a correct password: verifies the assertion for this user
 * and records its use. A challenge problem (replayed, expired) or a cloned passkey is reported as
 * itself; an assertion that does not verify comes back as a failed factor, recorded like a wrong
 * TOTP code.
 */
export async function passkeySecondFactor(
  deps: PasskeySignInDeps,
  context: RequestContext,
  user: User,
  response: AuthenticationResponse,
): Promise<SecondFactor> {
  const challenge = challengeOf(response);
  if (!challenge) return { kind: 'passkey', verified: false };
  await consumeChallenge(
    challengePool(deps),
    challenge,
    { purpose: 'authentication', userId: user.userId },
    nowFrom(deps),
  );
  try {
    await assertPasskey(deps, context, user.userId, response, challenge, false);
    return { kind: 'passkey', verified: true };
  } catch (error) {
    if (error instanceof DomainError && error.reason === 'INVALID_PASSKEY')
      return { kind: 'passkey', verified: false };
    throw error;
  }
}

/** The `passkey` field of login's input, when given: a WebAuthn assertion or a typed refusal. */
export function presentedPasskey(raw: unknown): AuthenticationResponse | undefined {
  const passkey = (raw as { passkey?: unknown } | null)?.passkey;
  if (passkey === undefined || passkey === null) return undefined;
  return parseAssertion({ response: passkey });
}

function parseAssertion(raw: unknown): AuthenticationResponse {
  const parsed = authenticationResponseInput.safeParse((raw as { response?: unknown } | null)?.response);
  if (!parsed.success) {
    throw new DomainError('VALIDATION', 'INVALID_PASSKEY_RESPONSE', 'Not a WebAuthn authentication response');
  }
  return parsed.data;
}

/**
 * Verifies the signature with the key in the person's own passkey history (so another person's
 * credential id is simply unknown here), then records the counter; the decider refuses, and
 * records, a counter that did not go up.
 */
async function assertPasskey(
  deps: PasskeySignInDeps,
  context: RequestContext,
  userId: string,
  response: AuthenticationResponse,
  challenge: string,
  requireUserVerification: boolean,
): Promise<void> {
  const { state } = await loadAggregate(deps, passkeyAggregate, passkeyStream(userId));
  const passkey = passkeyOf(state, response.id);
  if (!passkey || response.rawId !== response.id) throw invalidPasskey();
  if (passkey.cloneSuspectedAt) throw passkeyCloned();
  const { counter } = await verifyAssertion(
    relyingPartyOf(deps),
    response,
    challenge,
    passkey,
    requireUserVerification,
  ).catch((error: unknown) => {
    deps.log.info({ userId, err: error }, 'passkey assertion refused');
    throw invalidPasskey();
  });
  const used = await execute(
    deps,
    passkeyAggregate,
    passkeyStream(userId),
    envelope(
      context,
      randomUUID(),
      nowFrom(deps),
      { type: 'UsePasskey' as const, credentialId: passkey.credentialId, counter },
      SIGN_IN_ACTOR,
    ),
  );
  if (passkeyCloneSuspected(used.events)) {
    deps.log.warn(
      { userId, credentialId: passkey.credentialId },
      'passkey counter did not increase: suspected clone',
    );
    throw passkeyCloned();
  }
}
