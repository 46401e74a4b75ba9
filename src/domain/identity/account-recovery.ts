import type { DecisionContext } from '../shared/decider.ts';
import { conflict, forbidden, rateLimited, validation } from '../shared/domain-error.ts';
import { isSystem, requireSelfOrAdmin } from './authorization.ts';
import type { UserCommand } from './user-commands.ts';
import type { UserEvent } from './user-events.ts';
import type { RecoveryRequest, User } from './user-state.ts';

/** A verification link works for a day: long enough to find the e-mail the next morning. */
export const EMAIL_VERIFICATION_TTL_MS = 24 * 60 * 60_000;
/** A reset link works for 30 minutes: whoever reads the mailbox later should not find a live one. */
export const PASSWORD_RESET_TTL_MS = 30 * 60_000;
export const RECOVERY_WINDOW_MS = 60 * 60_000;
/** Verification e-mails per account per hour, the one sent on registration included. */
export const VERIFICATION_EMAILS_PER_WINDOW = 3;
/**
 * Reset e-mails per account per hour. Past it a request is answered as any other but sends
 * nothing: a refusal would tell the asker the account exists.
 */
export const PASSWORD_RESET_EMAILS_PER_WINDOW = 3;
/** How many requests of each kind the user state remembers (the limits above keep far fewer alive). */
export const RECOVERY_REQUESTS_KEPT = 100;

type Command<Type extends UserCommand['type']> = Extract<UserCommand, { type: Type }>;

const invalidToken = () => validation('INVALID_TOKEN', 'This link is not valid');

export const expiryAfter = (now: Date, ttlMs: number) => new Date(now.getTime() + ttlMs).toISOString();

export function verificationRequested(userId: string, requestId: string, now: Date): UserEvent {
  return {
    type: 'EmailVerificationRequested',
    data: {
      userId,
      requestId,
      expiresAt: expiryAfter(now, EMAIL_VERIFICATION_TTL_MS),
      at: now.toISOString(),
    },
  };
}

/** "Send me the link again": the user (or an admin for them), at most 3 e-mails an hour. */
export function requestEmailVerification(
  command: Command<'RequestEmailVerification'>,
  user: User,
  { actor, now }: DecisionContext,
): UserEvent[] {
  requireSelfOrAdmin(actor, user.userId, 'ask for a verification e-mail');
  requireActive(user);
  if (user.emailVerifiedAt !== null)
    throw conflict('EMAIL_ALREADY_VERIFIED', 'This e-mail address is already verified');
  const recent = inWindow(user.verificationRequests, now);
  if (recent.length >= VERIFICATION_EMAILS_PER_WINDOW) {
    throw rateLimited('VERIFICATION_EMAIL_LIMIT', 'Too many verification e-mails; try again later', {
      retryAfterSeconds: retryAfterSeconds(recent, now),
    });
  }
  return [verificationRequested(user.userId, command.requestId, now)];
}

/** The link from the e-mail: its token was checked (signature, account, purpose) before this. */
export function verifyEmail(
  command: Command<'VerifyEmail'>,
  user: User,
  context: DecisionContext,
): UserEvent[] {
  const request = requestFor(user.verificationRequests, command, user, context);
  requireActive(user);
  if (request.closed !== null || user.emailVerifiedAt !== null)
    throw conflict('TOKEN_USED', 'This address has already been verified');
  requireUnexpired(request, context.now);
  return [
    {
      type: 'UserEmailVerified',
      data: { userId: user.userId, requestId: request.requestId, at: context.now.toISOString() },
    },
  ];
}

/**
 * Asked for by anyone who knows an address, so the system records it on their behalf. Nothing is
 * refused here: a deactivated account or one over its limit gets no e-mail, and the asker the same
 * answer as everyone else.
 */
