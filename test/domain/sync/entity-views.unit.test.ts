import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { entityVersion } from '../../../src/domain/sync/entity-version.ts';
import { viewOf } from '../../../src/domain/sync/entity-views.ts';
import type { FeedSourceEvent } from '../../../src/domain/sync/feed-records.ts';

/** A stream's events in order, revisions 0, 1, 2…, an hour apart on the server's clock. */
function stream(
  ...events: readonly (readonly [type: string, data: Record<string, unknown>])[]
): FeedSourceEvent[] {
  const streamName = `stream-${randomUUID()}`;
  return events.map(([type, data], revision) => ({
    type,
    data,
    streamName,
    revision,
    occurredAt: new Date(Date.UTC(2026, 11, 7, 8 + revision)).toISOString(),
  }));
}

const userId = randomUUID();
const communityId = randomUUID();

describe('entity versions', () => {
  it('is the revision of the last event mapped to the entity, not of the stream', () => {
    const events = stream(
      ['UserRegistered', { userId, displayName: 'Ada' }],
      ['UserProfileChanged', { userId, bio: 'Hello' }],
      ['LoginSucceeded', { userId }],
      ['UserPasswordChanged', { userId }],
    );
    expect(entityVersion(events, 'profile', userId)).toBe(1);
    expect(entityVersion(events, 'profile', userId.toUpperCase())).toBe(1);
  });

  it('is -1 for an entity with no events, and per module on a path’s progress stream', () => {
    const [first, second] = [randomUUID(), randomUUID()];
    const events = stream(
      ['LearningModuleProgressed', { userId, moduleId: first, percent: 30 }],
      ['LearningModuleProgressed', { userId, moduleId: second, percent: 10 }],
    );
    expect(entityVersion(events, 'moduleProgress', first)).toBe(0);
    expect(entityVersion(events, 'moduleProgress', second)).toBe(1);
    expect(entityVersion(events, 'moduleProgress', randomUUID())).toBe(-1);
    expect(entityVersion([], 'profile', userId)).toBe(-1);
  });
});

