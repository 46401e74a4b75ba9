import { z } from 'zod';
import { PLATFORM_ROLES } from '../shared/decider.ts';
import type { EventCatalogue } from '../shared/event-catalogue.ts';

/**
 * The user aggregate's events. Personal fields (e-mail, display name, bio, the TOTP secret) are
 * nullable: they are stored encrypted with the user's key and read back as null once the user has
 * been forgotten.
 */
const role = z.enum(PLATFORM_ROLES);
const instant = z.iso.datetime();
const personal = z.string().nullable();
const sha256Hex = z.string().regex(/^[0-9a-f]{64}$/);

/** Where a sign-in came from, as far as the server can tell (see docs/account-recovery.md). */
export const signInDeviceSchema = z.object({
  /** sha256 hex of the user agent and the client's device id: recognises a device without storing either. */
  hash: sha256Hex,
  /** A readable guess such as "Firefox on Linux", for the security e-mail and notification. */
  label: z.string().max(100),
  /** False for the very first sign-in: a new account has no "known" devices to differ from. */
  newDevice: z.boolean(),
});

/** A recovery link's request: its id is in the signed token, its expiry decides the token's life. */
const recoveryRequest = { userId: z.uuid(), requestId: z.uuid(), expiresAt: instant, at: instant };

export const userEventSchemas = {
  UserRegistered: z.object({
    userId: z.uuid(),
    email: personal,
    displayName: personal,
    passwordHash: z.string(),
    role,
    at: instant,
  }),
  UserProfileChanged: z.object({
    userId: z.uuid(),
    displayName: personal.optional(),
    bio: personal.optional(),
    /**
     * The device's time of the change (ISO 8601 with its offset, kept as sent) when it came
     * through offline sync: profile fields are last-write-wins by it. Absent for online edits,
     * whose time is the event's own.
     */
    clientTime: z.iso.datetime({ offset: true }).optional(),
  }),
  UserPasswordChanged: z.object({ userId: z.uuid(), passwordHash: z.string() }),
  UserRoleChanged: z.object({ userId: z.uuid(), role, previousRole: role }),
  UserDeactivated: z.object({ userId: z.uuid(), reason: z.string().max(500) }),
  LoginFailed: z.object({
    userId: z.uuid(),
    reason: z.enum(['password', 'totp', 'totp_replayed', 'backup_code', 'passkey']),
    at: instant,
  }),
  AccountLocked: z.object({ userId: z.uuid(), at: instant, until: instant }),
  LoginSucceeded: z.object({
    userId: z.uuid(),
    sessionId: z.uuid(),
    method: z.enum(['password', 'password+totp', 'password+backup_code', 'passkey', 'password+passkey']),
    totpStep: z.number().int().optional(),
    backupCodeHash: sha256Hex.optional(),
    /** Absent on sign-ins recorded before device detection existed. */
    device: signInDeviceSchema.optional(),
    at: instant,
  }),
  UserSessionsRevoked: z.object({ userId: z.uuid(), at: instant }),
  TotpEnrollmentStarted: z.object({ userId: z.uuid(), secret: personal }),
  TotpEnabled: z.object({ userId: z.uuid(), step: z.number().int(), backupCodeHashes: z.array(sha256Hex) }),
  UserForgotten: z.object({
    userId: z.uuid(),
    keyId: z.uuid().nullable(),
    erasedFields: z.array(z.string()),
    at: instant,
  }),
  EmailVerificationRequested: z.object(recoveryRequest),
  UserEmailVerified: z.object({ userId: z.uuid(), requestId: z.uuid(), at: instant }),
  PasswordResetRequested: z.object(recoveryRequest),
  UserPasswordReset: z.object({
    userId: z.uuid(),
    requestId: z.uuid(),
    passwordHash: z.string(),
    at: instant,
  }),
};

type Schemas = typeof userEventSchemas;
export type UserEvent = {
  [Type in keyof Schemas]: { type: Type; data: z.infer<Schemas[Type]> };
}[keyof Schemas];
export type UserEventOf<Type extends UserEvent['type']> = Extract<UserEvent, { type: Type }>;

