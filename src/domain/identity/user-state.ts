import type { PlatformRole } from '../shared/decider.ts';
import { closeRequests, rememberRequest } from './account-recovery.ts';
import { rememberDevice } from './account-recovery-devices.ts';
import type { UserEvent } from './user-events.ts';

export type UserStatus = 'active' | 'deactivated' | 'forgotten';

export interface TotpState {
  /** Set while enrolment awaits its first code, and kept once enabled; null after erasure. */
  secret: string | null;
  enabled: boolean;
  /** The last step used to sign in: a code is never accepted twice. */
  lastStep: number | null;
  unusedBackupCodeHashes: readonly string[];
}

export interface User {
  userId: string;
  status: UserStatus;
  email: string | null;
  displayName: string | null;
  bio: string | null;
  role: PlatformRole;
  passwordHash: string;
  /** Failed sign-ins since the last success or lock, newest last (ISO instants). */
  recentFailures: readonly string[];
  lockedUntil: string | null;
  /** Sessions started before this instant are revoked ("sign out everywhere"). */
  sessionsRevokedBefore: string | null;
  totp: TotpState | null;
  /** When the address on record was proven to be the user's (a verification link followed). */
  emailVerifiedAt: string | null;
  /** Verification e-mails asked for, newest last (their links, their limit per hour). */
  verificationRequests: readonly RecoveryRequest[];
  /** Password reset e-mails asked for, newest last. */
  resetRequests: readonly RecoveryRequest[];
  /** Hashes of the devices signed in from, most recent last (see account-recovery-devices.ts). */
  knownDeviceHashes: readonly string[];
}

/** A verification or reset e-mail's request: its link works until `expiresAt` unless closed. */
export interface RecoveryRequest {
  requestId: string;
  expiresAt: string;
  at: string;
  /** `used`: its link was followed; `superseded`: another link (or a password change) came first. */
  closed: 'used' | 'superseded' | null;
}

export type UserState = { status: 'unregistered' } | User;

export const initialUserState: UserState = { status: 'unregistered' };

export function evolveUser(state: UserState, event: UserEvent): UserState {
  if (event.type === 'UserRegistered') {
    const { userId, email, displayName, passwordHash, role } = event.data;
    return {
      userId,
      status: 'active',
      email,
      displayName,
      bio: null,
      role,
      passwordHash,
      recentFailures: [],
      lockedUntil: null,
      sessionsRevokedBefore: null,
      totp: null,
      emailVerifiedAt: null,
      verificationRequests: [],
      resetRequests: [],
      knownDeviceHashes: [],
    };
  }
  if (state.status === 'unregistered') return state;
  return evolveRegistered(state, event);
}

function evolveRegistered(user: User, event: UserEvent): User {
  switch (event.type) {
    case 'UserProfileChanged': {
      const { displayName, bio } = event.data;
      return {
        ...user,
        displayName: displayName === undefined ? user.displayName : displayName,
        bio: bio === undefined ? user.bio : bio,
      };
    }
    case 'UserPasswordChanged':
      // A reset link sent before the change would undo it: it stops working.
      return {
        ...user,
        passwordHash: event.data.passwordHash,
        resetRequests: closeRequests(user.resetRequests, null),
      };
    case 'UserRoleChanged':
      return { ...user, role: event.data.role };
    case 'UserDeactivated':
      return { ...user, status: 'deactivated' };
    case 'LoginFailed':
      return {
        ...user,
        recentFailures: [...user.recentFailures, event.data.at].slice(-MAX_REMEMBERED_FAILURES),
      };
    case 'AccountLocked':
      return { ...user, recentFailures: [], lockedUntil: event.data.until };
    case 'LoginSucceeded':
      return {
        ...user,
        recentFailures: [],
        lockedUntil: null,
        totp: afterSignIn(user.totp, event.data),
        knownDeviceHashes: event.data.device
          ? rememberDevice(user.knownDeviceHashes, event.data.device.hash)
          : user.knownDeviceHashes,
      };
    case 'UserSessionsRevoked':
      return { ...user, sessionsRevokedBefore: event.data.at };
    case 'TotpEnrollmentStarted':
      return {
        ...user,
        totp: { secret: event.data.secret, enabled: false, lastStep: null, unusedBackupCodeHashes: [] },
      };
    case 'TotpEnabled':
      return user.totp
        ? {
            ...user,
            totp: {
              ...user.totp,
              enabled: true,
              lastStep: event.data.step,
              unusedBackupCodeHashes: event.data.backupCodeHashes,
            },
          }
        : user;
    case 'EmailVerificationRequested':
      return { ...user, verificationRequests: rememberRequest(user.verificationRequests, event.data) };
    case 'UserEmailVerified':
      return {
        ...user,
        emailVerifiedAt: event.data.at,
        verificationRequests: closeRequests(user.verificationRequests, event.data.requestId),
      };
    case 'PasswordResetRequested':
      return { ...user, resetRequests: rememberRequest(user.resetRequests, event.data) };
    case 'UserPasswordReset':
      // Proving the mailbox is enough to get back in: the lock from failed guesses goes too.
      return {
        ...user,
        passwordHash: event.data.passwordHash,
        recentFailures: [],
        lockedUntil: null,
        resetRequests: closeRequests(user.resetRequests, event.data.requestId),
        // Following the reset link proved the mailbox as well as a verification link would have.
        emailVerifiedAt: user.emailVerifiedAt ?? event.data.at,
      };
    case 'UserForgotten':
      return { ...user, status: 'forgotten', email: null, displayName: null, bio: null, totp: null };
    default:
      return user;
  }
}

const MAX_REMEMBERED_FAILURES = 10;

function afterSignIn(
  totp: TotpState | null,
  data: { totpStep?: number | undefined; backupCodeHash?: string | undefined },
): TotpState | null {
  if (!totp) return totp;
  return {
    ...totp,
    lastStep: data.totpStep ?? totp.lastStep,
    unusedBackupCodeHashes: totp.unusedBackupCodeHashes.filter((hash) => hash !== data.backupCodeHash),
  };
}
