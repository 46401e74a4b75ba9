import { describe, it } from 'vitest';
import {
  type FollowCommand,
  MAX_FOLLOWING,
  type SocialUserFacts,
} from '../../../src/domain/social/follow-commands.ts';
import { followDecider } from '../../../src/domain/social/follow-decider.ts';
import type { FollowEvent } from '../../../src/domain/social/follow-events.ts';
import { anIntegration, anonymous, asUser, by, theSystem } from '../support/actors.ts';
import { deciderSpec } from '../support/decider-spec.ts';

const ADA = '6a1f0c2e-3b4d-4e5f-8a9b-0c1d2e3f4a5b';
const BOB = '7b2a1d3f-4c5e-4f60-9b0c-1d2e3f4a5b6c';
const now = new Date('2025-06-02T09:30:00.000Z');

const ada = by(asUser(ADA), now);
const bob = by(asUser(BOB), now);
const active = (userId: string): SocialUserFacts => ({ userId, status: 'active' });

const follow = (
  followeeId: string,
  followee: SocialUserFacts | null = active(followeeId),
  followingCount = 0,
): FollowCommand => ({
  type: 'Follow',
  followeeId,
  followee,
  followingCount,
});
const unfollow = (followeeId: string): FollowCommand => ({ type: 'Unfollow', followeeId });
const block = (blockedId: string, blocked: SocialUserFacts | null = active(blockedId)): FollowCommand => ({
  type: 'Block',
  blockedId,
  blocked,
});
const unblock = (blockedId: string): FollowCommand => ({ type: 'Unblock', blockedId });

const followed = (followerId: string, followeeId: string): FollowEvent => ({
  type: 'UserFollowed',
  data: { followerId, followeeId },
});
const unfollowed = (
  followerId: string,
  followeeId: string,
  cause: 'unfollowed' | 'blocked',
): FollowEvent => ({
  type: 'UserUnfollowed',
  data: { followerId, followeeId, cause },
});
const blocked = (blockerId: string, blockedId: string): FollowEvent => ({
  type: 'UserBlocked',
  data: { blockerId, blockedId },
});
const unblocked = (blockerId: string, blockedId: string): FollowEvent => ({
  type: 'UserUnblocked',
  data: { blockerId, blockedId },
});

const spec = deciderSpec(followDecider);

describe('following', () => {
  it('records a follow of an active user', () => {
    spec
      .given([])
      .when(follow(BOB), ada)
      .then([followed(ADA, BOB)]);
  });

  it('follows as the owner of an API key', () => {
    spec
      .given([])
      .when(follow(BOB), by(anIntegration(ADA, ['graphql:write']), now))
      .then([followed(ADA, BOB)]);
  });

  it('is idempotent: following again decides nothing', () => {
    spec
      .given([followed(ADA, BOB)])
      .when(follow(BOB), ada)
      .thenNothing();
  });

  it('keeps the two directions apart', () => {
    spec
      .given([followed(BOB, ADA)])
      .when(follow(BOB), ada)
      .then([followed(ADA, BOB)]);
  });

  it('refuses following yourself', () => {
    spec.given([]).when(follow(ADA), ada).thenThrows('VALIDATION', 'CANNOT_FOLLOW_SELF');
  });

  it('refuses an unknown user, and a deactivated or forgotten one', () => {
    spec.given([]).when(follow(BOB, null), ada).thenThrows('NOT_FOUND', 'USER_NOT_FOUND');
    spec
      .given([])
      .when(follow(BOB, { userId: BOB, status: 'deactivated' }), ada)
      .thenThrows('NOT_FOUND', 'USER_GONE');
    spec
      .given([])
      .when(follow(BOB, { userId: BOB, status: 'forgotten' }), ada)
      .thenThrows('NOT_FOUND', 'USER_GONE');
  });

  it('refuses facts about another user than the one named', () => {
    spec
      .given([])
      .when(follow(BOB, active(ADA)), ada)
      .thenThrows('NOT_FOUND', 'USER_NOT_FOUND');
  });

  it('refuses someone who blocked you, and someone you blocked', () => {
    spec
      .given([blocked(BOB, ADA)])
      .when(follow(BOB), ada)
      .thenThrows('FORBIDDEN', 'BLOCKED');
    spec
      .given([blocked(ADA, BOB)])
      .when(follow(BOB), ada)
      .thenThrows('FORBIDDEN', 'YOU_BLOCKED_THEM');
  });

  it('allows following again once the block is lifted', () => {
    spec
      .given([blocked(BOB, ADA), unblocked(BOB, ADA)])
      .when(follow(BOB), ada)
      .then([followed(ADA, BOB)]);
  });

  it('refuses a new follow at the cap, never a repeat of one already made', () => {
    spec
      .given([])
      .when(follow(BOB, active(BOB), MAX_FOLLOWING), ada)
      .thenThrows('CONFLICT', 'FOLLOWING_LIMIT');
    spec
      .given([])
      .when(follow(BOB, active(BOB), MAX_FOLLOWING - 1), ada)
      .then([followed(ADA, BOB)]);
    spec
      .given([followed(ADA, BOB)])
      .when(follow(BOB, active(BOB), MAX_FOLLOWING), ada)
      .thenNothing();
  });

  it('is for people: not processes, not anonymous callers', () => {
    spec
      .given([])
      .when(follow(BOB), by(theSystem('moderation'), now))
      .thenThrows('FORBIDDEN', 'PEOPLE_ONLY');
    spec.given([]).when(follow(BOB), by(anonymous, now)).thenThrows('FORBIDDEN', 'SIGN_IN_REQUIRED');
  });
});

