import { createECDH, randomBytes, randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '../../../src/logger.ts';
import { outboundPolicy } from '../../../src/net/outbound-policy.ts';
import { generateVapidKeyPair } from '../../../src/notifications/push/vapid-keys.ts';
import { dropGoneDevice, registerDevice } from '../../../src/services/notifications/devices.ts';
import { errorCodes, fieldOf, type IdentityApp, startIdentityApp } from '../support/identity-app.ts';
import { identityDeps, registerAndSignIn } from '../support/identity-operations.ts';

const vapid = { ...generateVapidKeyPair(), subject: 'mailto:ops@chronicle.example' };
let api: IdentityApp;

beforeAll(async () => {
  api = await startIdentityApp({ vapid });
});
afterAll(() => api.close());

const REGISTER = `mutation ($input: RegisterDeviceInput!) {
  registerDevice(input: $input) { id platform appVersion pushEnabled registeredAt updatedAt }
}`;
const UNREGISTER = 'mutation ($deviceId: ID!) { unregisterDevice(deviceId: $deviceId) }';
const MY_DEVICES = '{ myDevices { id platform appVersion pushEnabled } }';

interface Device {
  id: string;
  platform: string;
  appVersion: string;
  pushEnabled: boolean;
  registeredAt: string;
  updatedAt: string;
}

/** As PushSubscription.toJSON() gives it: a real P-256 point, a 16-byte secret. */
function aSubscription(endpoint = `https://fcm.googleapis.com/fcm/send/${randomUUID()}`) {
  const ecdh = createECDH('prime256v1');
  ecdh.generateKeys();
  return {
    endpoint,
    keys: { p256dh: ecdh.getPublicKey().toString('base64url'), auth: randomBytes(16).toString('base64url') },
  };
}

const input = (pushSubscription = aSubscription(), appVersion = '1.0.0') => ({
  platform: 'WEB',
  appVersion,
  pushSubscription,
});

const register = async (token: string, subscription = aSubscription(), appVersion = '1.0.0') =>
  fieldOf<Device>(
    await api.gql(REGISTER, { input: input(subscription, appVersion) }, token),
    'registerDevice',
  );

const myDevices = async (token: string) =>
  fieldOf<Device[]>(await api.gql(MY_DEVICES, {}, token), 'myDevices');

async function storedDevice(deviceId: string) {
  const { rows } = await api.runtime.pool.query('select * from devices where device_id = $1', [deviceId]);
  return rows[0];
}

describe('devices', () => {
  it('anyone reads the VAPID public key browsers subscribe with', async () => {
    expect(fieldOf<string>(await api.gql('{ vapidPublicKey }'), 'vapidPublicKey')).toBe(vapid.publicKey);
  });

  it('registers a device; the same subscription again is the same device, updated', async () => {
    const ada = await registerAndSignIn(api);
    const subscription = aSubscription();
    const device = await register(ada.accessToken, subscription);
    expect(device).toMatchObject({ platform: 'WEB', appVersion: '1.0.0', pushEnabled: true });
    const again = await register(ada.accessToken, subscription, '1.1.0');
    expect(again).toMatchObject({ id: device.id, appVersion: '1.1.0', registeredAt: device.registeredAt });
    expect(await myDevices(ada.accessToken)).toEqual([
      { id: device.id, platform: 'WEB', appVersion: '1.1.0', pushEnabled: true },
    ]);
    // Delivery reads the subscription, decrypted, from the registry.
    expect(await storedDevice(device.id)).toMatchObject({
      user_id: ada.id,
      push_endpoint: subscription.endpoint,
      push_p256dh: subscription.keys.p256dh,
      push_auth: subscription.keys.auth,
      unregistered_at: null,
    });
  });

  it('unregisters a device (again: still true); it gets no more pushes', async () => {
    const ada = await registerAndSignIn(api);
    const device = await register(ada.accessToken);
    for (let attempt = 0; attempt < 2; attempt++) {
      expect(
        fieldOf(await api.gql(UNREGISTER, { deviceId: device.id }, ada.accessToken), 'unregisterDevice'),
      ).toBe(true);
    }
    expect(await myDevices(ada.accessToken)).toEqual([]);
    expect(await storedDevice(device.id)).toMatchObject({ unregistered_reason: 'user' });
  });

  it("someone else's device is not found, and not listed", async () => {
    const [ada, bob] = [await registerAndSignIn(api), await registerAndSignIn(api)];
    const device = await register(ada.accessToken);
    expect(errorCodes(await api.gql(UNREGISTER, { deviceId: device.id }, bob.accessToken))).toEqual([
      'NOT_FOUND/DEVICE_NOT_FOUND',
    ]);
    expect(errorCodes(await api.gql(UNREGISTER, { deviceId: randomUUID() }, bob.accessToken))).toEqual([
      'NOT_FOUND/DEVICE_NOT_FOUND',
    ]);
    expect(await myDevices(bob.accessToken)).toEqual([]);
    expect(await myDevices(ada.accessToken)).toHaveLength(1);
  });

  it('malformed subscriptions are INVALID_PUSH_SUBSCRIPTION, and nothing is stored', async () => {
    const ada = await registerAndSignIn(api);
    const good = aSubscription();
    const cases: [ReturnType<typeof aSubscription>, string][] = [
      [{ ...good, keys: { ...good.keys, p256dh: randomBytes(65).toString('base64url') } }, 'P256DH'],
      [{ ...good, keys: { ...good.keys, p256dh: 'not-a-key' } }, 'P256DH'],
      [{ ...good, keys: { ...good.keys, auth: randomBytes(8).toString('base64url') } }, 'AUTH'],
      [{ ...good, endpoint: 'not a url' }, 'ENDPOINT'],
      [{ ...good, endpoint: 'http://push.example.net/send/1' }, 'ENDPOINT'],
      [{ ...good, endpoint: 'https://169.254.169.254/latest' }, 'ENDPOINT'],
      [{ ...good, endpoint: 'https://localhost/push' }, 'ENDPOINT'],
    ];
    for (const [subscription, problem] of cases) {
      const response = await api.gql(REGISTER, { input: input(subscription) }, ada.accessToken);
      expect(errorCodes(response)).toEqual(['VALIDATION/INVALID_PUSH_SUBSCRIPTION']);
      expect(response.errors?.[0]?.extensions).toMatchObject({ problem });
    }
    expect(await myDevices(ada.accessToken)).toEqual([]);
    const { rows } = await api.runtime.pool.query('select 1 from devices where user_id = $1', [ada.id]);
    expect(rows).toEqual([]);
  });

  it('takes endpoints of the browsers` push services only (PUSH_ALLOWED_HOSTS), storing nothing else', async () => {
    const ada = await registerAndSignIn(api);
    for (const endpoint of [
      'https://updates.push.services.mozilla.com/wpush/v2/gAAAAABk',
      'https://wns2-par02p.notify.windows.com/w/?token=BQYAAA',
      'https://web.push.apple.com/QGuQyavXutnMH3oz',
      `https://FCM.googleapis.com/fcm/send/${randomUUID()}`,
    ]) {
      await register(ada.accessToken, aSubscription(endpoint));
    }
    expect(await myDevices(ada.accessToken)).toHaveLength(4);
    for (const endpoint of [
      'https://push.example.net/send/1',
      'https://notify.windows.com/w/?token=1',
      'https://fcm.googleapis.com.example.net/fcm/send/1',
      'https://evilfcm.googleapis.com/fcm/send/1',
      'https://web.push.apple.com.attacker.example/x',
    ]) {
      const response = await api.gql(REGISTER, { input: input(aSubscription(endpoint)) }, ada.accessToken);
      expect(errorCodes(response), endpoint).toEqual(['VALIDATION/INVALID_PUSH_SUBSCRIPTION']);
      expect(response.errors?.[0]?.extensions).toMatchObject({ problem: 'ENDPOINT_HOST' });
    }
    expect(await myDevices(ada.accessToken)).toHaveLength(4);
  });

  it('takes a configured list, and an internal push service the outbound allow-list lets through', async () => {
    const ada = await registerAndSignIn(api);
    const deps = {
      ...identityDeps(api),
      pool: api.runtime.pool,
      vapidPublicKey: vapid.publicKey,
      outbound: outboundPolicy(['127.0.0.1']),
      pushHosts: ['push.example.net'],
    };
    const context = {
      actor: { kind: 'user' as const, userId: ada.id, role: 'user' as const },
      correlationId: randomUUID(),
    };
    const raw = (endpoint: string) => ({
      platform: 'web',
      appVersion: '1',
      pushSubscription: aSubscription(endpoint),
    });
    await registerDevice(deps, context, raw('https://push.example.net/send/1'));
    await registerDevice(deps, context, raw('http://127.0.0.1:8099/push/1'));
    await expect(
      registerDevice(deps, context, raw(`https://fcm.googleapis.com/fcm/send/${randomUUID()}`)),
    ).rejects.toMatchObject({ reason: 'INVALID_PUSH_SUBSCRIPTION', details: { problem: 'ENDPOINT_HOST' } });
    await expect.poll(async () => (await myDevices(ada.accessToken)).length).toBe(2);
  });

  it('refuses over-long input and anonymous callers', async () => {
    const ada = await registerAndSignIn(api);
    expect(
      errorCodes(await api.gql(REGISTER, { input: input(aSubscription(), 'x'.repeat(51)) }, ada.accessToken)),
    ).toEqual(['VALIDATION/INVALID_INPUT']);
    expect(errorCodes(await api.gql(REGISTER, { input: input() }))).toEqual([
      'UNAUTHENTICATED/SIGN_IN_REQUIRED',
    ]);
    expect(errorCodes(await api.gql(MY_DEVICES))).toEqual(['UNAUTHENTICATED/SIGN_IN_REQUIRED']);
  });

  it('at most 20 devices: a 21st is TOO_MANY_DEVICES until one is unregistered', async () => {
    const ada = await registerAndSignIn(api);
    const devices: Device[] = [];
    for (let count = 0; count < 20; count++) devices.push(await register(ada.accessToken));
    expect(errorCodes(await api.gql(REGISTER, { input: input() }, ada.accessToken))).toEqual([
      'CONFLICT/TOO_MANY_DEVICES',
    ]);
    // Registering one of the 20 again is an update, not a 21st.
    expect(await myDevices(ada.accessToken)).toHaveLength(20);
    await api.gql(UNREGISTER, { deviceId: devices[0]?.id }, ada.accessToken);
    await register(ada.accessToken);
    expect(await myDevices(ada.accessToken)).toHaveLength(20);
  });

  it('delivery drops a device its push service says is gone, once', async () => {
    const ada = await registerAndSignIn(api);
    const device = await register(ada.accessToken);
    const { store, codec } = api.runtime;
    const serviceDeps = { store, codec, log: createLogger('silent') };
    expect(await dropGoneDevice(serviceDeps, device.id)).toBe(true);
    expect(await dropGoneDevice(serviceDeps, device.id)).toBe(false);
    expect(await dropGoneDevice(serviceDeps, randomUUID())).toBe(false);
    await expect.poll(async () => (await storedDevice(device.id))?.unregistered_reason).toBe('push_gone');
    expect(await myDevices(ada.accessToken)).toEqual([]);
  });

  it("forgetting a person empties their devices' subscriptions", async () => {
    const ada = await registerAndSignIn(api);
    const device = await register(ada.accessToken);
    expect(errorCodes(await api.gql('mutation { forgetUser { __typename } }', {}, ada.accessToken))).toEqual(
      [],
    );
    await expect
      .poll(async () => storedDevice(device.id), { timeout: 5_000 })
      .toMatchObject({
        push_endpoint: null,
        push_p256dh: null,
        push_auth: null,
        unregistered_reason: 'user_forgotten',
      });
  });
});
