import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { createEventCodec } from '../../../src/commands/event-codec.ts';
import type { RecordedEvent } from '../../../src/eventstore/port.ts';
import type { PersonalDataKeys } from '../../../src/privacy/personal-data-keys.ts';
import { notificationReactions } from '../../../src/workflows/notifications/reactions.ts';
import type { RegisteredReaction } from '../../../src/workflows/process-manager/reaction.ts';
import { reactionsWith } from '../../../src/workflows/reactions.ts';
import { TASK_QUEUES } from '../../../src/workflows/task-queues.ts';
import { NOW } from '../fixtures/harness.ts';

/** These events carry no encrypted field the reactions read: the codec never needs a key. */
const noKeys: PersonalDataKeys = {
  keyFor: () => Promise.reject(new Error('no personal data here')),
  find: () => Promise.resolve(null),
  destroy: () => Promise.reject(new Error('no personal data here')),
};
const codec = createEventCodec(noKeys);

const recorded = (streamName: string, type: string, data: unknown, position = 4242n): RecordedEvent => {
  const commandId = randomUUID();
  return {
    streamName,
    revision: 0n,
    position,
    id: randomUUID(),
    type,
    data,
    metadata: {
      commandId,
      correlationId: commandId,
      causationId: commandId,
      actor: 'system:test',
      occurredAt: NOW.toISOString(),
      schemaVersion: 1,
    },
    hash: '',
    createdAt: NOW,
  };
};

const reactions = notificationReactions({ taskQueue: 'notify-queue', settings: { maximumAttempts: 2 } });

async function actionsFor(event: RecordedEvent, list: readonly RegisteredReaction[] = reactions) {
  return (await Promise.all(list.map((reaction) => reaction.actionsFor(event, codec)))).flat();
}

