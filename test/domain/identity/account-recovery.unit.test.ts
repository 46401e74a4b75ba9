import { randomUUID } from 'node:crypto';
import { beforeEach, describe, expect, it } from 'vitest';
import {
  EMAIL_VERIFICATION_TTL_MS,
  PASSWORD_RESET_TTL_MS,
  RECOVERY_REQUESTS_KEPT,
} from '../../../src/domain/identity/account-recovery.ts';
import { MAX_KNOWN_DEVICES } from '../../../src/domain/identity/account-recovery-devices.ts';
import type { UserCommand } from '../../../src/domain/identity/user-commands.ts';
import { userDecider } from '../../../src/domain/identity/user-decider.ts';
import type { UserEvent } from '../../../src/domain/identity/user-events.ts';
import { type DecisionContext, fold } from '../../../src/domain/shared/decider.ts';
import {
  anAdmin,
  anIntegration,
  anonymous,
  anotherUser,
  asUser,
  by,
  freshHash,
  minutes,
  shift,
  theSystem,
} from '../support/actors.ts';
import { deciderSpec } from '../support/decider-spec.ts';

const spec = deciderSpec(userDecider);
const now = new Date('2025-06-02T09:30:00.000Z');
const iso = (instant: Date) => instant.toISOString();
const minutesAgo = (count: number) => shift(now, -minutes(count));

let userId: string;
let self: DecisionContext;
/** Whoever follows a link from an e-mail: nobody signed in. */
let linkFollower: DecisionContext;
let recovery: DecisionContext;

beforeEach(() => {
  userId = randomUUID();
  self = by(asUser(userId), now);
  linkFollower = by(anonymous, now);
  recovery = by(theSystem('account-recovery'), now);
});

// ---- history --------------------------------------------------------------------------------------

const registered = (): UserEvent => ({
  type: 'UserRegistered',
  data: {
    userId,
    email: 'ada@example.org',
    displayName: 'Ada',
    passwordHash: freshHash(),
    role: 'user',
    at: iso(shift(now, -minutes(60 * 24 * 30))),
  },
});
const deactivated = (): UserEvent => ({ type: 'UserDeactivated', data: { userId, reason: 'left' } });
const verificationRequested = (requestId: string, at: Date): UserEvent => ({
  type: 'EmailVerificationRequested',
  data: { userId, requestId, expiresAt: iso(shift(at, EMAIL_VERIFICATION_TTL_MS)), at: iso(at) },
});
const emailVerified = (requestId: string, at: Date): UserEvent => ({
  type: 'UserEmailVerified',
  data: { userId, requestId, at: iso(at) },
});
const resetRequested = (requestId: string, at: Date): UserEvent => ({
  type: 'PasswordResetRequested',
  data: { userId, requestId, expiresAt: iso(shift(at, PASSWORD_RESET_TTL_MS)), at: iso(at) },
});
const passwordReset = (requestId: string, at: Date): UserEvent => ({
  type: 'UserPasswordReset',
  data: { userId, requestId, passwordHash: freshHash(), at: iso(at) },
});
const signedIn = (at: Date, deviceHash?: string): UserEvent => ({
  type: 'LoginSucceeded',
  data: {
    userId,
    sessionId: randomUUID(),
    method: 'password',
    ...(deviceHash ? { device: { hash: deviceHash, label: 'Firefox on Linux', newDevice: false } } : {}),
    at: iso(at),
  },
});

// ---- commands -------------------------------------------------------------------------------------

const verify = (requestId: string, requestedAt: Date): UserCommand => ({
  type: 'VerifyEmail',
  requestId,
  expiresAt: iso(shift(requestedAt, EMAIL_VERIFICATION_TTL_MS)),
});
const reset = (requestId: string, requestedAt: Date, passwordHash: string): UserCommand => ({
  type: 'ResetPassword',
  requestId,
  expiresAt: iso(shift(requestedAt, PASSWORD_RESET_TTL_MS)),
  passwordHash,
});

