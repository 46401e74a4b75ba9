import { createECDH, randomBytes, randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { deviceDecider } from '../../../src/domain/notifications/device-decider.ts';
import type { DeviceEvent } from '../../../src/domain/notifications/device-events.ts';
import { checkPushSubscription } from '../../../src/domain/notifications/device-push-subscription.ts';
import { DomainError } from '../../../src/domain/shared/domain-error.ts';
import { anAdmin, anIntegration, anonymous, asUser, by, theSystem } from '../support/actors.ts';
import { deciderSpec } from '../support/decider-spec.ts';

const spec = deciderSpec(deviceDecider);
const now = new Date('2026-12-07T12:00:00.000Z');

/** A subscription shaped as a browser makes it: a real P-256 point and a 16-byte secret. */
function aSubscription(endpoint = `https://push.example.net/send/${randomUUID()}`) {
  const ecdh = createECDH('prime256v1');
  ecdh.generateKeys();
  return {
    endpoint,
    p256dh: ecdh.getPublicKey().toString('base64url'),
    auth: randomBytes(16).toString('base64url'),
  };
}

function registered(deviceId: string, userId: string, push = aSubscription()): DeviceEvent {
  return {
    type: 'DeviceRegistered',
    data: {
      deviceId,
      userId,
      platform: 'web',
      appVersion: '1.0.0',
      pushEndpoint: push.endpoint,
      pushP256dh: push.p256dh,
      pushAuth: push.auth,
    },
  };
}

const register = (deviceId: string, push = aSubscription(), activeDevices = 0) => ({
  type: 'RegisterDevice' as const,
  deviceId,
  platform: 'web' as const,
  appVersion: '1.0.0',
  push,
  activeDevices,
});

describe('registering a device', () => {
  it('records the device with its subscription, owned by the caller', () => {
    const [deviceId, userId, push] = [randomUUID(), randomUUID(), aSubscription()];
    spec
      .given([])
      .when(register(deviceId, push), by(asUser(userId), now))
      .then([registered(deviceId, userId, push)]);
  });

  it('an API key registers for its owner', () => {
    const [deviceId, ownerId, push] = [randomUUID(), randomUUID(), aSubscription()];
    spec
      .given([])
      .when(register(deviceId, push), by(anIntegration(ownerId, ['graphql:write']), now))
      .then([registered(deviceId, ownerId, push)]);
  });

  it('registering the same subscription again changes nothing', () => {
    const [deviceId, userId, push] = [randomUUID(), randomUUID(), aSubscription()];
    spec
      .given([registered(deviceId, userId, push)])
      .when(register(deviceId, push, 20), by(asUser(userId), now))
      .thenNothing();
  });

  it('new keys or a new app version update the registered device', () => {
    const [deviceId, userId, push] = [randomUUID(), randomUUID(), aSubscription()];
    const rotated = { ...aSubscription(push.endpoint) };
    spec
      .given([registered(deviceId, userId, push)])
      .when({ ...register(deviceId, rotated), appVersion: '1.1.0' }, by(asUser(userId), now))
      .then([
        {
          type: 'DevicePushSubscriptionChanged',
          data: {
            deviceId,
            userId,
            pushEndpoint: rotated.endpoint,
            pushP256dh: rotated.p256dh,
            pushAuth: rotated.auth,
          },
        },
        { type: 'DeviceDetailsChanged', data: { deviceId, userId, platform: 'web', appVersion: '1.1.0' } },
      ]);
  });

  it('refuses a 21st registered device, but not an update of one of the 20', () => {
    const [deviceId, userId] = [randomUUID(), randomUUID()];
    spec
      .given([])
      .when(register(deviceId, aSubscription(), 20), by(asUser(userId), now))
      .thenThrows('CONFLICT', 'TOO_MANY_DEVICES');
    spec
      .given([registered(deviceId, userId)])
      .when({ ...register(deviceId, aSubscription(), 20), appVersion: '2.0.0' }, by(asUser(userId), now))
      .then([
        expect.objectContaining({ type: 'DevicePushSubscriptionChanged' }),
        expect.objectContaining({ type: 'DeviceDetailsChanged' }),
      ]);
  });

  it("someone else's device is not found", () => {
    const deviceId = randomUUID();
    spec
      .given([registered(deviceId, randomUUID())])
      .when(register(deviceId), by(asUser(randomUUID()), now))
      .thenThrows('NOT_FOUND', 'DEVICE_NOT_FOUND');
  });

  it('refuses anonymous callers and processes', () => {
    spec
      .given([])
      .when(register(randomUUID()), by(anonymous, now))
      .thenThrows('FORBIDDEN', 'SIGN_IN_REQUIRED');
    spec.given([]).when(register(randomUUID()), by(theSystem(), now)).thenThrows('FORBIDDEN', 'PEOPLE_ONLY');
  });

  it('registers again after being unregistered', () => {
    const [deviceId, userId, push] = [randomUUID(), randomUUID(), aSubscription()];
    spec
      .given([
        registered(deviceId, userId, push),
        { type: 'DeviceUnregistered', data: { deviceId, userId, reason: 'user' } },
      ])
      .when(register(deviceId, push), by(asUser(userId), now))
      .then([registered(deviceId, userId, push)]);
  });

  it('refuses malformed keys with INVALID_PUSH_SUBSCRIPTION', () => {
    const user = asUser(randomUUID());
    const good = aSubscription();
    const offCurve = Buffer.from(good.p256dh, 'base64url');
    offCurve[64] = (offCurve[64] ?? 0) ^ 1;
    for (const push of [
      { ...good, p256dh: 'not base64!' },
      { ...good, p256dh: randomBytes(65).toString('base64url') },
      { ...good, p256dh: offCurve.toString('base64url') },
      { ...good, p256dh: createECDH('prime256v1').generateKeys('base64url', 'compressed') },
      { ...good, auth: randomBytes(15).toString('base64url') },
      { ...good, auth: '' },
      { ...good, endpoint: 'ftp://push.example.net/x' },
      { ...good, endpoint: 'https://user:pw@push.example.net/x' },
      { ...good, endpoint: 'push.example.net/x' },
      { ...good, endpoint: `https://push.example.net/${'x'.repeat(2048)}` },
    ]) {
      spec
        .given([])
        .when(register(randomUUID(), push), by(user, now))
        .thenThrows('VALIDATION', 'INVALID_PUSH_SUBSCRIPTION');
    }
  });
});

describe('the subscription check', () => {
  it('accepts padded keys and stores them unpadded', () => {
    const push = aSubscription();
    const padded = { ...push, auth: `${push.auth}==` };
    expect(checkPushSubscription(padded)).toEqual(push);
  });

  it('says which part is wrong', () => {
    try {
      checkPushSubscription({ ...aSubscription(), auth: 'AAAA' });
      expect.unreachable('accepted a 3-byte auth secret');
    } catch (error) {
      expect(error).toBeInstanceOf(DomainError);
      expect(error).toMatchObject({ reason: 'INVALID_PUSH_SUBSCRIPTION', details: { problem: 'AUTH' } });
    }
  });
});

describe('unregistering a device', () => {
  it('the owner unregisters it; again decides nothing', () => {
    const [deviceId, userId] = [randomUUID(), randomUUID()];
    const gone: DeviceEvent = { type: 'DeviceUnregistered', data: { deviceId, userId, reason: 'user' } };
    const command = { type: 'UnregisterDevice' as const, deviceId, reason: 'user' as const };
    spec
      .given([registered(deviceId, userId)])
      .when(command, by(asUser(userId), now))
      .then([gone]);
    spec
      .given([registered(deviceId, userId), gone])
      .when(command, by(asUser(userId), now))
      .thenNothing();
  });

  it("someone else's device, or none, is not found", () => {
    const deviceId = randomUUID();
    const command = { type: 'UnregisterDevice' as const, deviceId, reason: 'user' as const };
    spec
      .given([registered(deviceId, randomUUID())])
      .when(command, by(asUser(randomUUID()), now))
      .thenThrows('NOT_FOUND', 'DEVICE_NOT_FOUND');
    spec
      .given([])
      .when(command, by(asUser(randomUUID()), now))
      .thenThrows('NOT_FOUND', 'DEVICE_NOT_FOUND');
  });

  it('delivery drops a gone device once; people cannot claim a push failure', () => {
    const [deviceId, userId] = [randomUUID(), randomUUID()];
    const command = { type: 'UnregisterDevice' as const, deviceId, reason: 'push_gone' as const };
    const dropped: DeviceEvent = {
      type: 'DeviceUnregistered',
      data: { deviceId, userId, reason: 'push_gone' },
    };
    spec
      .given([registered(deviceId, userId)])
      .when(command, by(theSystem('notifications'), now))
      .then([dropped]);
    spec
      .given([registered(deviceId, userId), dropped])
      .when(command, by(theSystem(), now))
      .thenNothing();
    spec
      .given([registered(deviceId, userId)])
      .when(command, by(asUser(userId), now))
      .thenThrows('FORBIDDEN', 'SYSTEM_ONLY');
  });

  it('an administrator revokes a device; a user cannot', () => {
    const [deviceId, userId] = [randomUUID(), randomUUID()];
    const command = { type: 'UnregisterDevice' as const, deviceId, reason: 'revoked' as const };
    spec
      .given([registered(deviceId, userId)])
      .when(command, by(anAdmin(), now))
      .then([{ type: 'DeviceUnregistered', data: { deviceId, userId, reason: 'revoked' } }]);
    spec
      .given([registered(deviceId, userId)])
      .when(command, by(asUser(userId), now))
      .thenThrows('FORBIDDEN', 'ADMIN_ONLY');
  });
});
