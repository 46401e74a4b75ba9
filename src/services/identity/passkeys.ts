import { randomUUID } from 'node:crypto';
import type pg from 'pg';
import { z } from 'zod';
import { verifyPassword } from '../../auth/passwords.ts';
import {
  challengeOf,
  DEFAULT_RELYING_PARTY,
  type RelyingParty,
  registrationOptions,
  registrationResponseInput,
  verifyRegistration,
} from '../../auth/webauthn.ts';
import { consumeChallenge, issueChallenge } from '../../auth/webauthn-challenges.ts';
import { handleCommand } from '../../commands/handle-command.ts';
import { loadAggregate } from '../../commands/load-aggregate.ts';
import { requireSelf } from '../../domain/identity/authorization.ts';
import { passkeyAggregate, type StoredPasskey } from '../../domain/identity/passkey-decider.ts';
import { userStream } from '../../domain/identity/streams.ts';
import { signInFailed } from '../../domain/identity/user-decider.ts';
import type { User } from '../../domain/identity/user-state.ts';
import { passkeyStream } from '../../domain/notifications/streams.ts';
import {
  conflict,
  notFound,
  rateLimited,
  unauthenticated,
  validation,
} from '../../domain/shared/domain-error.ts';
import { commandIdFor, envelope, execute, nowFrom, type RequestContext } from '../shared/command-context.ts';
import { selfId } from './account.ts';
import { users } from './aggregates.ts';
import type { IdentityDeps } from './context.ts';

/** What the passkey use cases need besides the identity deps: the challenge table and the RP. */
export type PasskeyDeps = IdentityDeps;

/** Challenges live in the database the read models use (the API always has it). */
export function challengePool(deps: IdentityDeps): pg.Pool {
  if (!deps.pool) throw new Error('Passkeys need the database pool for their challenges');
  return deps.pool;
}

export const relyingPartyOf = (deps: { webauthn?: RelyingParty }) => deps.webauthn ?? DEFAULT_RELYING_PARTY;

/** A passkey as its owner sees it (never the public key: nobody needs it back). */
export interface PasskeyView {
  credentialId: string;
  name: string | null;
  transports: readonly string[];
  backedUp: boolean;
  createdAt: string;
  lastUsedAt: string | null;
  cloneSuspectedAt: string | null;
}

const finishRegistrationInput = z.object({
  response: z.unknown(),
  name: z.string().trim().min(1, 'must not be empty').max(100),
});
const credentialIdInput = z.object({
  credentialId: z.string().min(1).max(1_024),
  idempotencyKey: z.string().min(8).max(128).optional(),
});

export const invalidResponse = (message: string) =>
  validation('INVALID_PASSKEY_RESPONSE', `The passkey response is not valid: ${message}`);

const startRegistrationInput = z.object({ currentPassword: z.string().min(1).max(1_024) });

/**
 * Step 1 of adding a passkey: creation options for `navigator.credentials.create()`, with a
 * single-use challenge that expires in five minutes. Only the person, signed in as themself, and
 * only with the current password: a passkey outlives a password reset, so a stolen session must
 * not be able to add one (docs/passkeys.md). A wrong password is a failed sign-in: it counts
 * towards the lock, and the answer is changePassword's WRONG_PASSWORD.
 */
export async function startPasskeyRegistration(deps: PasskeyDeps, context: RequestContext, raw: unknown) {
  const { currentPassword } = startRegistrationInput.parse(raw);
  const userId = selfId(context.actor);
  // Refused before any hashing: a key must not make the server run scrypt to say no.
  requireSelf(context.actor, userId, 'register a passkey');
  const user = await activeUser(deps, userId);
  await confirmPassword(deps, context, user, currentPassword);
  const passkeys = await passkeysOf(deps, userId);
  const { challenge } = await issueChallenge(challengePool(deps), 'registration', userId, nowFrom(deps));
  return registrationOptions(
    relyingPartyOf(deps),
    { userId, userName: user.email ?? userId, displayName: user.displayName ?? '' },
    passkeys,
    challenge,
  );
}

/**
 * Step 2: the authenticator's attestation, checked against the challenge (used up whatever the
 * outcome), the origin and the RP id; the credential's public key and counter are recorded.
 */