export function requestPasswordReset(
  command: Command<'RequestPasswordReset'>,
  user: User,
  { actor, now }: DecisionContext,
): UserEvent[] {
  if (!isSystem(actor)) throw forbidden('SYSTEM_ONLY', 'Password resets are requested through the API');
  if (user.status !== 'active') return [];
  if (inWindow(user.resetRequests, now).length >= PASSWORD_RESET_EMAILS_PER_WINDOW) return [];
  return [
    {
      type: 'PasswordResetRequested',
      data: {
        userId: user.userId,
        requestId: command.requestId,
        expiresAt: expiryAfter(now, PASSWORD_RESET_TTL_MS),
        at: now.toISOString(),
      },
    },
  ];
}

/**
 * A new password from the reset link. Every session ends with it: whoever made the owner reset
 * their password may be signed in. A reset (or a password change) voids every older reset link.
 */
export function resetPassword(
  command: Command<'ResetPassword'>,
  user: User,
  context: DecisionContext,
): UserEvent[] {
  const request = requestFor(user.resetRequests, command, user, context);
  requireActive(user);
  if (request.closed !== null)
    throw conflict('TOKEN_USED', 'This link has been used, or the password has changed since it was sent');
  requireUnexpired(request, context.now);
  const at = context.now.toISOString();
  return [
    {
      type: 'UserPasswordReset',
      data: { userId: user.userId, requestId: request.requestId, passwordHash: command.passwordHash, at },
    },
    { type: 'UserSessionsRevoked', data: { userId: user.userId, at } },
  ];
}

/**
 * The request a token names. A signed-in caller other than the owner is refused like a forged
 * token: the link is not theirs, and following it must not change someone else's account.
 */
function requestFor(
  requests: readonly RecoveryRequest[],
  token: { requestId: string; expiresAt: string },
  user: User,
  { actor }: DecisionContext,
): RecoveryRequest {
  if (actor.kind === 'user' && actor.userId !== user.userId) throw invalidToken();
  if (actor.kind === 'integration') throw invalidToken();
  const request = requests.find((each) => each.requestId === token.requestId);
  // The expiry is signed into the token; one that differs from the stream's was not issued here.
  if (!request || Date.parse(request.expiresAt) !== Date.parse(token.expiresAt)) throw invalidToken();
  return request;
}

function requireUnexpired(request: RecoveryRequest, now: Date): void {
  if (Date.parse(request.expiresAt) <= now.getTime())
    throw conflict('TOKEN_EXPIRED', 'This link has expired; ask for a new one', {
      expiredAt: request.expiresAt,
    });
}

function requireActive(user: User): void {
  if (user.status !== 'active') throw conflict('USER_DEACTIVATED', 'This account is deactivated');
}

function inWindow(requests: readonly RecoveryRequest[], now: Date): RecoveryRequest[] {
  const since = now.getTime() - RECOVERY_WINDOW_MS;
  return requests.filter((request) => Date.parse(request.at) > since);
}

function retryAfterSeconds(recent: readonly RecoveryRequest[], now: Date): number {
  const oldest = Math.min(...recent.map((request) => Date.parse(request.at)));
  return Math.max(1, Math.ceil((oldest + RECOVERY_WINDOW_MS - now.getTime()) / 1_000));
}

/** A request as the user state keeps it: newest last, at most RECOVERY_REQUESTS_KEPT. */
export function rememberRequest(
  requests: readonly RecoveryRequest[],
  data: { requestId: string; expiresAt: string; at: string },
): readonly RecoveryRequest[] {
  const request: RecoveryRequest = {
    requestId: data.requestId,
    expiresAt: data.expiresAt,
    at: data.at,
    closed: null,
  };
  return [...requests, request].slice(-RECOVERY_REQUESTS_KEPT);
}

/** Every open request closes: `used` for the one that was followed, `superseded` for the rest. */
export function closeRequests(
  requests: readonly RecoveryRequest[],
  usedRequestId: string | null,
): readonly RecoveryRequest[] {
  return requests.map((request) =>
    request.closed !== null
      ? request
      : { ...request, closed: request.requestId === usedRequestId ? 'used' : 'superseded' },
  );
}
