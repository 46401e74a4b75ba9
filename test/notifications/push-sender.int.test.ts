import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '../../src/logger.ts';
import { outboundPolicy, STRICT_OUTBOUND_POLICY } from '../../src/net/outbound-policy.ts';
import { createPushSender, type PushSender } from '../../src/notifications/push/push-sender.ts';
import { generateVapidKeyPair, type VapidKeys } from '../../src/notifications/push/vapid-keys.ts';
import { freePort } from '../support/ports.ts';
import {
  type PushService,
  responses,
  startPushService,
  type TestPushSubscription,
} from '../support/push-service.ts';

const log = createLogger(process.env.TEST_LOG_LEVEL ?? 'silent');
const vapid: VapidKeys = { ...generateVapidKeyPair(), subject: 'mailto:ops@chronicle.example' };

let push: PushService;
let sender: PushSender;

beforeAll(async () => {
  push = await startPushService();
  sender = createPushSender({ vapid, outbound: outboundPolicy(['127.0.0.1']), log, timeoutMs: 500 });
});
afterAll(() => push.stop());

const targetOf = (subscription: TestPushSubscription) => ({
  deviceId: randomUUID(),
  endpoint: subscription.endpoint,
  p256dh: subscription.p256dh,
  auth: subscription.auth,
});

const aMessage = () => ({
  notificationId: randomUUID(),
  type: 'video_liked',
  title: 'Ada liked your video',
  body: 'Ada and 2 others liked "Sourdough in 10 minutes"',
  path: `/videos/${randomUUID()}`,
});

describe('the push sender against a real push service', () => {
  it('delivers a message the service decrypts (RFC 8291) under a VAPID JWT that verifies', async () => {
    const subscription = push.createPushSubscription({ applicationServerKey: vapid.publicKey });
    const message = aMessage();
    const outcome = await sender.send(targetOf(subscription), message, {
      ttlSeconds: 3600,
      urgency: 'high',
      topic: message.notificationId.replaceAll('-', ''),
    });
    expect(outcome).toEqual({ outcome: 'sent' });
    const [received] = await push.waitForMessages(1, { endpointId: subscription.endpointId });
    expect(received?.payload).toEqual({
      id: message.notificationId,
      type: message.type,
      title: message.title,
      body: message.body,
      path: message.path,
    });
    expect(received?.headers).toMatchObject({
      ttl: '3600',
      urgency: 'high',
      topic: message.notificationId.replaceAll('-', ''),
      'content-encoding': 'aes128gcm',
    });
    expect(String(received?.headers.authorization)).toContain(`k=${vapid.publicKey}`);
  });

  it('a subscription the push service says is gone (410, 404) is gone', async () => {
    for (const status of [410, 404]) {
      const subscription = push.createPushSubscription({ responder: responses.always(status) });
      expect(await sender.send(targetOf(subscription), aMessage())).toEqual({
        outcome: 'gone',
        reason: `HTTP ${status}`,
      });
    }
  });

  it('500 and 429 are transient, with the Retry-After the service asked for', async () => {
    const failing = push.createPushSubscription({
      responder: responses.sequence({ status: 500, retryAfter: '7' }, { status: 201 }),
    });
    expect(await sender.send(targetOf(failing), aMessage())).toEqual({
      outcome: 'transient',
      reason: 'HTTP 500',
      retryAfterMs: 7000,
    });
    expect(await sender.send(targetOf(failing), aMessage())).toEqual({ outcome: 'sent' });
    const throttled = push.createPushSubscription({ responder: responses.always(429) });
    expect(await sender.send(targetOf(throttled), aMessage())).toEqual({
      outcome: 'transient',
      reason: 'HTTP 429',
    });
  });

  it('a push service slower than the timeout, once it has the request, is unknown: it may have queued it', async () => {
    const slow = push.createPushSubscription({
      responder: responses.always({ status: 201, delayMs: 3_000 }),
    });
    const started = Date.now();
    expect(await sender.send(targetOf(slow), aMessage())).toEqual({
      outcome: 'unknown',
      reason: 'no answer after the request was sent (TARGET_UNREACHABLE)',
    });
    expect(Date.now() - started).toBeLessThan(2_500);
  });

  it('a push service that cannot be reached at all is transient: nothing was sent', async () => {
    const closed = `http://127.0.0.1:${await freePort()}/push/nobody`;
    const target = { ...targetOf(push.createPushSubscription()), endpoint: closed };
    expect(await sender.send(target, aMessage())).toEqual({
      outcome: 'transient',
      reason: 'TARGET_UNREACHABLE',
    });
  });

  it('other refusals are permanent: a VAPID key the subscription was not made with (403), a 400', async () => {
    const otherKey = push.createPushSubscription({ applicationServerKey: generateVapidKeyPair().publicKey });
    expect(await sender.send(targetOf(otherKey), aMessage())).toEqual({
      outcome: 'permanent',
      reason: 'HTTP 403',
    });
    expect(push.rejected).toContainEqual({
      endpointId: otherKey.endpointId,
      status: 403,
      reason: 'k is not the key the subscription was made with',
    });
    const refusing = push.createPushSubscription({ responder: responses.always(400) });
    expect(await sender.send(targetOf(refusing), aMessage())).toEqual({
      outcome: 'permanent',
      reason: 'HTTP 400',
    });
  });

  it('the service really decrypts: a message encrypted to other keys is refused', async () => {
    const [mine, other] = [push.createPushSubscription(), push.createPushSubscription()];
    const outcome = await sender.send(
      { ...targetOf(mine), p256dh: other.p256dh, auth: other.auth },
      aMessage(),
    );
    expect(outcome).toEqual({ outcome: 'permanent', reason: 'HTTP 400' });
    expect(push.rejected).toContainEqual(
      expect.objectContaining({ endpointId: mine.endpointId, status: 400 }),
    );
    expect(push.received.filter((m) => m.endpointId === mine.endpointId)).toEqual([]);
  });

  it('refuses an internal endpoint before sending anything, unless the allow-list names it', async () => {
    const strict = createPushSender({ vapid, outbound: STRICT_OUTBOUND_POLICY, log });
    const subscription = push.createPushSubscription();
    const before = push.attempts.length + push.rejected.length;
    for (const endpoint of [
      subscription.endpoint,
      `http://localhost:${new URL(push.origin).port}/push/${subscription.endpointId}`,
      'https://169.254.169.254/latest/meta-data',
      'https://[::1]/push',
    ]) {
      expect(await strict.send({ ...targetOf(subscription), endpoint }, aMessage())).toEqual({
        outcome: 'permanent',
        reason: 'endpoint not allowed: INTERNAL_ADDRESS',
      });
    }
    expect(push.attempts.length + push.rejected.length).toBe(before);
  });

  it('keys that cannot be encrypted to are permanent, not retried', async () => {
    const subscription = push.createPushSubscription();
    const outcome = await sender.send({ ...targetOf(subscription), p256dh: 'AAAA' }, aMessage());
    expect(outcome).toMatchObject({ outcome: 'permanent' });
  });

  it('cuts long text so the payload stays within what push services accept', async () => {
    const subscription = push.createPushSubscription();
    const message = { ...aMessage(), title: 't'.repeat(1_000), body: 'b'.repeat(5_000) };
    expect(await sender.send(targetOf(subscription), message)).toEqual({ outcome: 'sent' });
    const [received] = await push.waitForMessages(1, { endpointId: subscription.endpointId });
    const payload = received?.payload as { title: string; body: string };
    expect(payload.title).toHaveLength(200);
    expect(payload.body).toHaveLength(600);
  });
});