describe('notification reactions', () => {
  it('start one delivery saga per source event, named by the event, with its id and position only', async () => {
    const event = recorded('followtie-x', 'UserFollowed', {
      followerId: randomUUID(),
      followeeId: randomUUID(),
    });
    expect(await actionsFor(event)).toEqual([
      {
        kind: 'start',
        workflowType: 'deliverNotifications',
        workflowId: `notify-${event.id}`,
        taskQueue: 'notify-queue',
        args: [{ sourceEventId: event.id, position: '4242', settings: { maximumAttempts: 2 } }],
      },
    ]);
  });

  it('start nothing for a sign-in from a known device, a saga for a new one', async () => {
    const userId = randomUUID();
    const login = (newDevice: boolean) =>
      recorded(`user-${userId}`, 'LoginSucceeded', {
        userId,
        sessionId: randomUUID(),
        method: 'password',
        device: { hash: 'a'.repeat(64), label: 'Firefox on Linux', newDevice },
        at: NOW.toISOString(),
      });
    expect(await actionsFor(login(false))).toEqual([]);
    const fresh = login(true);
    expect((await actionsFor(fresh)).map((action) => action.kind === 'start' && action.workflowId)).toEqual([
      `notify-${fresh.id}`,
    ]);
  });

  it('start a scheduled session’s reminders and signal them when it is cancelled', async () => {
    const sessionId = randomUUID();
    const mentorId = randomUUID();
    const learnerId = randomUUID();
    const scheduled = recorded(`mentorsession-${sessionId}`, 'MentorshipSessionScheduled', {
      sessionId,
      matchRequestId: randomUUID(),
      mentorId,
      learnerId,
      startsAt: '2030-01-11T09:00:00.000Z',
      endsAt: '2030-01-11T10:00:00.000Z',
      durationMinutes: 60,
      room: { provider: 'daily', roomName: 'r', url: 'https://rooms.test/r', hasMedia: true },
      scheduledBy: mentorId,
    });
    const actions = await actionsFor(scheduled);
    expect(actions).toContainEqual({
      kind: 'start',
      workflowType: 'remindMentorshipSession',
      workflowId: `session-reminders-${sessionId}`,
      taskQueue: 'notify-queue',
      args: [
        {
          sessionId,
          startsAt: '2030-01-11T09:00:00.000Z',
          participantIds: [mentorId, learnerId],
          scheduledEventId: scheduled.id,
        },
      ],
    });
    const cancelled = recorded(`mentorsession-${sessionId}`, 'MentorshipSessionCancelled', {
      sessionId,
      cancelledBy: learnerId,
      reason: null,
      at: '2030-01-10T09:00:00.000Z',
    });
    expect(await actionsFor(cancelled)).toContainEqual({
      kind: 'signal',
      workflowId: `session-reminders-${sessionId}`,
      signal: 'sessionCancelled',
      args: [{ eventId: cancelled.id }],
    });
  });

  it('start the digest when it is switched on (and tell it), only tell it otherwise', async () => {
    const userId = randomUUID();
    const changed = (emailDigest: boolean) =>
      recorded(`notificationprefs-${userId}`, 'NotificationPreferencesChanged', {
        userId,
        timeZone: 'Europe/Paris',
        quietHours: null,
        emailDigest,
        channels: {},
      });
    const on = changed(true);
    const signal = (event: RecordedEvent) => ({
      kind: 'signal',
      workflowId: `notification-digest-${userId}`,
      signal: 'digestPreferencesChanged',
      args: [{ eventId: event.id, position: '4242' }],
    });
    expect(await actionsFor(on)).toEqual([
      {
        kind: 'start',
        workflowType: 'sendNotificationDigest',
        workflowId: `notification-digest-${userId}`,
        taskQueue: 'notify-queue',
        args: [{ userId, since: null, position: '4242', settings: { maximumAttempts: 2 } }],
      },
      signal(on),
    ]);
    const off = changed(false);
    expect(await actionsFor(off)).toEqual([signal(off)]);
  });

  it('revoke the devices when access ends, and wake the digest when the account is gone', async () => {
    const userId = randomUUID();
    const at = NOW.toISOString();
    const revoke = (event: RecordedEvent) => ({
      kind: 'start',
      workflowType: 'revokeUserDevices',
      workflowId: `revoke-devices-${event.id}`,
      taskQueue: 'notify-queue',
      args: [{ userId, eventId: event.id, position: '4242' }],
    });
    const wakeDigest = (event: RecordedEvent) => ({
      kind: 'signal',
      workflowId: `notification-digest-${userId}`,
      signal: 'digestPreferencesChanged',
      args: [{ eventId: event.id, position: '4242' }],
    });
    const revoked = recorded(`user-${userId}`, 'UserSessionsRevoked', { userId, at });
    expect(await actionsFor(revoked)).toEqual([revoke(revoked)]);
    const deactivated = recorded(`user-${userId}`, 'UserDeactivated', { userId, reason: 'spam' });
    expect(await actionsFor(deactivated)).toEqual([revoke(deactivated), wakeDigest(deactivated)]);
    const forgotten = recorded(`user-${userId}`, 'UserForgotten', {
      userId,
      keyId: null,
      erasedFields: [],
      at,
    });
    expect(await actionsFor(forgotten)).toEqual([revoke(forgotten), wakeDigest(forgotten)]);
    // A reset both raises its security notice and revokes the devices.
    const reset = recorded(`user-${userId}`, 'UserPasswordReset', {
      userId,
      requestId: randomUUID(),
      passwordHash: 'argon2id$hash',
      at,
    });
    const actions = await actionsFor(reset);
    expect(actions).toContainEqual(revoke(reset));
    expect(actions).toContainEqual(expect.objectContaining({ workflowId: `notify-${reset.id}` }));
    // Other user events revoke nothing.
    const changed = recorded(`user-${userId}`, 'UserPasswordChanged', { userId, passwordHash: 'x' });
    expect(await actionsFor(changed)).toEqual([]);
  });

  it('are among the process manager’s reactions, on the notifications task queue', async () => {
    const event = recorded('followtie-x', 'UserFollowed', {
      followerId: randomUUID(),
      followeeId: randomUUID(),
    });
    const actions = await actionsFor(event, reactionsWith());
    expect(actions).toContainEqual(
      expect.objectContaining({ workflowId: `notify-${event.id}`, taskQueue: TASK_QUEUES.notifications }),
    );
  });
});
