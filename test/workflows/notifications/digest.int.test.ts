import { MockActivityEnvironment } from '@temporalio/testing';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { userStream } from '../../../src/domain/identity/streams.ts';
import { userEventCatalogue } from '../../../src/domain/identity/user-events.ts';
import { waitForPosition } from '../../../src/projections/wait-for-position.ts';
import {
  createNotificationActivities,
  type NotificationActivities,
} from '../../../src/workflows/notifications/activities.ts';
import type { DigestSchedule } from '../../../src/workflows/notifications/digest.ts';
import { mailpitMessages, waitForEmail } from '../../support/mailpit.ts';
import {
  append,
  follow,
  type NotificationHarness,
  person,
  setPreferences,
  startNotificationHarness,
} from './support/harness.ts';

const hasMailpit = inject('mailpit').smtpUrl !== '';

/**
 * The digest's activities, run as Temporal runs them (an activity context) against the real read
 * models and Mailpit: when the next digest is due in the person's zone, what goes in it, and that
 * one digest is sent once however often its activity is retried. (The workflow never ends — it
 * continues as new each morning — so its loop is exercised through these two steps.)
 */
describe('the daily digest', () => {
  let h: NotificationHarness;
  let acts: NotificationActivities;
  const env = new MockActivityEnvironment();

  beforeAll(async () => {
    h = await startNotificationHarness({ reactions: false });
    acts = createNotificationActivities(h.deps);
  }, 120_000);
  afterAll(async () => {
    await h?.close();
  });

  it('is due at the next 08:00 in the person’s time zone, and only while it is switched on', async () => {
    const ada = await person(h, 'Ada');
    const on = await setPreferences(h, ada.id, { timeZone: 'America/New_York', emailDigest: true });
    const schedule = (after: string, position: bigint): Promise<DigestSchedule> =>
      env.run(acts.notificationDigestSchedule, { userId: ada.id, after, position: position.toString() });
    // 09:00 in New York (EST, UTC-5) on 15 January: tomorrow's 08:00 is 13:00 UTC.
    expect(await schedule('2030-01-15T14:00:00.000Z', on.position)).toEqual({
      enabled: true,
      ended: false,
      at: '2030-01-16T13:00:00.000Z',
    });
    // In July (EDT, UTC-4) 08:00 is 12:00 UTC; 06:00 local is before it, the same day.
    expect(await schedule('2030-07-15T10:00:00.000Z', on.position)).toEqual({
      enabled: true,
      ended: false,
      at: '2030-07-15T12:00:00.000Z',
    });
    const off = await setPreferences(h, ada.id, { timeZone: 'America/New_York', emailDigest: false });
    expect((await schedule('2030-01-15T14:00:00.000Z', off.position)).enabled).toBe(false);
  });

  it.skipIf(!hasMailpit)('e-mails the unread notifications since the last digest, once', async () => {
    const ada = await person(h, 'Ada');
    const ben = await person(h, 'Ben');
    const cy = await person(h, 'Cy');
    // new_follower is not e-mailed by default: the digest lists only what the person takes by e-mail.
    await setPreferences(h, ada.id, { emailDigest: true, channels: { new_follower: { email: true } } });
    const since = new Date(Date.now() - 1_000).toISOString();
    await follow(h, ben.id, ada.id);
    const last = await follow(h, cy.id, ada.id);
    expect(
      await waitForPosition(h.api.runtime.pool, h.api.runtime.bus, last.position, { timeoutMs: 15_000 }),
    ).toBe(true);
    const now = new Date(Date.now() + 1_000).toISOString();
    const send = () =>
      env.run(acts.sendNotificationDigestEmail, { userId: ada.id, since, now, maximumAttempts: 3 });

    // Ben's and Cy's follows fold into one unread new_follower group.
    expect(await send()).toEqual({ state: 'sent', count: 1 });
    const email = await waitForEmail(h.mailpit.apiUrl, ada.email);
    expect(email.subject).toBe('You have 1 unread notification');
    expect(email.text).toMatch(/Cy and Ben started following you|Cy and 1 other started following you/);
    // A retry of the same digest (same instant) sends nothing more.
    expect(await send()).toEqual({ state: 'already', count: 1 });
    // The next digest covers what came after this one: nothing.
    expect(
      await env.run(acts.sendNotificationDigestEmail, {
        userId: ada.id,
        since: now,
        now: new Date(Date.parse(now) + 86_400_000).toISOString(),
        maximumAttempts: 3,
      }),
    ).toEqual({ state: 'nothing', count: 0 });
    expect(await mailpitMessages(h.mailpit.apiUrl, { to: ada.email })).toHaveLength(1);
  });

  it.skipIf(!hasMailpit)('lists only the types the person takes by e-mail', async () => {
    const ada = await person(h, 'Ada');
    const ben = await person(h, 'Ben');
    // Follows by e-mail: off (as by default, and said explicitly here).
    await setPreferences(h, ada.id, { emailDigest: true, channels: { new_follower: { email: false } } });
    const since = new Date(Date.now() - 1_000).toISOString();
    const last = await follow(h, ben.id, ada.id);
    expect(
      await waitForPosition(h.api.runtime.pool, h.api.runtime.bus, last.position, { timeoutMs: 15_000 }),
    ).toBe(true);
    const { rows } = await h.api.runtime.pool.query(
      'select type from notification_inbox where recipient_id = $1 and read_at is null',
      [ada.id],
    );
    expect(rows).toEqual([{ type: 'new_follower' }]);
    const now = new Date(Date.now() + 1_000).toISOString();
    expect(
      await env.run(acts.sendNotificationDigestEmail, { userId: ada.id, since, now, maximumAttempts: 3 }),
    ).toEqual({ state: 'nothing', count: 0 });
    expect(await mailpitMessages(h.mailpit.apiUrl, { to: ada.email })).toEqual([]);
  });

  it('sends nothing to a deactivated or forgotten person, whose digest then ends', async () => {
    const ada = await person(h, 'Ada');
    const ben = await person(h, 'Ben');
    await setPreferences(h, ada.id, { emailDigest: true });
    const since = new Date(Date.now() - 1_000).toISOString();
    await follow(h, ben.id, ada.id);
    const deactivated = await append(h, userStream(ada.id), userEventCatalogue, {
      type: 'UserDeactivated',
      data: { userId: ada.id, reason: 'asked to leave' },
    });
    expect(
      await waitForPosition(h.api.runtime.pool, h.api.runtime.bus, deactivated.position, {
        timeoutMs: 15_000,
      }),
    ).toBe(true);
    const now = new Date(Date.now() + 1_000).toISOString();
    expect(
      await env.run(acts.sendNotificationDigestEmail, { userId: ada.id, since, now, maximumAttempts: 3 }),
    ).toEqual({ state: 'inactive', count: 0 });
    const schedule: DigestSchedule = await env.run(acts.notificationDigestSchedule, {
      userId: ada.id,
      after: now,
      position: deactivated.position.toString(),
    });
    expect(schedule).toMatchObject({ enabled: false, ended: true });
    expect(await mailpitMessages(h.mailpit.apiUrl, { to: ada.email })).toEqual([]);
  });
});
