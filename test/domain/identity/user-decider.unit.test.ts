import { randomUUID } from 'node:crypto';
import { beforeEach, describe, expect, it } from 'vitest';
import type { SecondFactor, UserCommand } from '../../../src/domain/identity/user-commands.ts';
import { userDecider } from '../../../src/domain/identity/user-decider.ts';
import type { UserEvent, UserEventOf } from '../../../src/domain/identity/user-events.ts';
import type { User } from '../../../src/domain/identity/user-state.ts';
import { type DecisionContext, fold, type PlatformRole } from '../../../src/domain/shared/decider.ts';
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
let passwordHash: string;
/** The user themself, signed in interactively. */
let self: DecisionContext;
/** Sign-in attempts are recorded by the system after it has checked the credentials. */
let signInService: DecisionContext;

beforeEach(() => {
  userId = randomUUID();
  passwordHash = `$argon2id$v=19$m=19456,t=2,p=1$${randomUUID()}`;
  self = by(asUser(userId), now);
  signInService = by(theSystem('sign-in'), now);
});

// ---- history --------------------------------------------------------------------------------------

const registered = (): UserEventOf<'UserRegistered'> => ({
  type: 'UserRegistered',
  data: {
    userId,
    email: 'ada@example.org',
    displayName: 'Ada',
    passwordHash,
    role: 'user',
    at: iso(shift(now, -minutes(60 * 24 * 30))),
  },
});
const roleChanged = (role: PlatformRole, previousRole: PlatformRole): UserEvent => ({
  type: 'UserRoleChanged',
  data: { userId, role, previousRole },
});
const deactivated = (): UserEvent => ({
  type: 'UserDeactivated',
  data: { userId, reason: 'left the platform' },
});
const forgotten = (): UserEvent => ({
  type: 'UserForgotten',
  data: {
    userId,
    keyId: randomUUID(),
    erasedFields: ['email', 'displayName', 'bio', 'totpSecret'],
    at: iso(now),
  },
});
const loginFailed = (
  at: Date,
  reason: UserEventOf<'LoginFailed'>['data']['reason'] = 'password',
): UserEventOf<'LoginFailed'> => ({ type: 'LoginFailed', data: { userId, reason, at: iso(at) } });
/** One failed password attempt this many minutes ago, for each number given. */
const failuresMinutesAgo = (...ages: number[]): UserEvent[] =>
  ages.map((age) => loginFailed(minutesAgo(age)));
const accountLocked = (at: Date): UserEventOf<'AccountLocked'> => ({
  type: 'AccountLocked',
  data: { userId, at: iso(at), until: iso(shift(at, minutes(15))) },
});
const loginSucceeded = (
  at: Date,
  evidence: Pick<UserEventOf<'LoginSucceeded'>['data'], 'method' | 'totpStep' | 'backupCodeHash'> = {
    method: 'password',
  },
): UserEvent => ({
  type: 'LoginSucceeded',
  data: { userId, sessionId: randomUUID(), ...evidence, at: iso(at) },
});
const TOTP_SECRET = 'JBSWY3DPEHPK3PXP';
const totpEnrollmentStarted = (secret: string = TOTP_SECRET): UserEvent => ({
  type: 'TotpEnrollmentStarted',
  data: { userId, secret },
});
const totpEnabled = (step: number, backupCodeHashes: string[]): UserEvent => ({
  type: 'TotpEnabled',
  data: { userId, step, backupCodeHashes },
});

// ---- commands -------------------------------------------------------------------------------------

type RecordSignIn = Extract<UserCommand, { type: 'RecordSignIn' }>;
const signIn = (passwordMatches: boolean, secondFactor: SecondFactor = { kind: 'none' }): RecordSignIn => ({
  type: 'RecordSignIn',
  sessionId: randomUUID(),
  passwordMatches,
  secondFactor,
});
const withTotp = (matchedStep: number | null): SecondFactor => ({ kind: 'totp', matchedStep });
const withBackupCode = (hash: string): SecondFactor => ({ kind: 'backup_code', hash });

