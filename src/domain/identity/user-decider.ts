import type { Decider, DecisionContext } from '../shared/decider.ts';
import { conflict, notFound, rateLimited, unauthenticated, validation } from '../shared/domain-error.ts';
import {
  requestEmailVerification,
  requestPasswordReset,
  resetPassword,
  verificationRequested,
  verifyEmail,
} from './account-recovery.ts';
import { signInDevice } from './account-recovery-devices.ts';
import { requireActsFor, requireAdmin, requireSelf, requireSelfOrAdmin } from './authorization.ts';
import { failuresInWindow, isLocked, LOCK_AFTER_FAILURES, LOCK_DURATION_MS } from './sign-in-policy.ts';
import type { SecondFactor, UserCommand } from './user-commands.ts';
import { USER_PERSONAL_FIELDS, type UserEvent, type UserEventOf } from './user-events.ts';
import { evolveUser, initialUserState, type User, type UserState } from './user-state.ts';

export const userDecider: Decider<UserCommand, UserEvent, UserState> = {
  initialState: initialUserState,
  evolve: evolveUser,
  decide(command, state, context) {
    if (command.type === 'RegisterUser') return register(command, state, context);
    if (state.status === 'unregistered') throw notFound('USER_NOT_FOUND', 'No such user');
    if (state.status === 'forgotten') {
      // Forgetting twice is a no-op, so an interrupted erasure can simply be retried.
      if (command.type === 'ForgetUser') return [];
      throw notFound('USER_NOT_FOUND', 'This user has been forgotten');
    }
    return decideForUser(command, state, context);
  },
};

function decideForUser(
  command: Exclude<UserCommand, { type: 'RegisterUser' }>,
  user: User,
  context: DecisionContext,
): UserEvent[] {
  const { actor, now } = context;
  const { userId } = user;
  switch (command.type) {
    case 'ChangeProfile':
      requireActive(user);
      requireActsFor(actor, userId, 'change the profile');
      if (command.displayName === undefined && command.bio === undefined) return [];
      return [
        {
          type: 'UserProfileChanged',
          // Only the fields that change: an absent field means "unchanged", null means "cleared".
          data: {
            userId,
            ...(command.displayName === undefined ? {} : { displayName: command.displayName }),
            ...(command.bio === undefined ? {} : { bio: command.bio }),
            ...(command.clientTime === undefined ? {} : { clientTime: command.clientTime }),
          },
        },
      ];
    case 'ChangePassword':
      requireActive(user);
      requireSelf(actor, userId, 'change the password');
      if (!command.currentPasswordMatches)
        throw unauthenticated('WRONG_PASSWORD', 'The current password is wrong');
      return [{ type: 'UserPasswordChanged', data: { userId, passwordHash: command.newPasswordHash } }];
    case 'SetRole':
      requireAdmin(actor, 'change roles');
      if (command.role === user.role) return [];
      return [{ type: 'UserRoleChanged', data: { userId, role: command.role, previousRole: user.role } }];
    case 'DeactivateUser':
      requireSelfOrAdmin(actor, userId, 'deactivate the account');
      if (user.status === 'deactivated') return [];
      return [{ type: 'UserDeactivated', data: { userId, reason: command.reason } }];
    case 'RecordSignIn':
      return signIn(command, user, now);
    case 'RecordPasskeySignIn':
      return passkeySignIn(command, user, now);
    case 'ConfirmPassword':
      return confirmPassword(command, user, context);
    case 'RevokeAllSessions':
      requireSelfOrAdmin(actor, userId, 'revoke sessions');
      return [{ type: 'UserSessionsRevoked', data: { userId, at: now.toISOString() } }];
    case 'StartTotpEnrollment':
      requireActive(user);
      requireSelf(actor, userId, 'set up a second factor');
      if (user.totp?.enabled) throw conflict('TOTP_ALREADY_ENABLED', 'Two-factor sign-in is already on');
      return [{ type: 'TotpEnrollmentStarted', data: { userId, secret: command.secret } }];
    case 'ConfirmTotp':
      requireActive(user);
      requireSelf(actor, userId, 'set up a second factor');
      if (!user.totp || user.totp.enabled)
        throw conflict('NO_TOTP_ENROLLMENT', 'No two-factor set-up is pending');
      if (command.matchedStep === null) throw validation('INVALID_TOTP_CODE', 'The code does not match');
      return [
        {
          type: 'TotpEnabled',
          data: { userId, step: command.matchedStep, backupCodeHashes: command.backupCodeHashes },
        },
      ];
    case 'ForgetUser':
      requireSelfOrAdmin(actor, userId, 'erase personal data');
      return [
        {
          type: 'UserForgotten',
          data: {
            userId,
            keyId: command.keyId,
            erasedFields: [...USER_PERSONAL_FIELDS],
            at: now.toISOString(),
          },
        },
      ];
    case 'RequestEmailVerification':
      return requestEmailVerification(command, user, context);
    case 'VerifyEmail':
      return verifyEmail(command, user, context);
    case 'RequestPasswordReset':
      return requestPasswordReset(command, user, context);
    case 'ResetPassword':
      return resetPassword(command, user, context);
    default: {
      const unknown: never = command;
      throw new Error(`Unknown user command ${JSON.stringify(unknown)}`);
    }
  }
}

function register(
  command: Extract<UserCommand, { type: 'RegisterUser' }>,
  state: UserState,
  { now }: DecisionContext,
): UserEvent[] {
  if (state.status !== 'unregistered') throw conflict('USER_EXISTS', 'This user is already registered');
  const { userId, email, displayName, passwordHash, verificationRequestId } = command;
  const registered: UserEvent = {
    type: 'UserRegistered',
    data: { userId, email, displayName, passwordHash, role: 'user', at: now.toISOString() },
  };
  // One write: an account is never left without the e-mail that lets its owner verify it.
  return verificationRequestId === undefined
    ? [registered]
    : [registered, verificationRequested(userId, verificationRequestId, now)];
}

