import { createHash, createHmac, hkdfSync, randomUUID } from 'node:crypto';
import { setTimeout as delay } from 'node:timers/promises';
import { issueAccessToken } from '../../auth/access-tokens.ts';
import { hashBackupCode } from '../../auth/backup-codes.ts';
import { verifyAgainstDummy, verifyPassword } from '../../auth/passwords.ts';
import { newRefreshToken, parseRefreshToken } from '../../auth/refresh-tokens.ts';
import { matchTotp } from '../../auth/totp.ts';
import { handleCommand } from '../../commands/handle-command.ts';
import { loadAggregate } from '../../commands/load-aggregate.ts';
import { ownerOf } from '../../commands/reservations.ts';
import type { CommandResult } from '../../commands/types.ts';
import { deviceLabel, type PresentedDevice } from '../../domain/identity/account-recovery-devices.ts';
import { refreshTokenReused } from '../../domain/identity/session-decider.ts';
import { EMAIL_SCOPE, normalizeEmail, sessionStream, userStream } from '../../domain/identity/streams.ts';
import type { SecondFactor } from '../../domain/identity/user-commands.ts';
import { signInFailed } from '../../domain/identity/user-decider.ts';
import type { UserEvent, UserEventOf } from '../../domain/identity/user-events.ts';
import type { User } from '../../domain/identity/user-state.ts';
import type { PlatformRole } from '../../domain/shared/decider.ts';
import { DomainError, rateLimited, unauthenticated } from '../../domain/shared/domain-error.ts';
import { commandIdFor, envelope, execute, nowFrom, type RequestContext } from '../shared/command-context.ts';
import { sessions, users } from './aggregates.ts';
import { type IdentityDeps, type SessionDeps, SIGN_IN_ACTOR } from './context.ts';
import { signInInput, signOutInput } from './inputs.ts';
import { passkeysOf } from './passkeys.ts';
import { passkeySecondFactor, presentedPasskey } from './passkeys-sign-in.ts';
import { failedSignInCost } from './sign-in-timing.ts';

export interface IssuedTokens {
  userId: string;
  sessionId: string;
  role: PlatformRole;
  accessToken: string;
  accessTokenExpiresAt: Date;
  refreshToken: string;
  refreshTokenExpiresAt: Date;
  /** Where the session's events landed, for read-your-writes. */
  position: bigint | null;
  /** The device id the client should keep and send with its next sign-in (absent on refresh). */
  deviceId?: string;
}

const invalidCredentials = () => unauthenticated('INVALID_CREDENTIALS', 'Wrong e-mail or password');

/**
 * Password (and second factor) → a session with a refresh token and a short-lived access token.
 * Every failed attempt on a known account is recorded; the tenth within 15 minutes locks it.
 *
 * Refusing an unknown address, a wrong password and a deactivated account takes the same time:
 * all three pay for one password check, and the work only a real account has after it (reading
 * its stream, recording the failure) is matched by a wait on the others (see sign-in-timing.ts).
 */
