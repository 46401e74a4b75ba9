import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { chatMessageEventSchemas } from '../../../src/domain/chat/message-events.ts';
import { attemptEventSchemas } from '../../../src/domain/communities/attempt-events.ts';
import { communityEventSchemas } from '../../../src/domain/communities/community-events.ts';
import { membershipEventSchemas } from '../../../src/domain/communities/membership-events.ts';
import { communityPostEventSchemas } from '../../../src/domain/communities/post-events.ts';
import { progressEventSchemas } from '../../../src/domain/communities/progress-events.ts';
import { userEventSchemas } from '../../../src/domain/identity/user-events.ts';
import { syncConflictEventSchemas } from '../../../src/domain/sync/conflict-events.ts';
import {
  authoredEntityOf,
  communityScope,
  conversationScope,
  type FeedSourceEvent,
  feedEntityTypesOf,
  feedRecordsOf,
  SYNC_FEED_EVENT_TYPES,
  userScope,
} from '../../../src/domain/sync/feed-records.ts';

const at = '2026-12-07T12:00:00.000Z';
const event = (type: string, data: Record<string, unknown>, revision = 3): FeedSourceEvent => ({
  type,
  data,
  streamName: `stream-${randomUUID()}`,
  revision,
  occurredAt: at,
});

const [userId, communityId, moduleId, checkpointId, postId, conversationId, messageId, conflictId] = [
  randomUUID(),
  randomUUID(),
  randomUUID(),
  randomUUID(),
  randomUUID(),
  randomUUID(),
  randomUUID(),
  randomUUID(),
];

