import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { communityMemberSubject } from '../../../src/domain/communities/streams.ts';
import { syncConflictDecider } from '../../../src/domain/sync/conflict-decider.ts';
import {
  type SyncConflictEvent,
  syncConflictEventCatalogue,
} from '../../../src/domain/sync/conflict-events.ts';
import { syncConflictId, syncConflictsStream } from '../../../src/domain/sync/streams.ts';
import { anIntegration, anonymous, anotherUser, asUser, by, theSystem } from '../support/actors.ts';
import { deciderSpec } from '../support/decider-spec.ts';

const spec = deciderSpec(syncConflictDecider);
const now = new Date('2026-12-07T12:00:00.000Z');

function queued(userId: string, changeId = `c-${randomUUID()}`, communityId: string | null = randomUUID()) {
  return {
    conflictId: syncConflictId(userId, changeId),
    userId,
    deviceId: randomUUID(),
    changeId,
    changeType: 'post.edit',
    entityId: randomUUID(),
    communityId,
    baseVersion: 2,
    serverVersion: 4,
    clientTime: '2026-12-07T11:00:00+01:00',
    deviceValue: JSON.stringify({ title: 'Mine', body: 'Mine' }),
    serverValue: JSON.stringify({ title: 'Theirs', body: 'Theirs' }),
  };
}

function overruled(userId: string, changeId = `c-${randomUUID()}`) {
  return {
    userId,
    deviceId: randomUUID(),
    changeId,
    changeType: 'community.join',
    entityId: randomUUID(),
    communityId: randomUUID(),
    code: 'BANNED',
    message: 'You are banned from this community',
  };
}

describe('conflict ids and streams', () => {
  it('derives the conflict id from the person and the change: a retry names the same conflict', () => {
    const userId = randomUUID();
    expect(syncConflictId(userId, 'c-1')).toBe(syncConflictId(userId.toUpperCase(), 'c-1'));
    expect(syncConflictId(userId, 'c-1')).not.toBe(syncConflictId(userId, 'c-2'));
    expect(syncConflictId(userId, 'c-1')).not.toBe(syncConflictId(randomUUID(), 'c-1'));
    expect(syncConflictsStream(userId)).toBe(`syncconflicts-${userId}`);
  });

  it('encrypts the values with the person’s key for the community (its erasure shreds them), else their own', () => {
    const [userId, communityId] = [randomUUID(), randomUUID()];
    const definition = syncConflictEventCatalogue.SyncConflictQueued;
    expect(definition.personalFields).toEqual(['deviceValue', 'serverValue']);
    expect(definition.subject?.(queued(userId, 'c-1', communityId))).toBe(
      communityMemberSubject(communityId, userId),
    );
    expect(definition.subject?.(queued(userId, 'c-1', null))).toBe(userId);
    expect(syncConflictEventCatalogue.SyncConflictResolved.personalFields).toEqual(['resolvedValue']);
    for (const definition of Object.values(syncConflictEventCatalogue))
      expect(definition.publicFields).toBeUndefined();
  });
});

describe('queueing a conflict', () => {
  it('records both sides, for the person the sync acts for', () => {
    const userId = randomUUID();
    const data = queued(userId);
    spec
      .given([])
      .when({ type: 'QueueSyncConflict', ...data }, by(asUser(userId), now))
      .then([{ type: 'SyncConflictQueued', data }]);
  });

  it('queueing the same conflict again (a retried sync) decides nothing', () => {
    const userId = randomUUID();
    const data = queued(userId);
    spec
      .given([{ type: 'SyncConflictQueued', data }])
      .when({ type: 'QueueSyncConflict', ...data }, by(asUser(userId), now))
      .thenNothing();
  });

  it('nobody queues a conflict for someone else; an anonymous caller signs in first', () => {
    const data = queued(randomUUID());
    spec
      .given([])
      .when({ type: 'QueueSyncConflict', ...data }, by(anotherUser(), now))
      .thenThrows('NOT_FOUND', 'SYNC_CONFLICT_NOT_FOUND');
    spec
      .given([])
      .when({ type: 'QueueSyncConflict', ...data }, by(anonymous, now))
      .thenThrows('FORBIDDEN', 'SIGN_IN_REQUIRED');
  });
});