/** Every personal field the user aggregate stores, for the erasure receipt. */
export const USER_PERSONAL_FIELDS = ['email', 'displayName', 'bio', 'totpSecret'] as const;

const bySubject = (data: { userId: string }) => data.userId;

export const userEventCatalogue: EventCatalogue<UserEvent> = {
  UserRegistered: {
    type: 'UserRegistered',
    schemaVersion: 1,
    schema: userEventSchemas.UserRegistered,
    personalFields: ['email', 'displayName'],
    credentialFields: ['passwordHash'],
    subject: bySubject,
    publicFields: ['userId', 'displayName', 'role', 'at'],
  },
  UserProfileChanged: {
    type: 'UserProfileChanged',
    schemaVersion: 1,
    schema: userEventSchemas.UserProfileChanged,
    personalFields: ['displayName', 'bio'],
    subject: bySubject,
    publicFields: ['userId', 'displayName', 'bio', 'clientTime'],
  },
  UserPasswordChanged: {
    type: 'UserPasswordChanged',
    schemaVersion: 1,
    schema: userEventSchemas.UserPasswordChanged,
    credentialFields: ['passwordHash'],
  },
  UserRoleChanged: {
    type: 'UserRoleChanged',
    schemaVersion: 1,
    schema: userEventSchemas.UserRoleChanged,
    publicFields: ['userId', 'role', 'previousRole'],
  },
  UserDeactivated: {
    type: 'UserDeactivated',
    schemaVersion: 1,
    schema: userEventSchemas.UserDeactivated,
    publicFields: ['userId'],
  },
  LoginFailed: { type: 'LoginFailed', schemaVersion: 1, schema: userEventSchemas.LoginFailed },
  AccountLocked: { type: 'AccountLocked', schemaVersion: 1, schema: userEventSchemas.AccountLocked },
  LoginSucceeded: {
    type: 'LoginSucceeded',
    schemaVersion: 1,
    schema: userEventSchemas.LoginSucceeded,
    // The device hash recognises a person's browser wherever it turns up: auditors see that one
    // was recorded, not which (the notification rules read it through the codec, unredacted).
    credentialFields: ['backupCodeHash', 'device'],
  },
  UserSessionsRevoked: {
    type: 'UserSessionsRevoked',
    schemaVersion: 1,
    schema: userEventSchemas.UserSessionsRevoked,
  },
  TotpEnrollmentStarted: {
    type: 'TotpEnrollmentStarted',
    schemaVersion: 1,
    schema: userEventSchemas.TotpEnrollmentStarted,
    personalFields: ['secret'],
    subject: bySubject,
    credentialFields: ['secret'],
  },
  TotpEnabled: {
    type: 'TotpEnabled',
    schemaVersion: 1,
    schema: userEventSchemas.TotpEnabled,
    credentialFields: ['backupCodeHashes'],
  },
  UserForgotten: {
    type: 'UserForgotten',
    schemaVersion: 1,
    schema: userEventSchemas.UserForgotten,
    publicFields: ['userId', 'at'],
  },
  // The recovery events carry no token: the link's token is derived from them with AUTH_SECRET, so
  // the history (and an integrator reading it) never holds anything that opens an account.
  EmailVerificationRequested: {
    type: 'EmailVerificationRequested',
    schemaVersion: 1,
    schema: userEventSchemas.EmailVerificationRequested,
  },
  UserEmailVerified: {
    type: 'UserEmailVerified',
    schemaVersion: 1,
    schema: userEventSchemas.UserEmailVerified,
    publicFields: ['userId', 'at'],
  },
  PasswordResetRequested: {
    type: 'PasswordResetRequested',
    schemaVersion: 1,
    schema: userEventSchemas.PasswordResetRequested,
  },
  UserPasswordReset: {
    type: 'UserPasswordReset',
    schemaVersion: 1,
    schema: userEventSchemas.UserPasswordReset,
    credentialFields: ['passwordHash'],
  },
};
