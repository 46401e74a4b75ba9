import { randomUUID } from 'node:crypto';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { Worker } from '@temporalio/worker';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sessionEventCatalogue } from '../../../src/domain/mentorship/session-events.ts';
import { mentorSessionStream } from '../../../src/domain/mentorship/streams.ts';
import { notificationIdFor, sessionReminderStream } from '../../../src/domain/notifications/streams.ts';
import { waitForPosition } from '../../../src/projections/wait-for-position.ts';
import { createNotificationActivities } from '../../../src/workflows/notifications/activities.ts';
import type { SessionRemindersInput } from '../../../src/workflows/notifications/types.ts';
import { findTimeSkippingServer, startTimeSkippingEnvironment } from '../../support/time-skipping.ts';
import {
  append,
  deliveriesOf,
  FAST_DELIVERY,
  follow,
  type NotificationHarness,
  person,
  setPreferences,
  startNotificationHarness,
  subscribedDevice,
} from './support/harness.ts';

const HOUR = 3_600_000;

/** 'HH:MM' in UTC of an instant, for quiet hours around the test server's clock. */
const clockTime = (at: number) => new Date(at).toISOString().slice(11, 16);

/**
 * The saga's long waits on Temporal's time-skipping test server: quiet hours that end hours from
 * now, and session reminders a day ahead, finish in seconds, their timers firing in workflow time.
 * The read models, push service and activities are the real ones; nothing starts by itself (no
 * reactions): each test starts its workflow on the time-skipping server.
 */
