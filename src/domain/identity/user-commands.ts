import type { PlatformRole } from '../shared/decider.ts';
import type { PresentedDevice } from './account-recovery-devices.ts';

/**
 * Commands on a user. Anything slow or secret is worked out before the decider runs (hashing a
 * password, checking one, matching a TOTP code), so the decider stays pure and only decides.
 */
export type UserCommand =
  | {
      type: 'RegisterUser';
      userId: string;
      email: string;
      displayName: string;
      passwordHash: string;
      /** When given, the address's verification e-mail is asked for in the same write. */
      verificationRequestId?: string;
    }
  | {
      type: 'ChangeProfile';
      displayName?: string;
      bio?: string | null;
      /** The device's time of an offline change (through sync); absent for online edits. */
      clientTime?: string;
    }
  | { type: 'ChangePassword'; currentPasswordMatches: boolean; newPasswordHash: string }
  | { type: 'SetRole'; role: PlatformRole }
  | { type: 'DeactivateUser'; reason: string }
  | {
      type: 'RecordSignIn';
      sessionId: string;
      passwordMatches: boolean;
      secondFactor: SecondFactor;
      /** Where the sign-in came from; absent when the caller cannot tell. */
      device?: PresentedDevice;
    }
  /** Passwordless: a passkey assertion, verified and counted on the passkeys stream first. */
  | { type: 'RecordPasskeySignIn'; sessionId: string; device?: PresentedDevice }
  | { type: 'RevokeAllSessions' }
  /**
   * Recent authentication before a sensitive change (adding a passkey): the password, checked by the
   * caller. A wrong one is recorded as a failed sign-in, so it counts towards the lock.
   */
  | { type: 'ConfirmPassword'; passwordMatches: boolean }
  | { type: 'StartTotpEnrollment'; secret: string }
  | { type: 'ConfirmTotp'; matchedStep: number | null; backupCodeHashes: string[] }
  | { type: 'ForgetUser'; keyId: string | null }
  // Account recovery (account-recovery.ts). Tokens are checked before these run: a command names
  // the request its link was made for and the expiry the link carries.
  | { type: 'RequestEmailVerification'; requestId: string }
  | { type: 'VerifyEmail'; requestId: string; expiresAt: string }
  | { type: 'RequestPasswordReset'; requestId: string }
  | { type: 'ResetPassword'; requestId: string; expiresAt: string; passwordHash: string };

/** What the client sent as a second factor, already checked against the user's secret. */
export type SecondFactor =
  | { kind: 'none' }
  /** `matchedStep` is null when the code matched no step in the window. */
  | { kind: 'totp'; matchedStep: number | null }
  | { kind: 'backup_code'; hash: string }
  /** A passkey assertion for this user; `verified` is false when its signature did not check out. */
  | { kind: 'passkey'; verified: boolean };
