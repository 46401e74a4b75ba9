import { randomUUID } from 'node:crypto';
import { beforeEach, describe, expect, it } from 'vitest';
import { type SessionCommand, sessionDecider } from '../../../src/domain/identity/session-decider.ts';
import type { SessionEvent } from '../../../src/domain/identity/session-events.ts';
import { fold } from '../../../src/domain/shared/decider.ts';
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

const spec = deciderSpec(sessionDecider);
const now = new Date('2025-06-02T09:30:00.000Z');
const iso = (instant: Date) => instant.toISOString();
const days = (count: number) => minutes(count * 24 * 60);
const daysAgo = (count: number) => shift(now, -days(count));
const sevenDaysAfter = (instant: Date) => iso(shift(instant, days(7)));

/** Sessions start as part of a checked sign-in, which the system performs. */
const signIn = by(theSystem('sign-in'), now);
/** A refresh is authenticated by the refresh token alone. */
const refreshing = by(anonymous, now);

let sessionId: string;
let userId: string;
let firstToken: string;
let secondToken: string;
let thirdToken: string;

beforeEach(() => {
  sessionId = randomUUID();
  userId = randomUUID();
  [firstToken, secondToken, thirdToken] = [freshHash(), freshHash(), freshHash()];
});

const started = (at: Date = daysAgo(1)): SessionEvent => ({
  type: 'SessionStarted',
  data: { sessionId, userId, refreshTokenHash: firstToken, expiresAt: sevenDaysAfter(at), at: iso(at) },
});
const refreshed = (previousTokenHash: string, refreshTokenHash: string, at: Date): SessionEvent => ({
  type: 'SessionRefreshed',
  data: { sessionId, previousTokenHash, refreshTokenHash, expiresAt: sevenDaysAfter(at), at: iso(at) },
});
const revoked = (reason: 'logout' | 'refresh_token_reused' | 'revoked_by_admin', at: Date): SessionEvent => ({
  type: 'SessionRevoked',
  data: { sessionId, reason, at: iso(at) },
});

const activeUser = { active: true, sessionsRevokedBefore: null };
const refresh = (
  presentedTokenHash: string,
  newTokenHash: string,
  user: { active: boolean; sessionsRevokedBefore: string | null } = activeUser,
): SessionCommand => ({ type: 'RefreshSession', presentedTokenHash, newTokenHash, user });

