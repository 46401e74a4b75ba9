import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, inject, it, vi } from 'vitest';
import { userStream } from '../../../src/domain/identity/streams.ts';
import { userEventCatalogue } from '../../../src/domain/identity/user-events.ts';
import { deviceEventCatalogue } from '../../../src/domain/notifications/device-events.ts';
import { deviceStream, notificationIdFor } from '../../../src/domain/notifications/streams.ts';
import { registerUser } from '../../api/support/identity-operations.ts';
import { mailpitMessages, waitForEmail } from '../../support/mailpit.ts';
import { responses } from '../../support/push-service.ts';
import {
  append,
  deliveriesOf,
  follow,
  type NotificationHarness,
  PUSH_TIMEOUT_MS,
  person,
  sagaFinished,
  setPreferences,
  settled,
  startNotificationHarness,
  subscribedDevice,
} from './support/harness.ts';

const hasMailpit = inject('mailpit').smtpUrl !== '';

let h: NotificationHarness;

/** Waits for the process manager to start the device revocation an event caused, then for its result. */
async function revocation(eventId: string): Promise<unknown> {
  const handle = h.client.workflow.getHandle(`revoke-devices-${eventId}`);
  await vi.waitFor(() => handle.describe(), { timeout: 15_000, interval: 100 });
  return handle.result();
}

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

  it('plans no push for a device without a subscription: one that syncs without push, one that lost it', async () => {
    const ada = await person(h, 'Ada');
    const ben = await person(h, 'Ben');
    const subscribed = await subscribedDevice(h, ada.id);
    const noPush = { pushEndpoint: null, pushP256dh: null, pushAuth: null };
    const syncOnly = randomUUID();
    await append(h, deviceStream(syncOnly), deviceEventCatalogue, {
      type: 'DeviceRegistered',
      data: { deviceId: syncOnly, userId: ada.id, platform: 'android', appVersion: '1.0.0', ...noPush },
    });
    const lost = await subscribedDevice(h, ada.id);
    await append(h, deviceStream(lost.deviceId), deviceEventCatalogue, {
      type: 'DevicePushSubscriptionChanged',
      data: { deviceId: lost.deviceId, userId: ada.id, ...noPush },
    });
    const followed = await follow(h, ben.id, ada.id);

    const rows = await settled(h, notificationIdFor(followed.id, ada.id), 1);
    expect(rows.map((row) => [row.channel, row.target, row.state])).toEqual([
      ['push', subscribed.deviceId, 'sent'],
    ]);
    await sagaFinished(h, followed.id);
    expect(await deliveriesOf(h, notificationIdFor(followed.id, ada.id))).toHaveLength(1);
    expect(h.push.attempts.filter((m) => m.endpointId === lost.subscription.endpointId)).toEqual([]);
  });

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

  it.skipIf(!hasMailpit)(
    'e-mails a security notice at once to the address on record, unverified and digest or not, without unsubscribe headers',
    async () => {
      const dee = await registerUser(h.api, `dee-${randomUUID()}@example.org`, 'Dee');
      await setPreferences(h, dee.id, { emailDigest: true });
      const signIn = await append(h, userStream(dee.id), userEventCatalogue, {
        type: 'LoginSucceeded',
        data: {
          userId: dee.id,
          sessionId: randomUUID(),
          method: 'password',
          device: { hash: 'a'.repeat(64), label: 'Firefox on Linux', newDevice: true },
          at: new Date().toISOString(),
        },
      });
      const id = notificationIdFor(signIn.id, dee.id);
      const [row] = await settled(h, id, 1);
      expect(row).toMatchObject({ channel: 'email', state: 'sent', attempts: 1 });
      const email = await waitForEmail(h.mailpit.apiUrl, dee.email);
      expect(email.messageId).toBe(`${id}.email@chronicle`);
      expect(email.headers['List-Unsubscribe']).toBeUndefined();
      expect(email.headers['List-Unsubscribe-Post']).toBeUndefined();
    },
  );

  it('revokes every device when the sessions are revoked, but not one registered afterwards', async () => {
    const ada = await person(h, 'Ada');
    const ben = await person(h, 'Ben');
    const phone = await subscribedDevice(h, ada.id);
    const laptop = await subscribedDevice(h, ada.id);
    const revoked = await append(h, userStream(ada.id), userEventCatalogue, {
      type: 'UserSessionsRevoked',
      data: { userId: ada.id, at: new Date().toISOString() },
    });
    // Signed in anew after the revocation: this device belongs to the new session.
    const tablet = await subscribedDevice(h, ada.id);
    await revocation(revoked.id);
    await vi.waitFor(
      async () => {
        const { rows } = await h.api.runtime.pool.query<{
          device_id: string;
          unregistered_reason: string | null;
        }>('select device_id, unregistered_reason from devices where user_id = $1', [ada.id]);
        const reasons = new Map(rows.map((row) => [row.device_id, row.unregistered_reason]));
        expect(reasons.get(phone.deviceId)).toBe('revoked');
        expect(reasons.get(laptop.deviceId)).toBe('revoked');
        expect(reasons.get(tablet.deviceId)).toBeNull();
      },
      { timeout: 10_000, interval: 100 },
    );
    const followed = await follow(h, ben.id, ada.id);
    const rows = await settled(h, notificationIdFor(followed.id, ada.id), 1);
    expect(rows).toEqual([
      expect.objectContaining({ channel: 'push', target: tablet.deviceId, state: 'sent' }),
    ]);
    for (const gone of [phone, laptop]) {
      expect(h.push.attempts.filter((m) => m.endpointId === gone.subscription.endpointId)).toEqual([]);
    }
  });

  it('tells a deactivated person nothing, and revokes their devices', async () => {
    const ada = await person(h, 'Ada');
    const ben = await person(h, 'Ben');
    const phone = await subscribedDevice(h, ada.id);
    await setPreferences(h, ada.id, { channels: { new_follower: { email: true } } });
    const deactivated = await append(h, userStream(ada.id), userEventCatalogue, {
      type: 'UserDeactivated',
      data: { userId: ada.id, reason: 'asked to leave' },
    });
    const followed = await follow(h, ben.id, ada.id);
    await sagaFinished(h, followed.id);
    // Planning found no active recipient: no push, no e-mail row at all.
    expect(await deliveriesOf(h, notificationIdFor(followed.id, ada.id))).toEqual([]);
    await revocation(deactivated.id);
    await vi.waitFor(
      async () => {
        const { rows } = await h.api.runtime.pool.query(
          'select unregistered_reason from devices where device_id = $1',
          [phone.deviceId],
        );
        expect(rows[0]?.unregistered_reason).toBe('revoked');
      },
      { timeout: 10_000, interval: 100 },
    );
    expect(h.push.attempts.filter((m) => m.endpointId === phone.subscription.endpointId)).toEqual([]);
  });

  it('revokes a forgotten person’s devices on their streams too, not only in the read model', async () => {
    const ada = await person(h, 'Ada');
    const phone = await subscribedDevice(h, ada.id);
    const forgotten = await append(h, userStream(ada.id), userEventCatalogue, {
      type: 'UserForgotten',
      data: {
        userId: ada.id,
        keyId: null,
        erasedFields: ['email', 'displayName'],
        at: new Date().toISOString(),
      },
    });
    expect(await revocation(forgotten.id)).toEqual({
      revoked: 1,
    });
    const events = await h.api.runtime.store.readStream(deviceStream(phone.deviceId));
    expect(events.at(-1)).toMatchObject({
      type: 'DeviceUnregistered',
      data: { deviceId: phone.deviceId, userId: ada.id, reason: 'revoked' },
    });
  });

  it('settles a push the service took but never answered unknown, and does not send it again', async () => {
    const ada = await person(h, 'Ada');
    const ben = await person(h, 'Ben');
    // Slower than the sender's timeout: the push went out, its answer never came back.
    const device = await subscribedDevice(h, ada.id, {
      responder: responses.always({ status: 201, delayMs: PUSH_TIMEOUT_MS * 2 }),
    });
    const followed = await follow(h, ben.id, ada.id);
    const [row] = await settled(h, notificationIdFor(followed.id, ada.id), 1, 40_000);
    expect(row).toMatchObject({ channel: 'push', target: device.deviceId, state: 'unknown', attempts: 1 });
    expect(row?.reason).toMatch(/^no answer after the request was sent/);
    await sagaFinished(h, followed.id);
  }, 60_000);
});