/**
 * A sign-in attempt. Failures are recorded (and may lock the account), so the caller appends what
 * this returns and then reports the failure: a rejected attempt is still part of the history.
 */
function signIn(command: Extract<UserCommand, { type: 'RecordSignIn' }>, user: User, now: Date): UserEvent[] {
  const { userId } = user;
  if (user.status !== 'active') throw unauthenticated('INVALID_CREDENTIALS', 'Wrong e-mail or password');
  if (isLocked(user.lockedUntil, now)) {
    throw rateLimited('ACCOUNT_LOCKED', 'Too many failed sign-ins; try again later', {
      lockedUntil: user.lockedUntil,
    });
  }
  if (!command.passwordMatches) return failed(user, 'password', now);
  const factor = checkSecondFactor(user, command.secondFactor);
  if (factor.outcome === 'failed') return failed(user, factor.reason, now);
  return [
    {
      type: 'LoginSucceeded',
      data: {
        userId,
        sessionId: command.sessionId,
        ...factor.evidence,
        ...(command.device ? { device: signInDevice(user, command.device) } : {}),
        at: now.toISOString(),
      },
    },
  ];
}

/**
 * Passwordless sign-in with a passkey whose assertion was verified, and whose counter was recorded,
 * on the passkeys stream before this runs: only the account itself can still refuse. A lock is not
 * one of its refusals: it stops guessing, and a passkey cannot be guessed, so whoever types wrong
 * passwords at someone's account does not shut its owner out.
 */
function passkeySignIn(
  command: Extract<UserCommand, { type: 'RecordPasskeySignIn' }>,
  user: User,
  now: Date,
): UserEvent[] {
  if (user.status !== 'active') {
    throw unauthenticated('INVALID_PASSKEY', 'The passkey is not valid for this account');
  }
  return [
    {
      type: 'LoginSucceeded',
      data: {
        userId: user.userId,
        sessionId: command.sessionId,
        method: 'passkey',
        ...(command.device ? { device: signInDevice(user, command.device) } : {}),
        at: now.toISOString(),
      },
    },
  ];
}

/**
 * A signed-in person proving again that they know the password. Nothing is recorded when they do;
 * a wrong password is a failed sign-in (counted, possibly locking the account), so whoever holds a
 * stolen session cannot guess the password through this door faster than through login.
 */
function confirmPassword(
  command: Extract<UserCommand, { type: 'ConfirmPassword' }>,
  user: User,
  { actor, now }: DecisionContext,
): UserEvent[] {
  requireActive(user);
  requireSelf(actor, user.userId, 'confirm the password');
  if (isLocked(user.lockedUntil, now)) {
    throw rateLimited('ACCOUNT_LOCKED', 'Too many failed sign-ins; try again later', {
      lockedUntil: user.lockedUntil,
    });
  }
  return command.passwordMatches ? [] : failed(user, 'password', now);
}

type FactorCheck =
  | { outcome: 'failed'; reason: UserEventOf<'LoginFailed'>['data']['reason'] }
  | {
      outcome: 'passed';
      evidence: Pick<UserEventOf<'LoginSucceeded'>['data'], 'method' | 'totpStep' | 'backupCodeHash'>;
    };

function checkSecondFactor(user: User, factor: SecondFactor): FactorCheck {
  // A passkey answers for itself, on any account: it fails only when its assertion did not verify.
  if (factor.kind === 'passkey') {
    return factor.verified
      ? { outcome: 'passed', evidence: { method: 'password+passkey' } }
      : { outcome: 'failed', reason: 'passkey' };
  }
  const totp = user.totp?.enabled ? user.totp : null;
  if (!totp) return { outcome: 'passed', evidence: { method: 'password' } };
  switch (factor.kind) {
    case 'none':
      // The password was right; asking for the second factor is not a failed attempt.
      throw unauthenticated('TOTP_REQUIRED', 'A two-factor code is required');
    case 'totp':
      if (factor.matchedStep === null) return { outcome: 'failed', reason: 'totp' };
      if (totp.lastStep !== null && factor.matchedStep <= totp.lastStep) {
        return { outcome: 'failed', reason: 'totp_replayed' };
      }
      return { outcome: 'passed', evidence: { method: 'password+totp', totpStep: factor.matchedStep } };
    case 'backup_code':
      if (!totp.unusedBackupCodeHashes.includes(factor.hash))
        return { outcome: 'failed', reason: 'backup_code' };
      return { outcome: 'passed', evidence: { method: 'password+backup_code', backupCodeHash: factor.hash } };
  }
}

function failed(user: User, reason: UserEventOf<'LoginFailed'>['data']['reason'], now: Date): UserEvent[] {
  const at = now.toISOString();
  const events: UserEvent[] = [{ type: 'LoginFailed', data: { userId: user.userId, reason, at } }];
  if (failuresInWindow(user.recentFailures, now) + 1 >= LOCK_AFTER_FAILURES) {
    const until = new Date(now.getTime() + LOCK_DURATION_MS).toISOString();
    events.push({ type: 'AccountLocked', data: { userId: user.userId, at, until } });
  }
  return events;
}

function requireActive(user: User): void {
  if (user.status !== 'active') throw conflict('USER_DEACTIVATED', 'This account is deactivated');
}

/** True when the events a sign-in produced mean it failed (the caller reports it after appending). */
export function signInFailed(events: readonly UserEvent[]): boolean {
  return events.some((event) => event.type === 'LoginFailed');
}