export async function signIn(
  deps: SessionDeps,
  context: RequestContext,
  raw: unknown,
  client?: SignInClient,
): Promise<IssuedTokens> {
  const input = signInInput.parse(raw);
  const passkey = presentedPasskey(raw);
  const userId = await ownerOf(deps.store, EMAIL_SCOPE, normalizeEmail(input.email));
  const startedAt = performance.now();
  const user = userId ? (await loadAggregate(deps, users, userStream(userId))).state : undefined;
  if (!user || user.status === 'unregistered') {
    await verifyAgainstDummy(input.password);
    await delay(failedSignInCost.draw());
    throw invalidCredentials();
  }
  const now = nowFrom(deps);
  const hashingStartedAt = performance.now();
  const passwordMatches = await verifyPassword(input.password, user.passwordHash);
  const hashingMs = performance.now() - hashingStartedAt;
  const workMs = () => performance.now() - startedAt - hashingMs;
  const sessionId = randomUUID();
  const presented = client ? presentedDevice(client, user.userId, deps.authSecret) : undefined;
  const attempt = await handleCommand(
    deps,
    users,
    userStream(user.userId),
    envelope(
      context,
      randomUUID(),
      now,
      {
        type: 'RecordSignIn' as const,
        sessionId,
        passwordMatches,
        // A passkey is checked only after a right password: it must not tell a guesser anything.
        secondFactor:
          passkey && passwordMatches
            ? await passkeySecondFactor(deps, context, user, passkey)
            : secondFactorOf(user, input.secondFactor, now),
        ...(presented ? { device: presented.device } : {}),
      },
      SIGN_IN_ACTOR,
    ),
  ).catch(async (error: unknown) => {
    // A deactivated account records nothing: it waits as an unknown address does.
    if (error instanceof DomainError && error.reason === 'INVALID_CREDENTIALS') {
      await delay(Math.max(0, failedSignInCost.draw() - workMs()));
    }
    // The password was right, so saying which second factors the account has tells nobody new.
    if (error instanceof DomainError && error.reason === 'TOTP_REQUIRED') {
      if ((await passkeysOf(deps, user.userId)).length > 0) {
        throw unauthenticated('TOTP_REQUIRED', 'A second factor is required: a two-factor code or a passkey');
      }
    }
    throw error;
  });
  if (signInFailed(attempt.events)) {
    if (attempt.events.some((event) => event.type === 'AccountLocked')) await settle(deps, attempt);
    // A plain failure changes no read model, so nobody waits for them to catch up with it.
    else failedSignInCost.observe(workMs());
    throw failureFor(attempt.events);
  }
  await settle(deps, attempt);
  const tokens = await startSession(deps, context, user, sessionId, now);
  return presented ? { ...tokens, deviceId: presented.deviceId } : tokens;
}

/** What the sign-in request says about where it comes from (the API reads it off the request). */
export interface SignInClient {
  userAgent?: string | undefined;
  /** A random id the client keeps per installation (optional): tells apart two identical browsers. */
  deviceId?: string | undefined;
}

/**
 * The device as the user aggregate remembers it, and the device id the client should keep.
 *
 * The identity is the client's device id: a random id the app keeps per installation, which a
 * browser update does not change and copying a common user agent does not imitate. The user agent
 * only labels it ("Firefox on Linux"). A client that sends none is given one, derived from the
 * account and its user agent with a key of AUTH_SECRET's (so asking again from the same browser
 * gives the same id, and it stays one device until the client keeps and sends it): until then it
 * is recognised by its user agent alone, which is weaker (docs/account-recovery.md). Only a hash is
 * recorded, never the id or the user agent.
 */
export function presentedDevice(
  client: SignInClient,
  userId: string,
  authSecret: Uint8Array,
): { device: PresentedDevice; deviceId: string } {
  const userAgent = client.userAgent?.slice(0, 1_000) ?? '';
  const sent = client.deviceId?.slice(0, 200).trim() ?? '';
  const deviceId = sent || issuedDeviceId(authSecret, userId, userAgent);
  return {
    device: {
      hash: sha256(`device-id\n${deviceId}`),
      label: deviceLabel(userAgent),
      formerHash: sha256(`${userAgent}\n${client.deviceId?.slice(0, 200) ?? ''}`),
    },
    deviceId,
  };
}

const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');

function issuedDeviceId(authSecret: Uint8Array, userId: string, userAgent: string): string {
  const key = hkdfSync('sha256', authSecret, Buffer.alloc(0), 'chronicle/sign-in-device-ids', 32);
  return createHmac('sha256', Buffer.from(key))
    .update(`${userId}\n${userAgent}`)
    .digest()
    .subarray(0, 16)
    .toString('base64url');
}

/** What `execute` does after the command: wait until the read models show its events. */
async function settle(deps: SessionDeps, result: CommandResult<UserEvent>): Promise<void> {
  if (!deps.settle || result.position === null) return;
  await deps.settle(
    result.position,
    result.events.map((event) => event.type),
  );
}

function secondFactorOf(user: User, presented: string | undefined, now: Date): SecondFactor {
  if (!presented) return { kind: 'none' };
  if (/^\d{6}$/.test(presented)) {
    const secret = user.totp?.secret;
    return { kind: 'totp', matchedStep: secret ? matchTotp(secret, presented, now) : null };
  }
  return { kind: 'backup_code', hash: hashBackupCode(presented) };
}