/** A valid-looking instance of every command but RegisterUser, built fresh for each spec. */
const COMMANDS_ON_A_USER: { name: UserCommand['type']; command: () => UserCommand }[] = [
  { name: 'ChangeProfile', command: () => ({ type: 'ChangeProfile', displayName: 'Grace' }) },
  {
    name: 'ChangePassword',
    command: () => ({ type: 'ChangePassword', currentPasswordMatches: true, newPasswordHash: freshHash() }),
  },
  { name: 'SetRole', command: () => ({ type: 'SetRole', role: 'creator' }) },
  { name: 'DeactivateUser', command: () => ({ type: 'DeactivateUser', reason: 'leaving' }) },
  { name: 'RecordSignIn', command: () => signIn(true) },
  { name: 'RevokeAllSessions', command: () => ({ type: 'RevokeAllSessions' }) },
  { name: 'StartTotpEnrollment', command: () => ({ type: 'StartTotpEnrollment', secret: TOTP_SECRET }) },
  { name: 'ConfirmTotp', command: () => ({ type: 'ConfirmTotp', matchedStep: 1, backupCodeHashes: [] }) },
  { name: 'ForgetUser', command: () => ({ type: 'ForgetUser', keyId: randomUUID() }) },
];

// ---- specs ----------------------------------------------------------------------------------------