describe('feed records', () => {
  it('a profile is the person’s own: registration and changes, versioned by the stream revision', () => {
    for (const type of ['UserRegistered', 'UserProfileChanged']) {
      expect(feedRecordsOf(event(type, { userId, displayName: 'Ada' }, 7))).toEqual([
        { scope: userScope(userId), entityType: 'profile', entityId: userId, version: 7, deleted: false },
      ]);
    }
  });

  it('module progress and completion are the learner’s, per module', () => {
    const data = { communityId, pathId: randomUUID(), moduleId, userId, clientTime: at };
    for (const [type, extra] of [
      ['LearningModuleCompleted', {}],
      ['LearningModuleProgressed', { percent: 40 }],
    ] as const) {
      expect(feedRecordsOf(event(type, { ...data, ...extra }))).toEqual([
        {
          scope: userScope(userId),
          entityType: 'moduleProgress',
          entityId: moduleId,
          version: 3,
          deleted: false,
        },
      ]);
    }
  });

  it('checkpoint attempts and their grading are the learner’s, per checkpoint (not the grader’s)', () => {
    const gradedBy = randomUUID();
    for (const type of ['CheckpointAttemptSubmitted', 'CheckpointAttemptGraded']) {
      expect(
        feedRecordsOf(event(type, { communityId, checkpointId, userId, gradedBy, attemptId: randomUUID() })),
      ).toEqual([
        {
          scope: userScope(userId),
          entityType: 'checkpointAnswer',
          entityId: checkpointId,
          version: 3,
          deleted: false,
        },
      ]);
    }
  });

  it('a membership is the member’s, per community; it ends on leaving, a ban, a decline or an unban', () => {
    const ended = new Set([
      'CommunityMemberLeft',
      'CommunityMemberBanned',
      'CommunityJoinRequestDeclined',
      'CommunityInvitationDeclined',
      'CommunityMemberUnbanned',
    ]);
    for (const type of Object.keys(membershipEventSchemas)) {
      expect(feedRecordsOf(event(type, { communityId, userId, bannedBy: randomUUID() })), type).toEqual([
        {
          scope: userScope(userId),
          entityType: 'membership',
          entityId: communityId,
          version: 3,
          deleted: ended.has(type),
        },
      ]);
    }
  });

  it('every post event is the community’s; deleting or removing a post deletes it', () => {
    for (const type of Object.keys(communityPostEventSchemas)) {
      const deleted = type === 'CommunityPostDeleted' || type === 'CommunityPostRemoved';
      expect(feedRecordsOf(event(type, { communityId, postId, authorId: userId })), type).toEqual([
        {
          scope: communityScope(communityId),
          entityType: 'communityPost',
          entityId: postId,
          version: 3,
          deleted,
        },
      ]);
    }
  });

  it('messages sent, edited and deleted are the conversation’s; reactions are not synced', () => {
    for (const type of ['ChatMessageSent', 'ChatMessageEdited', 'ChatMessageDeleted']) {
      expect(feedRecordsOf(event(type, { messageId, conversationId, text: 'hi' })), type).toEqual([
        {
          scope: conversationScope(conversationId),
          entityType: 'chatMessage',
          entityId: messageId,
          version: 3,
          deleted: type === 'ChatMessageDeleted',
        },
      ]);
    }
    expect(
      feedRecordsOf(event('ChatReactionAdded', { messageId, conversationId, userId, emoji: '👍' })),
    ).toEqual([]);
  });

  it('sync conflicts are the person’s own', () => {
    for (const type of ['SyncConflictQueued', 'SyncConflictResolved']) {
      expect(feedRecordsOf(event(type, { conflictId, userId, communityId: null }))).toEqual([
        {
          scope: userScope(userId),
          entityType: 'syncConflict',
          entityId: conflictId,
          version: 3,
          deleted: false,
        },
      ]);
    }
    // Overruled changes reach the person as a notification, not as an entity.
    expect(feedRecordsOf(event('SyncChangeOverruled', { userId, changeId: 'c-1' }))).toEqual([]);
  });

  it('forgetting a person re-seeds only their own devices; erasing a community re-seeds its devices', () => {
    expect(feedRecordsOf(event('UserForgotten', { userId, keyId: null, erasedFields: [], at }, 12))).toEqual([
      {
        scope: `user:${userId}`,
        entityType: 'scope',
        entityId: `user:${userId}`,
        version: 12,
        deleted: true,
      },
    ]);
    // Their words elsewhere are re-sent per entity by the feed projection, which serves these types.
    expect(feedEntityTypesOf('UserForgotten')).toEqual(['scope', 'communityPost', 'chatMessage']);
    expect(
      feedRecordsOf(event('CommunityErased', { communityId, erasedBy: userId, reason: 'spam' }, 4)),
    ).toEqual([
      {
        scope: `community:${communityId}`,
        entityType: 'scope',
        entityId: `community:${communityId}`,
        version: 4,
        deleted: true,
      },
    ]);
  });

  it('names the author of a post or message created, for the feed to re-send on their erasure', () => {
    const postId = '7d7c8a54-5c53-4a53-9a49-0d1b1f0b8a10';
    expect(
      authoredEntityOf(
        event('CommunityThreadStarted', { communityId, postId, authorId: userId, title: 't', body: 'b' }),
      ),
    ).toEqual({
      authorId: userId,
      entityType: 'communityPost',
      entityId: postId,
      scope: `community:${communityId}`,
    });
    expect(
      authoredEntityOf(
        event('ChatMessageSent', {
          messageId: postId,
          conversationId: communityId,
          senderId: userId,
          text: 'hi',
        }),
      ),
    ).toEqual({
      authorId: userId,
      entityType: 'chatMessage',
      entityId: postId,
      scope: `conversation:${communityId}`,
    });
    // An edit is not a creation; a creation without its author names nobody.
    expect(
      authoredEntityOf(event('CommunityPostEdited', { communityId, postId, authorId: userId })),
    ).toBeNull();
    expect(authoredEntityOf(event('CommunityThreadStarted', { communityId, postId }))).toBeNull();
    expect(feedEntityTypesOf('toString')).toEqual([]);
  });

  it('a type the feed does not map gives nothing; an event lacking an id gives nothing rather than a guess', () => {
    expect(feedRecordsOf(event('UserPasswordChanged', { userId, passwordHash: 'x' }))).toEqual([]);
    expect(feedRecordsOf(event('toString', {}))).toEqual([]);
    expect(feedRecordsOf(event('CommunityPostEdited', { communityId, title: null }))).toEqual([]);
    expect(feedRecordsOf(event('UserProfileChanged', {}))).toEqual([]);
  });

  it('every mapped type gives exactly one record, versioned by the revision, for an event naming its ids', () => {
    const ids = {
      userId,
      communityId,
      moduleId,
      checkpointId,
      postId,
      conversationId,
      messageId,
      conflictId,
    };
    for (const type of SYNC_FEED_EVENT_TYPES) {
      const records = feedRecordsOf(event(type, ids, 9));
      expect(records, type).toHaveLength(1);
      expect(records[0]?.version, type).toBe(9);
    }
  });

  it('every mapped type exists in a catalogue (or is the progress event being added), and maps', () => {
    const catalogued = new Set([
      ...Object.keys(userEventSchemas),
      ...Object.keys(progressEventSchemas),
      ...Object.keys(attemptEventSchemas),
      ...Object.keys(membershipEventSchemas),
      ...Object.keys(communityPostEventSchemas),
      ...Object.keys(communityEventSchemas),
      ...Object.keys(chatMessageEventSchemas),
      ...Object.keys(syncConflictEventSchemas),
      'LearningModuleProgressed',
    ]);
    for (const type of SYNC_FEED_EVENT_TYPES) expect(catalogued.has(type), type).toBe(true);
    expect(SYNC_FEED_EVENT_TYPES).toContain('LearningModuleProgressed');
  });
});
