import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, inject, it, vi } from 'vitest';
import { notificationIdFor } from '../../../src/domain/notifications/streams.ts';
import { registerUser } from '../../api/support/identity-operations.ts';
import { mailpitMessages, waitForEmail } from '../../support/mailpit.ts';
import { responses } from '../../support/push-service.ts';
import {
  deliveriesOf,
  follow,
  type NotificationHarness,
  person,
  sagaFinished,
  setPreferences,
  settled,
  startNotificationHarness,
  subscribedDevice,
} from './support/harness.ts';

const hasMailpit = inject('mailpit').smtpUrl !== '';

let h: NotificationHarness;

beforeAll(async () => {
  h = await startNotificationHarness();
}, 120_000);
afterAll(async () => {
  await h?.close();
});

/**
 * The delivery saga end to end: a real source event (UserFollowed) appended to the store, the
 * notifications read model deriving new_follower, the process manager starting the saga, the real
 * push sender encrypting to a subscription at the local push service (which decrypts it) and the
 * real mailer handing the e-mail to Mailpit.
 */
describe('notification delivery', () => {
  it.skipIf(!hasMailpit)(
    'sends one push to each device and one e-mail, each once, and records them sent',
    async () => {
      const ada = await person(h, 'Ada');
      const ben = await person(h, 'Ben');
      const phone = await subscribedDevice(h, ada.id);
      const laptop = await subscribedDevice(h, ada.id);
      await setPreferences(h, ada.id, { channels: { new_follower: { email: true } } });
      const followed = await follow(h, ben.id, ada.id);
      const id = notificationIdFor(followed.id, ada.id);

      const rows = await settled(h, id, 3);
      expect(rows.map((row) => [row.channel, row.state, row.attempts])).toEqual([
        ['push', 'sent', 1],
        ['push', 'sent', 1],
        ['email', 'sent', 1],
      ]);
      for (const device of [phone, laptop]) {
        const [message, ...more] = h.push.received.filter(
          (m) => m.endpointId === device.subscription.endpointId,
        );
        expect(more).toEqual([]);
        expect(message?.payload).toEqual({
          id,
          type: 'new_follower',
          title: 'New followers',
          body: 'Ben started following you',
          path: '/me/followers',
        });
        expect(message?.headers.topic).toBe(id.replaceAll('-', ''));
      }
      const email = await waitForEmail(h.mailpit.apiUrl, ada.email);
      expect(email.messageId).toBe(`${id}.email@chronicle`);
      expect(email.text).toContain('Ben started following you');
      expect(email.headers['List-Unsubscribe']?.[0]).toMatch(
        /^<https:\/\/chronicle\.test\/notifications\/unsubscribe\?token=/,
      );
      // Nothing more arrives: the saga has finished and sends nothing twice.
      const handle = h.client.workflow.getHandle(`notify-${followed.id}`);
      await handle.result();
      expect(await mailpitMessages(h.mailpit.apiUrl, { to: ada.email })).toHaveLength(1);
    },
  );

  it('tries again after a 500 and sends once the push service recovers', async () => {
    const ada = await person(h, 'Ada');
    const ben = await person(h, 'Ben');
    const device = await subscribedDevice(h, ada.id, {
      responder: responses.sequence({ status: 500 }, { status: 503, retryAfter: '0' }, { status: 201 }),
    });
    const followed = await follow(h, ben.id, ada.id);
    const id = notificationIdFor(followed.id, ada.id);

    const [row] = await settled(h, id, 1);
    expect(row).toMatchObject({ channel: 'push', state: 'sent', attempts: 3 });
    const attempts = h.push.attempts.filter((m) => m.endpointId === device.subscription.endpointId);
    expect(attempts.map((m) => m.status)).toEqual([500, 503, 201]);
    expect(h.push.received.filter((m) => m.endpointId === device.subscription.endpointId)).toHaveLength(1);
  });

  it('drops a device whose subscription is gone (410) and plans no push for it afterwards', async () => {
    const ada = await person(h, 'Ada');
    const ben = await person(h, 'Ben');
    const cy = await person(h, 'Cy');
    const device = await subscribedDevice(h, ada.id, { responder: responses.always(410) });
    const first = await follow(h, ben.id, ada.id);

    const [row] = await settled(h, notificationIdFor(first.id, ada.id), 1);
    expect(row).toMatchObject({ channel: 'push', state: 'dropped', attempts: 1 });
    await vi.waitFor(
      async () => {
        const { rows } = await h.api.runtime.pool.query(
          'select unregistered_at, unregistered_reason from devices where device_id = $1',
          [device.deviceId],
        );
        expect(rows[0]?.unregistered_reason).toBe('push_gone');
      },
      { timeout: 10_000, interval: 100 },
    );
    const second = await follow(h, cy.id, ada.id);
    await sagaFinished(h, second.id);
    expect(await deliveriesOf(h, notificationIdFor(second.id, ada.id))).toEqual([]);
    expect(h.push.attempts.filter((m) => m.endpointId === device.subscription.endpointId)).toHaveLength(1);
  });

  it('records a permanent refusal as failed with its reason, and gives up after the last attempt', async () => {
    const ada = await person(h, 'Ada');
    const ben = await person(h, 'Ben');
    const refused = await subscribedDevice(h, ada.id, { responder: responses.always(400) });
    const failing = await subscribedDevice(h, ada.id, { responder: responses.always(500) });
    const followed = await follow(h, ben.id, ada.id);

    const rows = await settled(h, notificationIdFor(followed.id, ada.id), 2);
    const byDevice = new Map(rows.map((row) => [row.target, row]));
    expect(byDevice.get(refused.deviceId)).toMatchObject({ state: 'failed', attempts: 1 });
    expect(byDevice.get(refused.deviceId)?.reason).toMatch(/400/);
    // FAST_DELIVERY allows four attempts.
    expect(byDevice.get(failing.deviceId)).toMatchObject({ state: 'failed', attempts: 4 });
    expect(byDevice.get(failing.deviceId)?.reason).toMatch(/^gave up after 4 attempts/);
    expect(h.push.attempts.filter((m) => m.endpointId === failing.subscription.endpointId)).toHaveLength(4);
  });

  it.skipIf(!hasMailpit)('sends no e-mail to an unverified address and says so', async () => {
    const ben = await person(h, 'Ben');
    const dee = await registerUser(h.api, `dee-${randomUUID()}@example.org`, 'Dee');
    await setPreferences(h, dee.id, { channels: { new_follower: { email: true } } });
    const followed = await follow(h, ben.id, dee.id);
    const [row] = await settled(h, notificationIdFor(followed.id, dee.id), 1);
    expect(row).toMatchObject({ channel: 'email', state: 'skipped', reason: 'no verified e-mail address' });
    await sagaFinished(h, followed.id);
    expect(await mailpitMessages(h.mailpit.apiUrl, { to: dee.email })).toEqual([]);
  });
});