describe('user decider', () => {
  describe('RegisterUser', () => {
    const register = (): UserCommand => ({
      type: 'RegisterUser',
      userId,
      email: 'ada@example.org',
      displayName: 'Ada',
      passwordHash,
    });

    it('registers a new user with the role `user`', () => {
      spec
        .given([])
        .when(register(), by(anonymous, now))
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
        ]);
    });

    it('rejects registering a user who already exists', () => {
      spec.given([registered()]).when(register(), by(anonymous, now)).thenThrows('CONFLICT', 'USER_EXISTS');
    });

    it('rejects registering a deactivated user again', () => {
      spec
        .given([registered(), deactivated()])
        .when(register(), by(anonymous, now))
        .thenThrows('CONFLICT', 'USER_EXISTS');
    });

    it('never reuses the id of a forgotten user', () => {
      spec
        .given([registered(), forgotten()])
        .when(register(), by(anonymous, now))
        .thenThrows('CONFLICT', 'USER_EXISTS');
    });
  });

  describe('any other command on a user who never registered', () => {
    it.each(COMMANDS_ON_A_USER)('$name is NOT_FOUND, even for an admin', ({ command }) => {
      spec.given([]).when(command(), by(anAdmin(), now)).thenThrows('NOT_FOUND', 'USER_NOT_FOUND');
    });
  });

  describe('ChangeProfile', () => {
    const changeProfile: UserCommand = { type: 'ChangeProfile', displayName: 'Ada L.', bio: 'Analyst' };
    const profileChanged = (): UserEvent[] => [
      { type: 'UserProfileChanged', data: { userId, displayName: 'Ada L.', bio: 'Analyst' } },
    ];

    it('lets the user change their own profile', () => {
      spec.given([registered()]).when(changeProfile, self).then(profileChanged());
    });

    it('lets an admin change it', () => {
      spec.given([registered()]).when(changeProfile, by(anAdmin(), now)).then(profileChanged());
    });

    it('lets the system change it', () => {
      spec.given([registered()]).when(changeProfile, by(theSystem(), now)).then(profileChanged());
    });

    it("lets an integration change it through the owner's key with graphql:write", () => {
      spec
        .given([registered()])
        .when(changeProfile, by(anIntegration(userId, ['graphql:read', 'graphql:write']), now))
        .then(profileChanged());
    });

    it('changes only the fields given, and clears the bio with null', () => {
      spec
        .given([registered()])
        .when({ type: 'ChangeProfile', bio: null }, self)
        .then([{ type: 'UserProfileChanged', data: { userId, displayName: undefined, bio: null } }]);
    });

    it('records no device time for an online edit (the event’s own time is the edit’s)', () => {
      const state = fold(userDecider, [registered()]);
      const [event] = userDecider.decide(changeProfile, state, self);
      expect(event?.data).not.toHaveProperty('clientTime');
    });

    it('keeps the device time of a change that came through offline sync', () => {
      spec
        .given([registered()])
        .when(
          { type: 'ChangeProfile', bio: 'Written on the train', clientTime: '2026-12-03T21:15:00-03:00' },
          self,
        )
        .then([
          {
            type: 'UserProfileChanged',
            data: { userId, bio: 'Written on the train', clientTime: '2026-12-03T21:15:00-03:00' },
          },
        ]);
    });

    it('does nothing when neither the display name nor the bio is given, even with a device time', () => {
      spec.given([registered()]).when({ type: 'ChangeProfile' }, self).thenNothing();
      spec
        .given([registered()])
        .when({ type: 'ChangeProfile', clientTime: '2026-12-03T21:15:00-03:00' }, self)
        .thenNothing();
    });

    it('forbids another user', () => {
      spec
        .given([registered()])
        .when(changeProfile, by(anotherUser(), now))
        .thenThrows('FORBIDDEN', 'NOT_OWNER');
    });

    it('forbids a moderator', () => {
      spec
        .given([registered()])
        .when(changeProfile, by(anotherUser('moderator'), now))
        .thenThrows('FORBIDDEN', 'NOT_OWNER');
    });

    it("forbids the owner's key with only graphql:read", () => {
      spec
        .given([registered()])
        .when(changeProfile, by(anIntegration(userId, ['graphql:read', 'events:read']), now))
        .thenThrows('FORBIDDEN', 'NOT_OWNER');
    });

    it("forbids someone else's key, even with graphql:write", () => {
      spec
        .given([registered()])
        .when(changeProfile, by(anIntegration(randomUUID(), ['graphql:write']), now))
        .thenThrows('FORBIDDEN', 'NOT_OWNER');
    });

    it('forbids an anonymous caller', () => {
      spec.given([registered()]).when(changeProfile, by(anonymous, now)).thenThrows('FORBIDDEN', 'NOT_OWNER');
    });

    it('rejects a change to a deactivated account', () => {
      spec
        .given([registered(), deactivated()])
        .when(changeProfile, self)
        .thenThrows('CONFLICT', 'USER_DEACTIVATED');
    });
  });

  describe('ChangePassword', () => {
    let newPasswordHash: string;
    beforeEach(() => {
      newPasswordHash = freshHash();
    });
    const changePassword = (currentPasswordMatches = true): UserCommand => ({
      type: 'ChangePassword',
      currentPasswordMatches,
      newPasswordHash,
    });

    it('lets the user change it with the right current password', () => {
      spec
        .given([registered()])
        .when(changePassword(), self)
        .then([{ type: 'UserPasswordChanged', data: { userId, passwordHash: newPasswordHash } }]);
    });

    it('rejects a wrong current password', () => {
      spec
        .given([registered()])
        .when(changePassword(false), self)
        .thenThrows('UNAUTHENTICATED', 'WRONG_PASSWORD');
    });

    it('forbids an admin: only the user sets their password', () => {
      spec
        .given([registered()])
        .when(changePassword(), by(anAdmin(), now))
        .thenThrows('FORBIDDEN', 'NOT_OWNER');
    });

    it("forbids the owner's API key, even with graphql:write", () => {
      spec
        .given([registered()])
        .when(changePassword(), by(anIntegration(userId, ['graphql:write']), now))
        .thenThrows('FORBIDDEN', 'NOT_OWNER');
    });

    it('forbids the system', () => {
      spec
        .given([registered()])
        .when(changePassword(), by(theSystem(), now))
        .thenThrows('FORBIDDEN', 'NOT_OWNER');
    });

    it('rejects a change on a deactivated account', () => {
      spec
        .given([registered(), deactivated()])
        .when(changePassword(), self)
        .thenThrows('CONFLICT', 'USER_DEACTIVATED');
    });
  });

  describe('SetRole', () => {
    const setRole = (role: PlatformRole): UserCommand => ({ type: 'SetRole', role });

    it('lets an admin change the role, recording the previous one', () => {
      spec
        .given([registered()])
        .when(setRole('creator'), by(anAdmin(), now))
        .then([{ type: 'UserRoleChanged', data: { userId, role: 'creator', previousRole: 'user' } }]);
    });

    it('records the role the user had most recently as the previous one', () => {
      spec
        .given([registered(), roleChanged('moderator', 'user')])
        .when(setRole('admin'), by(anAdmin(), now))
        .then([{ type: 'UserRoleChanged', data: { userId, role: 'admin', previousRole: 'moderator' } }]);
    });

    it('lets the system change the role', () => {
      spec
        .given([registered()])
        .when(setRole('moderator'), by(theSystem('bootstrap'), now))
        .then([{ type: 'UserRoleChanged', data: { userId, role: 'moderator', previousRole: 'user' } }]);
    });

    it('does nothing when the user already has that role', () => {
      spec
        .given([registered(), roleChanged('creator', 'user')])
        .when(setRole('creator'), by(anAdmin(), now))
        .thenNothing();
    });

    it('forbids the user from promoting themself', () => {
      spec.given([registered()]).when(setRole('admin'), self).thenThrows('FORBIDDEN', 'ADMIN_ONLY');
    });

    it('forbids a moderator', () => {
      spec
        .given([registered()])
        .when(setRole('creator'), by(anotherUser('moderator'), now))
        .thenThrows('FORBIDDEN', 'ADMIN_ONLY');
    });

    it("forbids an API key, even its owner's", () => {
      spec
        .given([registered()])
        .when(setRole('creator'), by(anIntegration(userId, ['graphql:read', 'graphql:write']), now))
        .thenThrows('FORBIDDEN', 'ADMIN_ONLY');
    });
  });

  describe('DeactivateUser', () => {
    const deactivate: UserCommand = { type: 'DeactivateUser', reason: 'left the platform' };

    it('lets the user deactivate their account', () => {
      spec
        .given([registered()])
        .when(deactivate, self)
        .then([{ type: 'UserDeactivated', data: { userId, reason: 'left the platform' } }]);
    });

    it('lets an admin deactivate it', () => {
      spec
        .given([registered()])
        .when(deactivate, by(anAdmin(), now))
        .then([{ type: 'UserDeactivated', data: { userId, reason: 'left the platform' } }]);
    });

    it('lets the system deactivate it', () => {
      spec
        .given([registered()])
        .when(deactivate, by(theSystem(), now))
        .then([{ type: 'UserDeactivated', data: { userId, reason: 'left the platform' } }]);
    });

    it('forbids another user', () => {
      spec
        .given([registered()])
        .when(deactivate, by(anotherUser(), now))
        .thenThrows('FORBIDDEN', 'NOT_OWNER');
    });

    it("forbids the owner's API key, even with graphql:write", () => {
      spec
        .given([registered()])
        .when(deactivate, by(anIntegration(userId, ['graphql:read', 'graphql:write']), now))
        .thenThrows('FORBIDDEN', 'NOT_OWNER');
    });

    it('does nothing the second time', () => {
      spec.given([registered(), deactivated()]).when(deactivate, self).thenNothing();
    });
  });

  describe('RecordSignIn', () => {
    it('signs in with the right password', () => {
      const command = signIn(true);
      spec
        .given([registered()])
        .when(command, signInService)
        .then([
          {
            type: 'LoginSucceeded',
            data: { userId, sessionId: command.sessionId, method: 'password', at: iso(now) },
          },
        ]);
    });

    it('records a wrong password as a failed sign-in', () => {
      spec
        .given([registered()])
        .when(signIn(false), signInService)
        .then([loginFailed(now)]);
    });

    describe('locking', () => {
      it('locks the account for 15 minutes on the 10th failure within 15 minutes', () => {
        spec
          .given([registered(), ...failuresMinutesAgo(14, 12, 10, 8, 6, 5, 4, 2, 1)])
          .when(signIn(false), signInService)
          .then([
            loginFailed(now),
            { type: 'AccountLocked', data: { userId, at: iso(now), until: iso(shift(now, minutes(15))) } },
          ]);
      });

      it('does not lock on the 9th failure', () => {
        spec
          .given([registered(), ...failuresMinutesAgo(8, 7, 6, 5, 4, 3, 2, 1)])
          .when(signIn(false), signInService)
          .then([loginFailed(now)]);
      });

      it('does not lock when the failures are spread over more than 15 minutes', () => {
        spec
          .given([registered(), ...failuresMinutesAgo(16, 14, 12, 10, 8, 6, 4, 2, 1)])
          .when(signIn(false), signInService)
          .then([loginFailed(now)]);
      });

      it('counts failed second factors towards the lock', () => {
        spec
          .given([
            registered(),
            totpEnrollmentStarted(),
            totpEnabled(1000, []),
            ...failuresMinutesAgo(9, 8, 7, 6, 5, 4, 3, 2, 1),
          ])
          .when(signIn(true, withTotp(null)), signInService)
          .then([
            loginFailed(now, 'totp'),
            { type: 'AccountLocked', data: { userId, at: iso(now), until: iso(shift(now, minutes(15))) } },
          ]);
      });

      it('rejects a locked account even with the right password, and records nothing', () => {
        spec
          .given([
            registered(),
            ...failuresMinutesAgo(10, 9, 8, 7, 6, 5, 4, 3, 2),
            loginFailed(minutesAgo(1)),
            accountLocked(minutesAgo(1)),
          ])
          .when(signIn(true), signInService)
          .thenThrows('RATE_LIMITED', 'ACCOUNT_LOCKED');
      });

      it('signs in again once the lock has expired', () => {
        const command = signIn(true);
        spec
          .given([
            registered(),
            ...failuresMinutesAgo(25, 24, 23, 22, 21, 20, 19, 18, 17, 16),
            accountLocked(minutesAgo(16)),
          ])
          .when(command, signInService)
          .then([
            {
              type: 'LoginSucceeded',
              data: { userId, sessionId: command.sessionId, method: 'password', at: iso(now) },
            },
          ]);
      });

      it('starts counting failures from zero once the lock has expired', () => {
        spec
          .given([
            registered(),
            ...failuresMinutesAgo(25, 24, 23, 22, 21, 20, 19, 18, 17, 16),
            accountLocked(minutesAgo(16)),
          ])
          .when(signIn(false), signInService)
          .then([loginFailed(now)]);
      });

      it('starts counting failures from zero after a successful sign-in', () => {
        spec
          .given([
            registered(),
            ...failuresMinutesAgo(9, 8, 7, 6, 5, 4, 3, 2),
            loginSucceeded(minutesAgo(2)),
            loginFailed(minutesAgo(1)),
          ])
          .when(signIn(false), signInService)
          .then([loginFailed(now)]);
      });
    });

    it('rejects a deactivated user as invalid credentials', () => {
      spec
        .given([registered(), deactivated()])
        .when(signIn(true), signInService)
        .thenThrows('UNAUTHENTICATED', 'INVALID_CREDENTIALS');
    });

    it('does not find a forgotten user', () => {
      spec
        .given([registered(), forgotten()])
        .when(signIn(true), signInService)
        .thenThrows('NOT_FOUND', 'USER_NOT_FOUND');
    });

    describe('with two-factor sign-in on', () => {
      const LAST_STEP = 1000;
      let backupCodes: [string, string];
      let enrolled: UserEvent[];
      beforeEach(() => {
        backupCodes = [freshHash(), freshHash()];
        enrolled = [registered(), totpEnrollmentStarted(), totpEnabled(LAST_STEP, [...backupCodes])];
      });

      it('asks for the second factor without recording a failure', () => {
        spec.given(enrolled).when(signIn(true), signInService).thenThrows('UNAUTHENTICATED', 'TOTP_REQUIRED');
      });

      it('records a wrong password as a password failure, whatever the code', () => {
        spec
          .given(enrolled)
          .when(signIn(false, withTotp(LAST_STEP + 1)), signInService)
          .then([loginFailed(now, 'password')]);
      });

      it('records a code that matches no step as a TOTP failure', () => {
        spec
          .given(enrolled)
          .when(signIn(true, withTotp(null)), signInService)
          .then([loginFailed(now, 'totp')]);
      });

      it('signs in with a code from a newer step, remembering the step', () => {
        const command = signIn(true, withTotp(LAST_STEP + 1));
        spec
          .given(enrolled)
          .when(command, signInService)
          .then([
            {
              type: 'LoginSucceeded',
              data: {
                userId,
                sessionId: command.sessionId,
                method: 'password+totp',
                totpStep: LAST_STEP + 1,
                at: iso(now),
              },
            },
          ]);
      });

      it('rejects the step that confirmed the enrolment as replayed', () => {
        spec
          .given(enrolled)
          .when(signIn(true, withTotp(LAST_STEP)), signInService)
          .then([loginFailed(now, 'totp_replayed')]);
      });

      it('rejects an older step as replayed', () => {
        spec
          .given(enrolled)
          .when(signIn(true, withTotp(LAST_STEP - 1)), signInService)
          .then([loginFailed(now, 'totp_replayed')]);
      });

      it('rejects a step already used to sign in as replayed', () => {
        spec
          .given([
            ...enrolled,
            loginSucceeded(minutesAgo(1), { method: 'password+totp', totpStep: LAST_STEP + 2 }),
          ])
          .when(signIn(true, withTotp(LAST_STEP + 2)), signInService)
          .then([loginFailed(now, 'totp_replayed')]);
      });

      it('signs in with an unused backup code', () => {
        const command = signIn(true, withBackupCode(backupCodes[0]));
        spec
          .given(enrolled)
          .when(command, signInService)
          .then([
            {
              type: 'LoginSucceeded',
              data: {
                userId,
                sessionId: command.sessionId,
                method: 'password+backup_code',
                backupCodeHash: backupCodes[0],
                at: iso(now),
              },
            },
          ]);
      });

      it('rejects a backup code that was already used', () => {
        spec
          .given([
            ...enrolled,
            loginSucceeded(minutesAgo(1), { method: 'password+backup_code', backupCodeHash: backupCodes[0] }),
          ])
          .when(signIn(true, withBackupCode(backupCodes[0])), signInService)
          .then([loginFailed(now, 'backup_code')]);
      });

      it('still accepts the other backup codes after one was used', () => {
        const command = signIn(true, withBackupCode(backupCodes[1]));
        spec
          .given([
            ...enrolled,
            loginSucceeded(minutesAgo(1), { method: 'password+backup_code', backupCodeHash: backupCodes[0] }),
          ])
          .when(command, signInService)
          .then([
            {
              type: 'LoginSucceeded',
              data: {
                userId,
                sessionId: command.sessionId,
                method: 'password+backup_code',
                backupCodeHash: backupCodes[1],
                at: iso(now),
              },
            },
          ]);
      });

      it('rejects a backup code that was never issued', () => {
        spec
          .given(enrolled)
          .when(signIn(true, withBackupCode(freshHash())), signInService)
          .then([loginFailed(now, 'backup_code')]);
      });
    });

    it('needs only the password while an enrolment awaits its first code', () => {
      const command = signIn(true);
      spec
        .given([registered(), totpEnrollmentStarted()])
        .when(command, signInService)
        .then([
          {
            type: 'LoginSucceeded',
            data: { userId, sessionId: command.sessionId, method: 'password', at: iso(now) },
          },
        ]);
    });
  });

  describe('RevokeAllSessions', () => {
    const revokeAll: UserCommand = { type: 'RevokeAllSessions' };

    it('lets the user sign out everywhere', () => {
      spec
        .given([registered()])
        .when(revokeAll, self)
        .then([{ type: 'UserSessionsRevoked', data: { userId, at: iso(now) } }]);
    });

    it('lets an admin sign the user out everywhere', () => {
      spec
        .given([registered()])
        .when(revokeAll, by(anAdmin(), now))
        .then([{ type: 'UserSessionsRevoked', data: { userId, at: iso(now) } }]);
    });

    it('lets the system sign the user out everywhere', () => {
      spec
        .given([registered()])
        .when(revokeAll, by(theSystem(), now))
        .then([{ type: 'UserSessionsRevoked', data: { userId, at: iso(now) } }]);
    });

    it('forbids another user', () => {
      spec.given([registered()]).when(revokeAll, by(anotherUser(), now)).thenThrows('FORBIDDEN', 'NOT_OWNER');
    });

    it("forbids the owner's API key, even with graphql:write", () => {
      spec
        .given([registered()])
        .when(revokeAll, by(anIntegration(userId, ['graphql:read', 'graphql:write']), now))
        .thenThrows('FORBIDDEN', 'NOT_OWNER');
    });
  });

  describe('StartTotpEnrollment', () => {
    const start = (secret: string = TOTP_SECRET): UserCommand => ({ type: 'StartTotpEnrollment', secret });

    it('lets the user start setting up two-factor sign-in', () => {
      spec
        .given([registered()])
        .when(start(), self)
        .then([{ type: 'TotpEnrollmentStarted', data: { userId, secret: TOTP_SECRET } }]);
    });

    it('starts over with a new secret while an enrolment is pending', () => {
      spec
        .given([registered(), totpEnrollmentStarted('OLDSECRETOLDSECR')])
        .when(start(), self)
        .then([{ type: 'TotpEnrollmentStarted', data: { userId, secret: TOTP_SECRET } }]);
    });

    it('forbids an admin', () => {
      spec.given([registered()]).when(start(), by(anAdmin(), now)).thenThrows('FORBIDDEN', 'NOT_OWNER');
    });

    it("forbids the owner's API key", () => {
      spec
        .given([registered()])
        .when(start(), by(anIntegration(userId, ['graphql:write']), now))
        .thenThrows('FORBIDDEN', 'NOT_OWNER');
    });

    it('rejects a second enrolment once two-factor sign-in is on', () => {
      spec
        .given([registered(), totpEnrollmentStarted(), totpEnabled(1000, [])])
        .when(start(), self)
        .thenThrows('CONFLICT', 'TOTP_ALREADY_ENABLED');
    });

    it('rejects an enrolment on a deactivated account', () => {
      spec
        .given([registered(), deactivated()])
        .when(start(), self)
        .thenThrows('CONFLICT', 'USER_DEACTIVATED');
    });
  });

  describe('ConfirmTotp', () => {
    const confirm = (matchedStep: number | null, backupCodeHashes: string[] = []): UserCommand => ({
      type: 'ConfirmTotp',
      matchedStep,
      backupCodeHashes,
    });

    it('turns two-factor sign-in on with the matched step and the backup codes', () => {
      const backupCodeHashes = [freshHash(), freshHash()];
      spec
        .given([registered(), totpEnrollmentStarted()])
        .when(confirm(1000, backupCodeHashes), self)
        .then([{ type: 'TotpEnabled', data: { userId, step: 1000, backupCodeHashes } }]);
    });

    it('rejects a confirmation without a pending enrolment', () => {
      spec.given([registered()]).when(confirm(1000), self).thenThrows('CONFLICT', 'NO_TOTP_ENROLLMENT');
    });

    it('rejects a second confirmation once two-factor sign-in is on', () => {
      spec
        .given([registered(), totpEnrollmentStarted(), totpEnabled(1000, [])])
        .when(confirm(1001), self)
        .thenThrows('CONFLICT', 'NO_TOTP_ENROLLMENT');
    });

    it('rejects a code that matches no step', () => {
      spec
        .given([registered(), totpEnrollmentStarted()])
        .when(confirm(null), self)
        .thenThrows('VALIDATION', 'INVALID_TOTP_CODE');
    });

    it('forbids an admin', () => {
      spec
        .given([registered(), totpEnrollmentStarted()])
        .when(confirm(1000), by(anAdmin(), now))
        .thenThrows('FORBIDDEN', 'NOT_OWNER');
    });

    it('rejects a confirmation on a deactivated account', () => {
      spec
        .given([registered(), totpEnrollmentStarted(), deactivated()])
        .when(confirm(1000), self)
        .thenThrows('CONFLICT', 'USER_DEACTIVATED');
    });
  });

  describe('ForgetUser', () => {
    let keyId: string;
    beforeEach(() => {
      keyId = randomUUID();
    });
    const forget = (): UserCommand => ({ type: 'ForgetUser', keyId });
    const userForgotten = (): UserEvent[] => [
      {
        type: 'UserForgotten',
        data: { userId, keyId, erasedFields: ['email', 'displayName', 'bio', 'totpSecret'], at: iso(now) },
      },
    ];

    it('lets the user erase their personal data, listing every erased field', () => {
      spec.given([registered()]).when(forget(), self).then(userForgotten());
    });

    it('lets an admin erase it', () => {
      spec.given([registered()]).when(forget(), by(anAdmin(), now)).then(userForgotten());
    });

    it('erases a deactivated account too', () => {
      spec.given([registered(), deactivated()]).when(forget(), self).then(userForgotten());
    });

    it('lets the system erase it', () => {
      spec
        .given([registered()])
        .when(forget(), by(theSystem('privacy'), now))
        .then(userForgotten());
    });

    it('forbids another user', () => {
      spec.given([registered()]).when(forget(), by(anotherUser(), now)).thenThrows('FORBIDDEN', 'NOT_OWNER');
    });

    it("forbids the owner's API key, even with graphql:write", () => {
      spec
        .given([registered()])
        .when(forget(), by(anIntegration(userId, ['graphql:read', 'graphql:write']), now))
        .thenThrows('FORBIDDEN', 'NOT_OWNER');
    });

    it('does nothing the second time, so an interrupted erasure can be retried', () => {
      spec.given([registered(), forgotten()]).when(forget(), self).thenNothing();
    });

    describe('any other command on a forgotten user', () => {
      it.each(COMMANDS_ON_A_USER.filter(({ name }) => name !== 'ForgetUser'))(
        '$name is NOT_FOUND, even for an admin',
        ({ command }) => {
          spec
            .given([registered(), forgotten()])
            .when(command(), by(anAdmin(), now))
            .thenThrows('NOT_FOUND', 'USER_NOT_FOUND');
        },
      );
    });
  });

  describe('evolve', () => {
    it('folds a whole history into the user it describes', () => {
      const [firstCode, secondCode] = [freshHash(), freshHash()];
      const newPasswordHash = freshHash();
      const history: UserEvent[] = [
        registered(),
        { type: 'UserProfileChanged', data: { userId, displayName: 'Ada L.', bio: 'Analyst' } },
        { type: 'UserProfileChanged', data: { userId, bio: 'Analyst and engineer' } },
        { type: 'UserPasswordChanged', data: { userId, passwordHash: newPasswordHash } },
        roleChanged('creator', 'user'),
        ...failuresMinutesAgo(50, 49),
        loginSucceeded(minutesAgo(48)),
        totpEnrollmentStarted(),
        totpEnabled(1000, [firstCode, secondCode]),
        loginSucceeded(minutesAgo(40), { method: 'password+totp', totpStep: 1005 }),
        loginSucceeded(minutesAgo(30), { method: 'password+backup_code', backupCodeHash: firstCode }),
        { type: 'UserSessionsRevoked', data: { userId, at: iso(minutesAgo(20)) } },
        loginFailed(minutesAgo(10), 'totp'),
        loginFailed(minutesAgo(5), 'password'),
      ];

      const expected: User = {
        userId,
        status: 'active',
        email: 'ada@example.org',
        displayName: 'Ada L.',
        bio: 'Analyst and engineer',
        role: 'creator',
        passwordHash: newPasswordHash,
        recentFailures: [iso(minutesAgo(10)), iso(minutesAgo(5))],
        lockedUntil: null,
        sessionsRevokedBefore: iso(minutesAgo(20)),
        totp: { secret: TOTP_SECRET, enabled: true, lastStep: 1005, unusedBackupCodeHashes: [secondCode] },
        emailVerifiedAt: null,
        verificationRequests: [],
        resetRequests: [],
        knownDeviceHashes: [],
      };
      expect(fold(userDecider, history)).toEqual(expected);
    });

    it('remembers a lock until a successful sign-in clears it', () => {
      const locked = [
        registered(),
        ...failuresMinutesAgo(40, 39, 38, 37, 36, 35, 34, 33, 32, 31),
        accountLocked(minutesAgo(31)),
      ];
      expect(fold(userDecider, locked)).toMatchObject({
        recentFailures: [],
        lockedUntil: iso(shift(minutesAgo(31), minutes(15))),
      });
      expect(fold(userDecider, [...locked, loginSucceeded(minutesAgo(1))])).toMatchObject({
        recentFailures: [],
        lockedUntil: null,
      });
    });

    it('erases every personal field when the user is forgotten', () => {
      const history: UserEvent[] = [
        registered(),
        { type: 'UserProfileChanged', data: { userId, bio: 'Analyst' } },
        totpEnrollmentStarted(),
        totpEnabled(1000, [freshHash()]),
        forgotten(),
      ];
      expect(fold(userDecider, history)).toMatchObject({
        status: 'forgotten',
        email: null,
        displayName: null,
        bio: null,
        totp: null,
      });
    });

    it('marks a deactivated user', () => {
      expect(fold(userDecider, [registered(), deactivated()])).toMatchObject({ status: 'deactivated' });
    });

    it('ignores events that precede the registration', () => {
      expect(fold(userDecider, [deactivated(), loginFailed(now)])).toEqual({ status: 'unregistered' });
    });
  });
});
