import { randomUUID } from 'node:crypto';
import { beforeEach, describe, it } from 'vitest';
import type { SecondFactor, UserCommand } from '../../../src/domain/identity/user-commands.ts';
import { userDecider } from '../../../src/domain/identity/user-decider.ts';
import type { UserEvent } from '../../../src/domain/identity/user-events.ts';
import type { DecisionContext } from '../../../src/domain/shared/decider.ts';
import { anotherUser, asUser, by, minutes, shift, theSystem } from '../support/actors.ts';
import { deciderSpec } from '../support/decider-spec.ts';

/** The user aggregate's side of passkeys: passwordless sign-in and the passkey as a second factor. */
const spec = deciderSpec(userDecider);
const now = new Date('2026-03-02T10:00:00.000Z');
const at = now.toISOString();

let userId: string;
let sessionId: string;
let signInService: DecisionContext;
beforeEach(() => {
  userId = randomUUID();
  sessionId = randomUUID();
  signInService = by(theSystem('sign-in'), now);
});

const registered = (): UserEvent => ({
  type: 'UserRegistered',
  data: {
    userId,
    email: 'ada@example.org',
    displayName: 'Ada',
    passwordHash: '$argon2id$v=19$m=19456,t=2,p=1$x',
    role: 'user',
    at: shift(now, -minutes(600)).toISOString(),
  },
});
const totpEnabled = (): UserEvent[] => [
  { type: 'TotpEnrollmentStarted', data: { userId, secret: 'JBSWY3DPEHPK3PXP' } },
  { type: 'TotpEnabled', data: { userId, step: 100, backupCodeHashes: [] } },
];
const locked = (): UserEvent => ({
  type: 'AccountLocked',
  data: { userId, at: shift(now, -minutes(1)).toISOString(), until: shift(now, minutes(14)).toISOString() },
});
const passwordless = (): UserCommand => ({ type: 'RecordPasskeySignIn', sessionId });
const withPassword = (secondFactor: SecondFactor): UserCommand => ({
  type: 'RecordSignIn',
  sessionId,
  passwordMatches: true,
  secondFactor,
});
const succeeded = (method: 'passkey' | 'password+passkey'): UserEvent => ({
  type: 'LoginSucceeded',
  data: { userId, sessionId, method, at },
});

describe('passwordless sign-in with a passkey (user decider)', () => {
  it('signs in with the passkey as both factors, TOTP or not', () => {
    spec
      .given([registered()])
      .when(passwordless(), signInService)
      .then([succeeded('passkey')]);
    spec
      .given([registered(), ...totpEnabled()])
      .when(passwordless(), signInService)
      .then([succeeded('passkey')]);
  });

  it('refuses a deactivated or forgotten account', () => {
    const deactivated: UserEvent = { type: 'UserDeactivated', data: { userId, reason: 'gone' } };
    const forgotten: UserEvent = {
      type: 'UserForgotten',
      data: { userId, keyId: null, erasedFields: [], at },
    };
    spec
      .given([registered(), deactivated])
      .when(passwordless(), signInService)
      .thenThrows('UNAUTHENTICATED', 'INVALID_PASSKEY');
    spec
      .given([registered(), forgotten])
      .when(passwordless(), signInService)
      .thenThrows('NOT_FOUND', 'USER_NOT_FOUND');
  });

  it('is not shut out by a lock that wrong passwords caused', () => {
    spec
      .given([registered(), locked()])
      .when(passwordless(), signInService)
      .then([succeeded('passkey')]);
  });
});

describe('a passkey as the second factor (user decider)', () => {
  it('stands in for the TOTP code', () => {
    spec
      .given([registered(), ...totpEnabled()])
      .when(withPassword({ kind: 'passkey', verified: true }), signInService)
      .then([succeeded('password+passkey')]);
  });

  it('records an assertion that did not verify as a failed attempt', () => {
    spec
      .given([registered(), ...totpEnabled()])
      .when(withPassword({ kind: 'passkey', verified: false }), signInService)
      .then([{ type: 'LoginFailed', data: { userId, reason: 'passkey', at } }]);
  });

  it('still checks the password first, and the lock', () => {
    spec
      .given([registered(), ...totpEnabled()])
      .when(
        {
          type: 'RecordSignIn',
          sessionId,
          passwordMatches: false,
          secondFactor: { kind: 'passkey', verified: true },
        },
        signInService,
      )
      .then([{ type: 'LoginFailed', data: { userId, reason: 'password', at } }]);
    spec
      .given([registered(), locked()])
      .when(withPassword({ kind: 'passkey', verified: true }), signInService)
      .thenThrows('RATE_LIMITED', 'ACCOUNT_LOCKED');
  });
});

describe('confirming the password before adding a passkey (user decider)', () => {
  const confirm = (passwordMatches: boolean): UserCommand => ({ type: 'ConfirmPassword', passwordMatches });
  const failures = (count: number): UserEvent[] =>
    Array.from({ length: count }, () => ({
      type: 'LoginFailed' as const,
      data: { userId, reason: 'password' as const, at: shift(now, -minutes(1)).toISOString() },
    }));

  it('records nothing for the right password', () => {
    spec
      .given([registered()])
      .when(confirm(true), by(asUser(userId), now))
      .then([]);
  });

  it('records a wrong one as a failed sign-in, and the tenth in the window locks the account', () => {
    spec
      .given([registered()])
      .when(confirm(false), by(asUser(userId), now))
      .then([{ type: 'LoginFailed', data: { userId, reason: 'password', at } }]);
    spec
      .given([registered(), ...failures(9)])
      .when(confirm(false), by(asUser(userId), now))
      .then([
        { type: 'LoginFailed', data: { userId, reason: 'password', at } },
        {
          type: 'AccountLocked',
          data: { userId, at, until: shift(now, minutes(15)).toISOString() },
        },
      ]);
  });

  it('refuses a locked account even with the right password, another person, and a deactivated account', () => {
    spec
      .given([registered(), locked()])
      .when(confirm(true), by(asUser(userId), now))
      .thenThrows('RATE_LIMITED', 'ACCOUNT_LOCKED');
    spec
      .given([registered()])
      .when(confirm(true), by(anotherUser(), now))
      .thenThrows('FORBIDDEN', 'NOT_OWNER');
    spec
      .given([registered(), { type: 'UserDeactivated', data: { userId, reason: 'gone' } }])
      .when(confirm(true), by(asUser(userId), now))
      .thenThrows('CONFLICT', 'USER_DEACTIVATED');
  });
});