export async function finishPasskeyRegistration(deps: PasskeyDeps, context: RequestContext, raw: unknown) {
  const { response: rawResponse, name } = finishRegistrationInput.parse(raw);
  const userId = selfId(context.actor);
  requireSelf(context.actor, userId, 'register a passkey');
  const parsed = registrationResponseInput.safeParse(rawResponse);
  if (!parsed.success) throw invalidResponse('not a WebAuthn registration response');
  const challenge = challengeOf(parsed.data);
  if (!challenge) throw invalidResponse('its client data names no challenge');
  const now = nowFrom(deps);
  await consumeChallenge(challengePool(deps), challenge, { purpose: 'registration', userId }, now);
  const verified = await verifyRegistration(relyingPartyOf(deps), parsed.data, challenge).catch(
    (error: unknown) => {
      deps.log.info({ userId, err: error }, 'passkey registration refused');
      throw invalidResponse(error instanceof Error ? error.message : 'it did not verify');
    },
  );
  await activeUser(deps, userId);
  const result = await execute(
    deps,
    passkeyAggregate,
    passkeyStream(userId),
    envelope(context, commandIdFor(context, 'registerPasskey'), now, {
      type: 'RegisterPasskey' as const,
      userId,
      name,
      ...verified,
    }),
  );
  const registered = result.events.find((event) => event.type === 'PasskeyRegistered');
  if (registered?.type !== 'PasskeyRegistered')
    throw conflict('PASSKEY_EXISTS', 'This passkey is already registered');
  const { credentialId, transports, backedUp, at } = registered.data;
  const view: PasskeyView = {
    credentialId,
    name,
    transports,
    backedUp,
    createdAt: at,
    lastUsedAt: null,
    cloneSuspectedAt: null,
  };
  return { passkey: view, position: result.position };
}

/** The caller's passkeys, oldest first (at most MAX_PASSKEYS). */
export async function listPasskeys(deps: { pool: pg.Pool }, context: RequestContext): Promise<PasskeyView[]> {
  const userId = selfId(context.actor);
  const { rows } = await deps.pool.query<{
    credential_id: string;
    name: string | null;
    transports: string[];
    backed_up: boolean;
    created_at: Date;
    last_used_at: Date | null;
    clone_suspected_at: Date | null;
  }>(
    `select credential_id, name, transports, backed_up, created_at, last_used_at, clone_suspected_at
       from passkeys where user_id = $1 order by created_at, credential_id`,
    [userId],
  );
  return rows.map((row) => ({
    credentialId: row.credential_id,
    name: row.name,
    transports: row.transports,
    backedUp: row.backed_up,
    createdAt: row.created_at.toISOString(),
    lastUsedAt: row.last_used_at?.toISOString() ?? null,
    cloneSuspectedAt: row.clone_suspected_at?.toISOString() ?? null,
  }));
}

/** Removes one of the caller's passkeys; someone else's credential id is simply not found. */
export async function removePasskey(deps: PasskeyDeps, context: RequestContext, raw: unknown) {
  const input = credentialIdInput.parse(raw);
  const userId = selfId(context.actor);
  requireSelf(context.actor, userId, 'remove a passkey');
  return execute(
    deps,
    passkeyAggregate,
    passkeyStream(userId),
    envelope(context, commandIdFor(context, 'removePasskey', input), nowFrom(deps), {
      type: 'RemovePasskey' as const,
      credentialId: input.credentialId,
    }),
  );
}

/** The person's passkeys as the history has them (authoritative: sign-in reads these, not a read model). */
export async function passkeysOf(deps: IdentityDeps, userId: string): Promise<StoredPasskey[]> {
  const { state } = await loadAggregate(deps, passkeyAggregate, passkeyStream(userId));
  return Object.values(state.passkeys);
}

async function confirmPassword(deps: PasskeyDeps, context: RequestContext, user: User, password: string) {
  const passwordMatches = await verifyPassword(password, user.passwordHash);
  const result = await handleCommand(
    deps,
    users,
    userStream(user.userId),
    envelope(context, randomUUID(), nowFrom(deps), { type: 'ConfirmPassword' as const, passwordMatches }),
  );
  if (!signInFailed(result.events)) return;
  if (result.events.some((event) => event.type === 'AccountLocked')) {
    throw rateLimited('ACCOUNT_LOCKED', 'Too many failed sign-ins; try again later');
  }
  throw unauthenticated('WRONG_PASSWORD', 'The current password is wrong');
}

async function activeUser(deps: IdentityDeps, userId: string): Promise<User> {
  const { state } = await loadAggregate(deps, users, userStream(userId));
  if (state.status === 'unregistered' || state.status === 'forgotten')
    throw notFound('USER_NOT_FOUND', 'No such user');
  if (state.status !== 'active') throw conflict('USER_DEACTIVATED', 'This account is deactivated');
  return state;
}