describe('resolving a conflict', () => {
  it('records the person’s choice and the value kept, in the conflict’s community', () => {
    const userId = randomUUID();
    const data = queued(userId);
    const resolvedValue = JSON.stringify({ title: 'Both', body: 'Both' });
    spec
      .given([{ type: 'SyncConflictQueued', data }])
      .when(
        {
          type: 'ResolveSyncConflict',
          conflictId: data.conflictId,
          userId,
          resolution: 'edited',
          resolvedValue,
        },
        by(asUser(userId), now),
      )
      .then([
        {
          type: 'SyncConflictResolved',
          data: {
            conflictId: data.conflictId,
            userId,
            resolution: 'edited',
            communityId: data.communityId,
            resolvedValue,
          },
        },
      ]);
  });

  it('through the person’s API key, or by a process', () => {
    const userId = randomUUID();
    const data = queued(userId, 'c-1', null);
    const command = {
      type: 'ResolveSyncConflict' as const,
      conflictId: data.conflictId,
      userId,
      resolution: 'kept_server' as const,
      resolvedValue: data.serverValue,
    };
    const expected: SyncConflictEvent[] = [
      {
        type: 'SyncConflictResolved',
        data: {
          conflictId: data.conflictId,
          userId,
          resolution: 'kept_server',
          communityId: null,
          resolvedValue: data.serverValue,
        },
      },
    ];
    spec
      .given([{ type: 'SyncConflictQueued', data }])
      .when(command, by(anIntegration(userId, ['graphql:write']), now))
      .then(expected);
    spec
      .given([{ type: 'SyncConflictQueued', data }])
      .when(command, by(theSystem('sync'), now))
      .then(expected);
  });

  it('an unknown conflict is not found', () => {
    const userId = randomUUID();
    spec
      .given([{ type: 'SyncConflictQueued', data: queued(userId) }])
      .when(
        {
          type: 'ResolveSyncConflict',
          conflictId: randomUUID(),
          userId,
          resolution: 'kept_server',
          resolvedValue: null,
        },
        by(asUser(userId), now),
      )
      .thenThrows('NOT_FOUND', 'SYNC_CONFLICT_NOT_FOUND');
  });

  it('someone else’s conflict is not found, not forbidden', () => {
    const userId = randomUUID();
    const data = queued(userId);
    spec
      .given([{ type: 'SyncConflictQueued', data }])
      .when(
        {
          type: 'ResolveSyncConflict',
          conflictId: data.conflictId,
          userId,
          resolution: 'kept_device',
          resolvedValue: null,
        },
        by(anotherUser(), now),
      )
      .thenThrows('NOT_FOUND', 'SYNC_CONFLICT_NOT_FOUND');
  });

  it('a conflict is resolved once', () => {
    const userId = randomUUID();
    const data = queued(userId);
    spec
      .given([
        { type: 'SyncConflictQueued', data },
        {
          type: 'SyncConflictResolved',
          data: {
            conflictId: data.conflictId,
            userId,
            resolution: 'kept_server',
            communityId: data.communityId,
            resolvedValue: null,
          },
        },
      ])
      .when(
        {
          type: 'ResolveSyncConflict',
          conflictId: data.conflictId,
          userId,
          resolution: 'kept_device',
          resolvedValue: null,
        },
        by(asUser(userId), now),
      )
      .thenThrows('CONFLICT', 'SYNC_CONFLICT_ALREADY_RESOLVED');
  });
});

describe('recording an overruled change', () => {
  it('records the refusal, for the notification', () => {
    const userId = randomUUID();
    const data = overruled(userId);
    spec
      .given([])
      .when({ type: 'RecordSyncChangeOverruled', ...data }, by(asUser(userId), now))
      .then([{ type: 'SyncChangeOverruled', data }]);
  });

  it('the same change overruled again (a retried sync) decides nothing; another change is recorded', () => {
    const userId = randomUUID();
    const first = overruled(userId, 'c-1');
    spec
      .given([{ type: 'SyncChangeOverruled', data: first }])
      .when({ type: 'RecordSyncChangeOverruled', ...first }, by(asUser(userId), now))
      .thenNothing();
    const second = overruled(userId, 'c-2');
    spec
      .given([{ type: 'SyncChangeOverruled', data: first }])
      .when({ type: 'RecordSyncChangeOverruled', ...second }, by(asUser(userId), now))
      .then([{ type: 'SyncChangeOverruled', data: second }]);
  });

  it('every event validates against its schema', () => {
    const userId = randomUUID();
    expect(syncConflictEventCatalogue.SyncConflictQueued.schema.safeParse(queued(userId)).success).toBe(true);
    expect(syncConflictEventCatalogue.SyncChangeOverruled.schema.safeParse(overruled(userId)).success).toBe(
      true,
    );
  });
});
