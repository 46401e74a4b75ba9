import type { PlatformRole } from '../shared/decider.ts';
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
      return { ...user, passwordHash: event.data.passwordHash };
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
      return { ...user, recentFailures: [], lockedUntil: null, totp: afterSignIn(user.totp, event.data) };
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