describe('entity views', () => {
  it('a profile keeps, per field, when it was last set: the device’s time when it came from one', () => {
    const events = stream(
      ['UserRegistered', { userId, displayName: 'Ada', email: 'ada@example.org' }],
      ['UserProfileChanged', { userId, bio: 'Offline bio', clientTime: '2026-12-07T07:30:00+01:00' }],
      ['LoginSucceeded', { userId }],
    );
    expect(viewOf('profile', events, userId)).toEqual({
      version: 1,
      value: { displayName: 'Ada', bio: 'Offline bio' },
      fieldTimes: { displayName: events[0]?.occurredAt, bio: '2026-12-07T07:30:00+01:00' },
      clientTime: '2026-12-07T07:30:00+01:00',
    });
  });

  it('a forgotten person’s profile reads as nulls (the decoded fields are null)', () => {
    const events = stream(
      ['UserRegistered', { userId, displayName: null }],
      ['UserProfileChanged', { userId, displayName: null, bio: null }],
    );
    expect(viewOf('profile', events, userId)?.value).toEqual({ displayName: null, bio: null });
  });

  it('module progress is the maximum recorded, and 100 once completed (final)', () => {
    const moduleId = randomUUID();
    const progressed = (percent: number, clientTime: string) =>
      ['LearningModuleProgressed', { userId, moduleId, percent, clientTime }] as const;
    const halfway = stream(progressed(60, '2026-12-07T08:00:00Z'), progressed(40, '2026-12-07T09:00:00Z'));
    expect(viewOf('moduleProgress', halfway, moduleId)).toEqual({
      version: 1,
      value: { percent: 60, completed: false },
      final: false,
      clientTime: '2026-12-07T09:00:00Z',
    });
    const done = stream(progressed(60, '2026-12-07T08:00:00Z'), [
      'LearningModuleCompleted',
      { userId, moduleId, clientTime: '2026-12-07T08:30:00Z' },
    ]);
    expect(viewOf('moduleProgress', done, moduleId)?.value).toEqual({ percent: 100, completed: true });
    expect(viewOf('moduleProgress', done, moduleId)?.final).toBe(true);
  });

  it('a checkpoint’s answer is the latest attempt by the device’s time, until one passes', () => {
    const checkpointId = randomUUID();
    const [a, b, c] = [randomUUID(), randomUUID(), randomUUID()];
    const submitted = (attemptId: string, clientTime: string, score: number, passed: boolean | null) =>
      [
        'CheckpointAttemptSubmitted',
        { userId, checkpointId, attemptId, clientTime, score, maxScore: 10, passed, answers: '[]' },
      ] as const;
    // Attempt b arrives last but was made first on the device.
    const failing = stream(
      submitted(a, '2026-12-07T10:00:00Z', 3, false),
      submitted(b, '2026-12-07T09:00:00Z', 4, false),
    );
    expect(viewOf('checkpointAnswer', failing, checkpointId)).toMatchObject({
      version: 1,
      value: {
        attemptId: a,
        clientTime: '2026-12-07T10:00:00Z',
        score: 3,
        maxScore: 10,
        passed: false,
        attempts: 2,
      },
      clientTime: '2026-12-07T10:00:00Z',
      final: false,
    });
    // c awaited grading; the mentor's grade passes it, and a pass is final whatever came later.
    const graded = stream(
      submitted(c, '2026-12-07T08:00:00Z', 5, null),
      submitted(a, '2026-12-07T10:00:00Z', 3, false),
      [
        'CheckpointAttemptGraded',
        { userId, checkpointId, attemptId: c, score: 9, passed: true, gradedBy: randomUUID() },
      ],
    );
    const view = viewOf('checkpointAnswer', graded, checkpointId);
    expect(view).toMatchObject({
      version: 2,
      value: { attemptId: c, score: 9, passed: true, attempts: 2 },
      clientTime: '2026-12-07T08:00:00Z',
      final: true,
    });
    expect(view?.submissions).toEqual([
      { clientTime: '2026-12-07T08:00:00Z', answers: '[]' },
      { clientTime: '2026-12-07T10:00:00Z', answers: '[]' },
    ]);
    // Two attempts made at the same instant: the one submitted first stands (checkpoint-winner.ts).
    const tied = stream(
      submitted(a, '2026-12-07T10:00:00Z', 3, false),
      submitted(b, '2026-12-07T11:00:00+01:00', 4, false),
    );
    expect(viewOf('checkpointAnswer', tied, checkpointId)?.value).toMatchObject({ attemptId: a, score: 3 });
  });

  it('a membership’s status follows the membership aggregate', () => {
    const member = { communityId, userId };
    expect(
      viewOf(
        'membership',
        stream(['CommunityJoinRequested', member], ['CommunityMemberJoined', member]),
        communityId,
      )?.value,
    ).toEqual({ status: 'member' });
    expect(
      viewOf(
        'membership',
        stream(
          ['CommunityMemberJoined', member],
          ['CommunityMemberRoleChanged', member],
          ['CommunityMemberLeft', member],
        ),
        communityId,
      ),
    ).toMatchObject({ version: 2, value: { status: 'left' } });
  });

  it('a post holds its latest words, and none once deleted', () => {
    const postId = randomUUID();
    const post = { communityId, postId, authorId: userId };
    const edited = stream(
      ['CommunityThreadStarted', { ...post, title: 'Hi', body: 'First' }],
      ['CommunityPostEdited', { ...post, title: 'Hello', body: 'Second' }],
      ['CommunityThreadPinned', post],
    );
    expect(viewOf('communityPost', edited, postId)).toMatchObject({
      version: 2,
      value: { title: 'Hello', body: 'Second', status: 'active' },
    });
    const deleted = stream(
      ['CommunityReplyPosted', { ...post, body: 'Reply' }],
      ['CommunityPostDeleted', post],
    );
    expect(viewOf('communityPost', deleted, postId)?.value).toEqual({
      title: null,
      body: null,
      status: 'deleted',
    });
  });

  it('nothing for an entity without events, and nothing for an erasure record', () => {
    expect(viewOf('profile', [], userId)).toBeNull();
    expect(viewOf('communityPost', stream(['UserRegistered', { userId }]), userId)).toBeNull();
    expect(viewOf('scope', stream(['UserForgotten', { userId }]), `user:${userId}`)).toBeNull();
  });
});