function failureFor(events: readonly UserEvent[]) {
  if (events.some((event) => event.type === 'AccountLocked')) {
    return rateLimited('ACCOUNT_LOCKED', 'Too many failed sign-ins; try again later');
  }
  const failure = events.find((event): event is UserEventOf<'LoginFailed'> => event.type === 'LoginFailed');
  return failure?.data.reason === 'password'
    ? invalidCredentials()
    : unauthenticated('INVALID_SECOND_FACTOR', 'The two-factor code is not valid');
}

/** The session and tokens after a recorded successful sign-in (password or passkey). */
export async function startSession(
  deps: SessionDeps,
  context: RequestContext,
  user: User,
  sessionId: string,
  now: Date,
): Promise<IssuedTokens> {
  const refresh = newRefreshToken(sessionId);
  const started = await execute(
    deps,
    sessions,
    sessionStream(sessionId),
    envelope(
      context,
      randomUUID(),
      now,
      {
        type: 'StartSession' as const,
        sessionId,
        userId: user.userId,
        refreshTokenHash: refresh.hash,
      },
      SIGN_IN_ACTOR,
    ),
  );
  const startedEvent = started.events.find((event) => event.type === 'SessionStarted');
  const refreshTokenExpiresAt = new Date(
    startedEvent?.type === 'SessionStarted' ? startedEvent.data.expiresAt : now,
  );
  const access = await issueAccessToken(
    { userId: user.userId, sessionId, role: user.role },
    { keys: deps.accessTokens, now },
  );
  return {
    userId: user.userId,
    sessionId,
    role: user.role,
    accessToken: access.token,
    accessTokenExpiresAt: access.expiresAt,
    refreshToken: refresh.token,
    refreshTokenExpiresAt,
    position: started.position,
  };
}

/**
 * Exchanges a refresh token for a new pair. Presenting a token that was already exchanged
 * revokes the session (someone else holds a copy) and is reported as REFRESH_TOKEN_REUSED.
 */
export async function refreshSession(
  deps: SessionDeps,
  context: RequestContext,
  refreshToken: string,
): Promise<IssuedTokens> {
  const parsed = parseRefreshToken(refreshToken);
  if (!parsed) throw unauthenticated('INVALID_REFRESH_TOKEN', 'The refresh token is not valid');
  const session = (await loadAggregate(deps, sessions, sessionStream(parsed.sessionId))).state;
  if (session.status === 'none')
    throw unauthenticated('INVALID_REFRESH_TOKEN', 'The refresh token is not valid');
  const user = (await loadAggregate(deps, users, userStream(session.userId))).state;
  if (user.status === 'unregistered')
    throw unauthenticated('INVALID_REFRESH_TOKEN', 'The refresh token is not valid');
  const now = nowFrom(deps);
  const next = newRefreshToken(parsed.sessionId);
  const result = await execute(
    deps,
    sessions,
    sessionStream(parsed.sessionId),
    envelope(
      context,
      randomUUID(),
      now,
      {
        type: 'RefreshSession' as const,
        presentedTokenHash: parsed.hash,
        newTokenHash: next.hash,
        user: { active: user.status === 'active', sessionsRevokedBefore: user.sessionsRevokedBefore },
      },
      SIGN_IN_ACTOR,
    ),
  );
  if (refreshTokenReused(result.events)) {
    throw unauthenticated(
      'REFRESH_TOKEN_REUSED',
      'This refresh token was already used; the session has been revoked',
    );
  }
  const refreshed = result.events.find((event) => event.type === 'SessionRefreshed');
  const access = await issueAccessToken(
    { userId: user.userId, sessionId: parsed.sessionId, role: user.role },
    { keys: deps.accessTokens, now },
  );
  return {
    userId: user.userId,
    sessionId: parsed.sessionId,
    role: user.role,
    accessToken: access.token,
    accessTokenExpiresAt: access.expiresAt,
    refreshToken: next.token,
    refreshTokenExpiresAt: new Date(refreshed?.type === 'SessionRefreshed' ? refreshed.data.expiresAt : now),
    position: result.position,
  };
}

/** Ends the caller's own session (or, for an admin, any session). */
export async function signOut(deps: IdentityDeps, context: RequestContext, sessionId: string, raw: unknown) {
  const parsed = signOutInput.parse(raw);
  return execute(
    deps,
    sessions,
    sessionStream(sessionId),
    envelope(context, commandIdFor(context, `logout:${sessionId}`, parsed), nowFrom(deps), {
      type: 'EndSession' as const,
      reason: 'logout' as const,
    }),
  );
}