describe('unfollowing', () => {
  it('ends your follow', () => {
    spec
      .given([followed(ADA, BOB)])
      .when(unfollow(BOB), ada)
      .then([unfollowed(ADA, BOB, 'unfollowed')]);
  });

  it('is idempotent, and never ends the other direction', () => {
    spec.given([]).when(unfollow(BOB), ada).thenNothing();
    spec
      .given([followed(BOB, ADA)])
      .when(unfollow(BOB), ada)
      .thenNothing();
    spec
      .given([followed(ADA, BOB), unfollowed(ADA, BOB, 'unfollowed')])
      .when(unfollow(BOB), ada)
      .thenNothing();
  });

  it('refuses yourself', () => {
    spec.given([]).when(unfollow(ADA), ada).thenThrows('VALIDATION', 'CANNOT_FOLLOW_SELF');
  });
});

describe('blocking', () => {
  it('records a block', () => {
    spec
      .given([])
      .when(block(BOB), ada)
      .then([blocked(ADA, BOB)]);
  });

  it('ends the follows of both directions in the same decision', () => {
    spec
      .given([followed(ADA, BOB), followed(BOB, ADA)])
      .when(block(BOB), ada)
      .then([blocked(ADA, BOB), unfollowed(ADA, BOB, 'blocked'), unfollowed(BOB, ADA, 'blocked')]);
  });

  it('is idempotent', () => {
    spec
      .given([blocked(ADA, BOB)])
      .when(block(BOB), ada)
      .thenNothing();
  });

  it('lets both block each other', () => {
    spec
      .given([blocked(ADA, BOB)])
      .when(block(ADA), bob)
      .then([blocked(BOB, ADA)]);
  });

  it('may block a forgotten or deactivated account, never an unknown one or yourself', () => {
    spec
      .given([])
      .when(block(BOB, { userId: BOB, status: 'forgotten' }), ada)
      .then([blocked(ADA, BOB)]);
    spec.given([]).when(block(BOB, null), ada).thenThrows('NOT_FOUND', 'USER_NOT_FOUND');
    spec.given([]).when(block(ADA), ada).thenThrows('VALIDATION', 'CANNOT_BLOCK_SELF');
  });
});

describe('unblocking', () => {
  it('lifts your own block', () => {
    spec
      .given([blocked(ADA, BOB)])
      .when(unblock(BOB), ada)
      .then([unblocked(ADA, BOB)]);
  });

  it('never lifts the other one’s block, and lifting none decides nothing', () => {
    spec
      .given([blocked(BOB, ADA)])
      .when(unblock(BOB), ada)
      .thenNothing();
    spec.given([]).when(unblock(BOB), ada).thenNothing();
  });

  it('does not bring back the follows a block ended', () => {
    spec
      .given([followed(ADA, BOB), blocked(BOB, ADA), unfollowed(ADA, BOB, 'blocked'), unblocked(BOB, ADA)])
      .when(unfollow(BOB), ada)
      .thenNothing();
  });
});