describe('account recovery', () => {
  describe('RegisterUser with a verification request', () => {
    it('asks for the verification e-mail in the same write as the registration', () => {
      const requestId = randomUUID();
      const passwordHash = freshHash();
      spec
        .given([])
        .when(
          {
            type: 'RegisterUser',
            userId,
            email: 'ada@example.org',
            displayName: 'Ada',
            passwordHash,
            verificationRequestId: requestId,
          },
          linkFollower,
        )
        .then([
          {
            type: 'UserRegistered',
            data: {
              userId,
              email: 'ada@example.org',
              displayName: 'Ada',
              passwordHash,
              role: 'user',
              at: iso(now),
            },
          },
          {
            type: 'EmailVerificationRequested',
            data: {
              userId,
              requestId,
              expiresAt: iso(shift(now, EMAIL_VERIFICATION_TTL_MS)),
              at: iso(now),
            },
          },
        ]);
    });
  });

  describe('RequestEmailVerification (resend)', () => {
    const resend = (requestId = randomUUID()): UserCommand => ({
      type: 'RequestEmailVerification',
      requestId,
    });

    it('sends a new link valid for 24 hours', () => {
      const requestId = randomUUID();
      spec
        .given([registered(), verificationRequested(randomUUID(), minutesAgo(90))])
        .when(resend(requestId), self)
        .then([verificationRequested(requestId, now)]);
    });

    it('allows three e-mails an hour, the registration one included, and says when to retry', () => {
      const history = [
        registered(),
        verificationRequested(randomUUID(), minutesAgo(50)),
        verificationRequested(randomUUID(), minutesAgo(20)),
      ];
      spec
        .given(history)
        .when(resend(), self)
        .then([expect.objectContaining({ type: 'EmailVerificationRequested' }) as UserEvent]);
      const full = [...history, verificationRequested(randomUUID(), minutesAgo(5))];
      spec.given(full).when(resend(), self).thenThrows('RATE_LIMITED', 'VERIFICATION_EMAIL_LIMIT');
      try {
        userDecider.decide(resend(), fold(userDecider, full), self);
      } catch (error) {
        // The oldest of the three leaves the window in 10 minutes.
        expect(error).toMatchObject({ details: { retryAfterSeconds: 600 } });
      }
    });

    it('refuses an address that is already verified', () => {
      const requestId = randomUUID();
      spec
        .given([
          registered(),
          verificationRequested(requestId, minutesAgo(30)),
          emailVerified(requestId, now),
        ])
        .when(resend(), self)
        .thenThrows('CONFLICT', 'EMAIL_ALREADY_VERIFIED');
    });

    it('is for the user or an admin, not another user or an API key', () => {
      spec.given([registered()]).when(resend(), by(anotherUser(), now)).thenThrows('FORBIDDEN', 'NOT_OWNER');
      spec
        .given([registered()])
        .when(resend(), by(anIntegration(userId, ['graphql:write']), now))
        .thenThrows('FORBIDDEN', 'NOT_OWNER');
      spec
        .given([registered()])
        .when(resend(), by(anAdmin(), now))
        .then([expect.objectContaining({ type: 'EmailVerificationRequested' }) as UserEvent]);
    });

    it('refuses a deactivated account', () => {
      spec
        .given([registered(), deactivated()])
        .when(resend(), self)
        .thenThrows('CONFLICT', 'USER_DEACTIVATED');
    });
  });

  describe('VerifyEmail', () => {
    it('verifies the address with a link followed in time, by anyone holding it', () => {
      const requestId = randomUUID();
      spec
        .given([registered(), verificationRequested(requestId, minutesAgo(60 * 23))])
        .when(verify(requestId, minutesAgo(60 * 23)), linkFollower)
        .then([emailVerified(requestId, now)]);
    });

    it('accepts the owner signed in', () => {
      const requestId = randomUUID();
      spec
        .given([registered(), verificationRequested(requestId, minutesAgo(5))])
        .when(verify(requestId, minutesAgo(5)), self)
        .then([emailVerified(requestId, now)]);
    });

    it('refuses a link used before: TOKEN_USED', () => {
      const requestId = randomUUID();
      spec
        .given([
          registered(),
          verificationRequested(requestId, minutesAgo(5)),
          emailVerified(requestId, minutesAgo(1)),
        ])
        .when(verify(requestId, minutesAgo(5)), linkFollower)
        .thenThrows('CONFLICT', 'TOKEN_USED');
    });

    it('refuses an older link once the address is verified by a newer one', () => {
      const [older, newer] = [randomUUID(), randomUUID()];
      spec
        .given([
          registered(),
          verificationRequested(older, minutesAgo(50)),
          verificationRequested(newer, minutesAgo(10)),
          emailVerified(newer, minutesAgo(1)),
        ])
        .when(verify(older, minutesAgo(50)), linkFollower)
        .thenThrows('CONFLICT', 'TOKEN_USED');
    });

    it('refuses a link after 24 hours: TOKEN_EXPIRED', () => {
      const requestId = randomUUID();
      const requestedAt = shift(now, -EMAIL_VERIFICATION_TTL_MS);
      spec
        .given([registered(), verificationRequested(requestId, requestedAt)])
        .when(verify(requestId, requestedAt), linkFollower)
        .thenThrows('CONFLICT', 'TOKEN_EXPIRED');
    });

    it('refuses a link for a request this account never made: INVALID_TOKEN', () => {
      spec
        .given([registered(), verificationRequested(randomUUID(), minutesAgo(5))])
        .when(verify(randomUUID(), minutesAgo(5)), linkFollower)
        .thenThrows('VALIDATION', 'INVALID_TOKEN');
    });

    it('refuses a link whose expiry differs from the one issued: INVALID_TOKEN', () => {
      const requestId = randomUUID();
      spec
        .given([registered(), verificationRequested(requestId, minutesAgo(5))])
        .when(verify(requestId, now), linkFollower)
        .thenThrows('VALIDATION', 'INVALID_TOKEN');
    });

    it('refuses a link followed by someone signed in as another account: INVALID_TOKEN', () => {
      const requestId = randomUUID();
      const history = [registered(), verificationRequested(requestId, minutesAgo(5))];
      spec
        .given(history)
        .when(verify(requestId, minutesAgo(5)), by(anotherUser(), now))
        .thenThrows('VALIDATION', 'INVALID_TOKEN');
      spec
        .given(history)
        .when(verify(requestId, minutesAgo(5)), by(anIntegration(userId, ['graphql:write']), now))
        .thenThrows('VALIDATION', 'INVALID_TOKEN');
    });

    it('refuses a deactivated account', () => {
      const requestId = randomUUID();
      spec
        .given([registered(), verificationRequested(requestId, minutesAgo(5)), deactivated()])
        .when(verify(requestId, minutesAgo(5)), linkFollower)
        .thenThrows('CONFLICT', 'USER_DEACTIVATED');
    });
  });

  describe('RequestPasswordReset', () => {
    const request = (requestId = randomUUID()): UserCommand => ({ type: 'RequestPasswordReset', requestId });

    it('records a request whose link works for 30 minutes', () => {
      const requestId = randomUUID();
      spec
        .given([registered()])
        .when(request(requestId), recovery)
        .then([resetRequested(requestId, now)]);
    });

    it('sends nothing past three an hour, without refusing (a refusal would reveal the account)', () => {
      spec
        .given([
          registered(),
          resetRequested(randomUUID(), minutesAgo(50)),
          resetRequested(randomUUID(), minutesAgo(30)),
          resetRequested(randomUUID(), minutesAgo(10)),
        ])
        .when(request(), recovery)
        .thenNothing();
      spec
        .given([
          registered(),
          resetRequested(randomUUID(), minutesAgo(70)),
          resetRequested(randomUUID(), minutesAgo(30)),
          resetRequested(randomUUID(), minutesAgo(10)),
        ])
        .when(request(), recovery)
        .then([expect.objectContaining({ type: 'PasswordResetRequested' }) as UserEvent]);
    });

    it('sends nothing for a deactivated account', () => {
      spec.given([registered(), deactivated()]).when(request(), recovery).thenNothing();
    });

    it('is recorded by the system only', () => {
      spec.given([registered()]).when(request(), self).thenThrows('FORBIDDEN', 'SYSTEM_ONLY');
      spec.given([registered()]).when(request(), linkFollower).thenThrows('FORBIDDEN', 'SYSTEM_ONLY');
    });
  });

  describe('ResetPassword', () => {
    it('sets the new password and revokes every session', () => {
      const requestId = randomUUID();
      const passwordHash = freshHash();
      spec
        .given([registered(), resetRequested(requestId, minutesAgo(29))])
        .when(reset(requestId, minutesAgo(29), passwordHash), linkFollower)
        .then([
          { type: 'UserPasswordReset', data: { userId, requestId, passwordHash, at: iso(now) } },
          { type: 'UserSessionsRevoked', data: { userId, at: iso(now) } },
        ]);
    });

    it('refuses the same link twice: TOKEN_USED', () => {
      const requestId = randomUUID();
      spec
        .given([
          registered(),
          resetRequested(requestId, minutesAgo(10)),
          passwordReset(requestId, minutesAgo(5)),
        ])
        .when(reset(requestId, minutesAgo(10), freshHash()), linkFollower)
        .thenThrows('CONFLICT', 'TOKEN_USED');
    });

    it('refuses every other open link once one was used or the password changed', () => {
      const [first, second] = [randomUUID(), randomUUID()];
      spec
        .given([
          registered(),
          resetRequested(first, minutesAgo(20)),
          resetRequested(second, minutesAgo(10)),
          passwordReset(second, minutesAgo(5)),
        ])
        .when(reset(first, minutesAgo(20), freshHash()), linkFollower)
        .thenThrows('CONFLICT', 'TOKEN_USED');
      spec
        .given([
          registered(),
          resetRequested(first, minutesAgo(20)),
          { type: 'UserPasswordChanged', data: { userId, passwordHash: freshHash() } },
        ])
        .when(reset(first, minutesAgo(20), freshHash()), linkFollower)
        .thenThrows('CONFLICT', 'TOKEN_USED');
    });

    it('refuses a link after 30 minutes: TOKEN_EXPIRED', () => {
      const requestId = randomUUID();
      spec
        .given([registered(), resetRequested(requestId, minutesAgo(30))])
        .when(reset(requestId, minutesAgo(30), freshHash()), linkFollower)
        .thenThrows('CONFLICT', 'TOKEN_EXPIRED');
    });

    it('refuses a verification link presented as a reset link: INVALID_TOKEN', () => {
      const requestId = randomUUID();
      spec
        .given([registered(), verificationRequested(requestId, minutesAgo(5))])
        .when(reset(requestId, minutesAgo(5), freshHash()), linkFollower)
        .thenThrows('VALIDATION', 'INVALID_TOKEN');
    });

    it('refuses someone signed in as another account: INVALID_TOKEN', () => {
      const requestId = randomUUID();
      spec
        .given([registered(), resetRequested(requestId, minutesAgo(5))])
        .when(reset(requestId, minutesAgo(5), freshHash()), by(anotherUser(), now))
        .thenThrows('VALIDATION', 'INVALID_TOKEN');
    });

    it('lifts a lock from failed sign-ins', () => {
      const requestId = randomUUID();
      const state = fold(userDecider, [
        registered(),
        {
          type: 'AccountLocked',
          data: { userId, at: iso(minutesAgo(2)), until: iso(shift(now, minutes(13))) },
        },
        resetRequested(requestId, minutesAgo(1)),
        passwordReset(requestId, now),
      ]);
      expect(state).toMatchObject({ lockedUntil: null, recentFailures: [] });
    });

    it('proves the mailbox: the address counts as verified, and open verification links are used up', () => {
      const [verification, resetRequest] = [randomUUID(), randomUUID()];
      const history = [
        registered(),
        verificationRequested(verification, minutesAgo(30)),
        resetRequested(resetRequest, minutesAgo(5)),
        passwordReset(resetRequest, minutesAgo(1)),
      ];
      expect(fold(userDecider, history)).toMatchObject({ emailVerifiedAt: iso(minutesAgo(1)) });
      spec
        .given(history)
        .when(verify(verification, minutesAgo(30)), linkFollower)
        .thenThrows('CONFLICT', 'TOKEN_USED');
      // An address verified before keeps its first verification time.
      const verifiedFirst = fold(userDecider, [
        registered(),
        verificationRequested(verification, minutesAgo(30)),
        emailVerified(verification, minutesAgo(20)),
        resetRequested(resetRequest, minutesAgo(5)),
        passwordReset(resetRequest, minutesAgo(1)),
      ]);
      expect(verifiedFirst).toMatchObject({ emailVerifiedAt: iso(minutesAgo(20)) });
    });
  });

  describe('devices on sign-in', () => {
    const signIn = (hash: string): UserCommand => ({
      type: 'RecordSignIn',
      sessionId: randomUUID(),
      passwordMatches: true,
      secondFactor: { kind: 'none' },
      device: { hash, label: 'Firefox on Linux' },
    });
    const deviceOf = (history: UserEvent[], hash: string) => {
      const [event] = userDecider.decide(
        signIn(hash),
        fold(userDecider, history),
        by(theSystem('sign-in'), now),
      );
      return event?.type === 'LoginSucceeded' ? event.data.device : undefined;
    };

    it('the very first sign-in is not from a new device', () => {
      expect(deviceOf([registered()], freshHash())).toMatchObject({ newDevice: false });
    });

    it('a device signed in from before is known; another one is new', () => {
      const laptop = freshHash();
      const history = [registered(), signedIn(minutesAgo(60), laptop)];
      expect(deviceOf(history, laptop)).toEqual({
        hash: laptop,
        label: 'Firefox on Linux',
        newDevice: false,
      });
      expect(deviceOf(history, freshHash())).toMatchObject({ newDevice: true });
    });

    it('a device remembered under its former hash (before device ids) is not new', () => {
      const former = freshHash();
      const history = [registered(), signedIn(minutesAgo(60), former)];
      const [event] = userDecider.decide(
        {
          type: 'RecordSignIn',
          sessionId: randomUUID(),
          passwordMatches: true,
          secondFactor: { kind: 'none' },
          device: { hash: freshHash(), label: 'Firefox on Linux', formerHash: former },
        },
        fold(userDecider, history),
        by(theSystem('sign-in'), now),
      );
      expect(event?.type === 'LoginSucceeded' && event.data.device).toMatchObject({ newDevice: false });
      expect(deviceOf(history, freshHash())).toMatchObject({ newDevice: true });
    });

    it('sign-ins recorded without a device give nothing to compare with: not new', () => {
      expect(deviceOf([registered(), signedIn(minutesAgo(60))], freshHash())).toMatchObject({
        newDevice: false,
      });
    });

    it('remembers the last 50 devices', () => {
      const hashes = Array.from({ length: MAX_KNOWN_DEVICES + 1 }, () => freshHash());
      const history = [registered(), ...hashes.map((hash, i) => signedIn(minutesAgo(100 - i), hash))];
      const state = fold(userDecider, history);
      expect(state).toMatchObject({ knownDeviceHashes: hashes.slice(1) });
      expect(deviceOf(history, hashes[0] as string)).toMatchObject({ newDevice: true });
      expect(deviceOf(history, hashes[1] as string)).toMatchObject({ newDevice: false });
    });
  });

  describe('evolve', () => {
    it('keeps at most RECOVERY_REQUESTS_KEPT requests of each kind', () => {
      const history = [
        registered(),
        ...Array.from({ length: RECOVERY_REQUESTS_KEPT + 5 }, (_, i) =>
          resetRequested(randomUUID(), minutesAgo(1000 - i)),
        ),
      ];
      const state = fold(userDecider, history);
      expect(state.status === 'active' && state.resetRequests.length).toBe(RECOVERY_REQUESTS_KEPT);
    });

    it('records when the address was verified', () => {
      const requestId = randomUUID();
      const state = fold(userDecider, [
        registered(),
        verificationRequested(requestId, minutesAgo(5)),
        emailVerified(requestId, minutesAgo(1)),
      ]);
      expect(state).toMatchObject({ emailVerifiedAt: iso(minutesAgo(1)) });
    });
  });
});