describe('session decider', () => {
  describe('StartSession', () => {
    const start = (): SessionCommand => ({
      type: 'StartSession',
      sessionId,
      userId,
      refreshTokenHash: firstToken,
    });

    it('starts a session whose refresh token lives 7 days', () => {
      spec
        .given([])
        .when(start(), signIn)
        .then([
          {
            type: 'SessionStarted',
            data: {
              sessionId,
              userId,
              refreshTokenHash: firstToken,
              expiresAt: sevenDaysAfter(now),
              at: iso(now),
            },
          },
        ]);
    });

    it('forbids the user starting one without signing in', () => {
      spec
        .given([])
        .when(start(), by(asUser(userId), now))
        .thenThrows('FORBIDDEN', 'SIGN_IN_REQUIRED');
    });

    it('forbids an admin', () => {
      spec.given([]).when(start(), by(anAdmin(), now)).thenThrows('FORBIDDEN', 'SIGN_IN_REQUIRED');
    });

    it("forbids the user's API key", () => {
      spec
        .given([])
        .when(start(), by(anIntegration(userId, ['graphql:write']), now))
        .thenThrows('FORBIDDEN', 'SIGN_IN_REQUIRED');
    });

    it('forbids an anonymous caller', () => {
      spec.given([]).when(start(), by(anonymous, now)).thenThrows('FORBIDDEN', 'SIGN_IN_REQUIRED');
    });

    it('rejects starting the same session twice', () => {
      spec.given([started()]).when(start(), signIn).thenThrows('CONFLICT', 'SESSION_EXISTS');
    });

    it('checks who is asking before revealing that the session exists', () => {
      spec
        .given([started()])
        .when(start(), by(asUser(userId), now))
        .thenThrows('FORBIDDEN', 'SIGN_IN_REQUIRED');
    });
  });

  describe('RefreshSession', () => {
    it('exchanges the current refresh token for a new one, for another 7 days', () => {
      spec
        .given([started()])
        .when(refresh(firstToken, secondToken), refreshing)
        .then([
          {
            type: 'SessionRefreshed',
            data: {
              sessionId,
              previousTokenHash: firstToken,
              refreshTokenHash: secondToken,
              expiresAt: sevenDaysAfter(now),
              at: iso(now),
            },
          },
        ]);
    });

    it('exchanges the token issued by the last refresh', () => {
      spec
        .given([started(daysAgo(2)), refreshed(firstToken, secondToken, daysAgo(1))])
        .when(refresh(secondToken, thirdToken), refreshing)
        .then([
          {
            type: 'SessionRefreshed',
            data: {
              sessionId,
              previousTokenHash: secondToken,
              refreshTokenHash: thirdToken,
              expiresAt: sevenDaysAfter(now),
              at: iso(now),
            },
          },
        ]);
    });

    it('keeps a session alive past 7 days as long as it is refreshed', () => {
      spec
        .given([started(daysAgo(10)), refreshed(firstToken, secondToken, daysAgo(5))])
        .when(refresh(secondToken, thirdToken), refreshing)
        .then([
          {
            type: 'SessionRefreshed',
            data: {
              sessionId,
              previousTokenHash: secondToken,
              refreshTokenHash: thirdToken,
              expiresAt: sevenDaysAfter(now),
              at: iso(now),
            },
          },
        ]);
    });

    it('revokes the whole session when an already exchanged token is presented', () => {
      spec
        .given([started(daysAgo(2)), refreshed(firstToken, secondToken, daysAgo(1))])
        .when(refresh(firstToken, thirdToken), refreshing)
        .then([
          { type: 'RefreshTokenReuseDetected', data: { sessionId, tokenHash: firstToken, at: iso(now) } },
          revoked('refresh_token_reused', now),
        ]);
    });

    it('detects the reuse of any earlier token, not only the last one exchanged', () => {
      const fourthToken = freshHash();
      spec
        .given([
          started(daysAgo(3)),
          refreshed(firstToken, secondToken, daysAgo(2)),
          refreshed(secondToken, thirdToken, daysAgo(1)),
        ])
        .when(refresh(firstToken, fourthToken), refreshing)
        .then([
          { type: 'RefreshTokenReuseDetected', data: { sessionId, tokenHash: firstToken, at: iso(now) } },
          revoked('refresh_token_reused', now),
        ]);
    });

    it('rejects a token the session never issued, changing nothing', () => {
      spec
        .given([started()])
        .when(refresh(freshHash(), secondToken), refreshing)
        .thenThrows('UNAUTHENTICATED', 'INVALID_REFRESH_TOKEN');
    });

    it('rejects a token for a session that does not exist', () => {
      spec
        .given([])
        .when(refresh(firstToken, secondToken), refreshing)
        .thenThrows('UNAUTHENTICATED', 'INVALID_REFRESH_TOKEN');
    });

    it('rejects an expired token', () => {
      spec
        .given([started(daysAgo(8))])
        .when(refresh(firstToken, secondToken), refreshing)
        .thenThrows('UNAUTHENTICATED', 'REFRESH_TOKEN_EXPIRED');
    });

    it('treats a token as expired from the instant it expires', () => {
      spec
        .given([started(daysAgo(7))])
        .when(refresh(firstToken, secondToken), refreshing)
        .thenThrows('UNAUTHENTICATED', 'REFRESH_TOKEN_EXPIRED');
    });

    it('rejects the current token of a revoked session', () => {
      spec
        .given([started(), revoked('logout', shift(now, -minutes(5)))])
        .when(refresh(firstToken, secondToken), refreshing)
        .thenThrows('UNAUTHENTICATED', 'SESSION_REVOKED');
    });

    it('does not revoke a revoked session again when an old token is reused', () => {
      spec
        .given([
          started(daysAgo(2)),
          refreshed(firstToken, secondToken, daysAgo(1)),
          revoked('refresh_token_reused', shift(now, -minutes(5))),
        ])
        .when(refresh(firstToken, thirdToken), refreshing)
        .thenThrows('UNAUTHENTICATED', 'SESSION_REVOKED');
    });

    it('rejects a refresh once the user is no longer active', () => {
      spec
        .given([started()])
        .when(refresh(firstToken, secondToken, { active: false, sessionsRevokedBefore: null }), refreshing)
        .thenThrows('UNAUTHENTICATED', 'SESSION_REVOKED');
    });

    it('rejects a session started before the user signed out everywhere', () => {
      spec
        .given([started(daysAgo(1))])
        .when(
          refresh(firstToken, secondToken, {
            active: true,
            sessionsRevokedBefore: iso(shift(now, -minutes(10))),
          }),
          refreshing,
        )
        .thenThrows('UNAUTHENTICATED', 'SESSION_REVOKED');
    });

    it('rejects a session started at the very instant the user signed out everywhere', () => {
      spec
        .given([started(daysAgo(1))])
        .when(
          refresh(firstToken, secondToken, { active: true, sessionsRevokedBefore: iso(daysAgo(1)) }),
          refreshing,
        )
        .thenThrows('UNAUTHENTICATED', 'SESSION_REVOKED');
    });

    it('refreshes a session started after the user signed out everywhere', () => {
      spec
        .given([started(daysAgo(1))])
        .when(
          refresh(firstToken, secondToken, { active: true, sessionsRevokedBefore: iso(daysAgo(2)) }),
          refreshing,
        )
        .then([
          {
            type: 'SessionRefreshed',
            data: {
              sessionId,
              previousTokenHash: firstToken,
              refreshTokenHash: secondToken,
              expiresAt: sevenDaysAfter(now),
              at: iso(now),
            },
          },
        ]);
    });
  });

  describe('EndSession', () => {
    it('lets the owner sign out', () => {
      spec
        .given([started()])
        .when({ type: 'EndSession', reason: 'logout' }, by(asUser(userId), now))
        .then([revoked('logout', now)]);
    });

    it('lets an admin revoke it', () => {
      spec
        .given([started()])
        .when({ type: 'EndSession', reason: 'revoked_by_admin' }, by(anAdmin(), now))
        .then([revoked('revoked_by_admin', now)]);
    });

    it('lets the system revoke it', () => {
      spec
        .given([started()])
        .when({ type: 'EndSession', reason: 'revoked_by_admin' }, by(theSystem('moderation'), now))
        .then([revoked('revoked_by_admin', now)]);
    });

    it('forbids another user', () => {
      spec
        .given([started()])
        .when({ type: 'EndSession', reason: 'logout' }, by(anotherUser(), now))
        .thenThrows('FORBIDDEN', 'NOT_OWNER');
    });

    it("forbids the owner's API key", () => {
      spec
        .given([started()])
        .when({ type: 'EndSession', reason: 'logout' }, by(anIntegration(userId, ['graphql:write']), now))
        .thenThrows('FORBIDDEN', 'NOT_OWNER');
    });

    it('forbids the owner from revoking it as an admin', () => {
      spec
        .given([started()])
        .when({ type: 'EndSession', reason: 'revoked_by_admin' }, by(asUser(userId), now))
        .thenThrows('FORBIDDEN', 'ADMIN_ONLY');
    });

    it('does nothing the second time', () => {
      spec
        .given([started(), revoked('logout', shift(now, -minutes(1)))])
        .when({ type: 'EndSession', reason: 'logout' }, by(asUser(userId), now))
        .thenNothing();
    });

    it('rejects ending a session that does not exist', () => {
      spec
        .given([])
        .when({ type: 'EndSession', reason: 'logout' }, by(asUser(userId), now))
        .thenThrows('UNAUTHENTICATED', 'INVALID_SESSION');
    });
  });

  describe('evolve', () => {
    it('folds a whole history into the session it describes', () => {
      const history = [
        started(daysAgo(3)),
        refreshed(firstToken, secondToken, daysAgo(2)),
        refreshed(secondToken, thirdToken, daysAgo(1)),
        revoked('logout', shift(now, -minutes(1))),
      ];
      expect(fold(sessionDecider, [started(daysAgo(3))])).toEqual({
        status: 'open',
        sessionId,
        userId,
        startedAt: iso(daysAgo(3)),
        currentTokenHash: firstToken,
        rotatedTokenHashes: [],
        expiresAt: sevenDaysAfter(daysAgo(3)),
        revoked: false,
      });
      expect(fold(sessionDecider, history)).toEqual({
        status: 'revoked',
        sessionId,
        userId,
        startedAt: iso(daysAgo(3)),
        currentTokenHash: thirdToken,
        rotatedTokenHashes: [firstToken, secondToken],
        expiresAt: sevenDaysAfter(daysAgo(1)),
        revoked: true,
      });
    });

    it('ignores events that precede the start', () => {
      expect(fold(sessionDecider, [revoked('logout', now), refreshed(firstToken, secondToken, now)])).toEqual(
        { status: 'none' },
      );
    });
  });
});