describe.skipIf(!findTimeSkippingServer())('notifications on the time-skipping server', () => {
  let h: NotificationHarness;
  let env: TestWorkflowEnvironment;
  let worker: Worker;
  let running: Promise<void>;
  const taskQueue = `time-skipping-notifications-${randomUUID()}`;

  beforeAll(async () => {
    [h, env] = await Promise.all([
      startNotificationHarness({ reactions: false }),
      startTimeSkippingEnvironment(),
    ]);
    worker = await Worker.create({
      connection: env.nativeConnection,
      namespace: env.namespace ?? 'default',
      taskQueue,
      workflowBundle: h.bundle,
      activities: createNotificationActivities(h.deps),
    });
    running = worker.run();
  }, 180_000);
  afterAll(async () => {
    worker?.shutdown();
    await running;
    await env?.teardown();
    await h?.close();
  });

  /** The test server's clock: it runs ahead of the wall clock once a test has skipped time. */
  const serverNow = async () => Number(await env.currentTimeMs());

  const caughtUp = async (position: bigint) =>
    expect(
      await waitForPosition(h.api.runtime.pool, h.api.runtime.bus, position, { timeoutMs: 15_000 }),
    ).toBe(true);

  it('holds a push back until quiet hours end, then sends it once', async () => {
    const ada = await person(h, 'Ada');
    const ben = await person(h, 'Ben');
    const device = await subscribedDevice(h, ada.id);
    // Quiet from an hour ago until three hours from now (UTC), whatever the time of day.
    const now = await serverNow();
    await setPreferences(h, ada.id, {
      quietHours: { start: clockTime(now - HOUR), end: clockTime(now + 3 * HOUR) },
    });
    const followed = await follow(h, ben.id, ada.id);
    await caughtUp(followed.position);
    const id = notificationIdFor(followed.id, ada.id);

    const handle = await env.client.workflow.start('deliverNotifications', {
      taskQueue,
      workflowId: `notify-${followed.id}`,
      args: [{ sourceEventId: followed.id, position: followed.position.toString(), settings: FAST_DELIVERY }],
    });
    const started = Date.now();
    await handle.result();
    expect(Date.now() - started).toBeLessThan(60_000);

    const [row] = await deliveriesOf(h, id);
    expect(row).toMatchObject({ channel: 'push', state: 'sent', attempts: 1 });
    // Due at the end of quiet hours: about three hours after the saga planned it (minute precision).
    const deferredBy = (row?.due_at.getTime() ?? 0) - now;
    expect(deferredBy).toBeGreaterThan(3 * HOUR - 2 * 60_000);
    expect(deferredBy).toBeLessThanOrEqual(3 * HOUR);
    expect(h.push.received.filter((m) => m.endpointId === device.subscription.endpointId)).toHaveLength(1);
    // The timer fired in workflow time: the history shows a timer of about three hours.
    const history = await handle.fetchHistory();
    const timers = (history.events ?? []).filter((event) => event.timerStartedEventAttributes);
    expect(timers).toHaveLength(1);
    const seconds = Number(timers[0]?.timerStartedEventAttributes?.startToFireTimeout?.seconds ?? 0);
    expect(seconds).toBeGreaterThan(3 * 3600 - 180);
  });

  async function scheduledSession(startsAt: number): Promise<SessionRemindersInput> {
    const sessionId = randomUUID();
    const mentor = await person(h, 'Mentor');
    const learner = await person(h, 'Learner');
    const scheduled = await append(h, mentorSessionStream(sessionId), sessionEventCatalogue, {
      type: 'MentorshipSessionScheduled',
      data: {
        sessionId,
        matchRequestId: randomUUID(),
        mentorId: mentor.id,
        learnerId: learner.id,
        startsAt: new Date(startsAt).toISOString(),
        endsAt: new Date(startsAt + HOUR).toISOString(),
        durationMinutes: 60,
        room: {
          provider: 'local',
          roomName: `room-${sessionId}`,
          url: 'https://rooms.test/r',
          hasMedia: true,
        },
        scheduledBy: mentor.id,
      },
    });
    return {
      sessionId,
      startsAt: new Date(startsAt).toISOString(),
      participantIds: [mentor.id, learner.id],
      scheduledEventId: scheduled.id,
    };
  }

  /** The leads recorded on the session's reminder stream (none: the stream was never written). */
  const remindersOf = async (sessionId: string) => {
    const stream = sessionReminderStream(sessionId);
    const { rows } = await h.api.runtime.pool.query<{ n: number }>(
      'select count(*)::int as n from es_streams where stream_name = $1',
      [stream],
    );
    if (rows[0]?.n === 0) return [];
    return (await h.api.runtime.store.readStream(stream)).map(
      (event) => (event.data as { lead: string }).lead,
    );
  };

  it('records both reminders of a session two days ahead, 24 hours and 15 minutes before, once each', async () => {
    const input = await scheduledSession((await serverNow()) + 48 * HOUR);
    const handle = await env.client.workflow.start('remindMentorshipSession', {
      taskQueue,
      workflowId: `session-reminders-${input.sessionId}`,
      args: [input],
    });
    await handle.result();
    expect(await remindersOf(input.sessionId)).toEqual(['24h', '15m']);
    const history = await handle.fetchHistory();
    const timers = (history.events ?? []).flatMap((event) =>
      event.timerStartedEventAttributes
        ? [Number(event.timerStartedEventAttributes.startToFireTimeout?.seconds ?? 0)]
        : [],
    );
    // The first waits about a day (48 h - 24 h), the second the rest of the day but 15 minutes.
    expect(timers).toHaveLength(2);
    expect(Math.abs((timers[0] ?? 0) - 24 * 3600)).toBeLessThan(120);
    expect(Math.abs((timers[1] ?? 0) - (24 * 3600 - 15 * 60))).toBeLessThan(120);
  });

  it('skips a reminder already past and stops at a cancellation', async () => {
    // Six hours ahead: the 24-hour reminder is past, only the 15-minute one is due.
    const soon = await scheduledSession((await serverNow()) + 6 * HOUR);
    await (
      await env.client.workflow.start('remindMentorshipSession', {
        taskQueue,
        workflowId: `session-reminders-${soon.sessionId}`,
        args: [soon],
      })
    ).result();
    expect(await remindersOf(soon.sessionId)).toEqual(['15m']);

    const later = await scheduledSession((await serverNow()) + 48 * HOUR);
    const handle = await env.client.workflow.start('remindMentorshipSession', {
      taskQueue,
      workflowId: `session-reminders-${later.sessionId}`,
      args: [later],
    });
    await handle.signal('sessionCancelled', { eventId: randomUUID() });
    await handle.result();
    expect(await remindersOf(later.sessionId)).toEqual([]);
  });

  it('records no reminder for a session cancelled in the store whose signal has not arrived', async () => {
    const input = await scheduledSession((await serverNow()) + 2 * HOUR);
    await append(h, mentorSessionStream(input.sessionId), sessionEventCatalogue, {
      type: 'MentorshipSessionCancelled',
      data: {
        sessionId: input.sessionId,
        cancelledBy: input.participantIds[0] ?? '',
        reason: null,
        at: new Date().toISOString(),
      },
    });
    await (
      await env.client.workflow.start('remindMentorshipSession', {
        taskQueue,
        workflowId: `session-reminders-${input.sessionId}`,
        args: [input],
      })
    ).result();
    expect(await remindersOf(input.sessionId)).toEqual([]);
  });
});
