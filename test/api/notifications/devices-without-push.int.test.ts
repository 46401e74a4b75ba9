import { createECDH, randomBytes, randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateVapidKeyPair } from '../../../src/notifications/push/vapid-keys.ts';
import { registerDevice } from '../../../src/services/notifications/devices.ts';
import { errorCodes, fieldOf, type IdentityApp, startIdentityApp } from '../support/identity-app.ts';
import { identityDeps, registerAndSignIn } from '../support/identity-operations.ts';

const vapid = { ...generateVapidKeyPair(), subject: 'mailto:ops@chronicle.example' };
let api: IdentityApp;

beforeAll(async () => {
  api = await startIdentityApp({ vapid });
});
afterAll(() => api.close());

const REGISTER = `mutation ($input: RegisterDeviceInput!) {
  registerDevice(input: $input) { id platform appVersion pushEnabled registeredAt }
}`;
const UNREGISTER = 'mutation ($deviceId: ID!) { unregisterDevice(deviceId: $deviceId) }';
const MY_DEVICES = '{ myDevices { id platform appVersion pushEnabled lastSyncedAt } }';
const SYNC = `mutation ($input: SyncInput!) {
  sync(input: $input) { outcomes { changeId } cursor reseed { reason } }
}`;

interface Device {
  id: string;
  platform: string;
  appVersion: string;
  pushEnabled: boolean;
  registeredAt: string;
}

function aSubscription() {
  const ecdh = createECDH('prime256v1');
  ecdh.generateKeys();
  return {
    endpoint: `https://fcm.googleapis.com/fcm/send/${randomUUID()}`,
    keys: { p256dh: ecdh.getPublicKey().toString('base64url'), auth: randomBytes(16).toString('base64url') },
  };
}

/** An app install's own id, as a native app keeps it (a UUID made on first start). */
const anInstallation = () => `install-${randomUUID()}`;

const register = async (token: string, input: Record<string, unknown>) =>
  fieldOf<Device>(
    await api.gql(REGISTER, { input: { platform: 'ANDROID', appVersion: '1.0.0', ...input } }, token),
    'registerDevice',
  );

const myDevices = async (token: string) =>
  fieldOf<(Device & { lastSyncedAt: string | null })[]>(await api.gql(MY_DEVICES, {}, token), 'myDevices');

async function storedDevice(deviceId: string) {
  const { rows } = await api.runtime.pool.query('select * from devices where device_id = $1', [deviceId]);
  return rows[0];
}

describe('devices without web push', () => {
  it('registers an install without a subscription: no push, and the same install is the same device', async () => {
    const ada = await registerAndSignIn(api);
    const installationId = anInstallation();
    const device = await register(ada.accessToken, { installationId });
    expect(device).toMatchObject({ platform: 'ANDROID', appVersion: '1.0.0', pushEnabled: false });
    expect(await storedDevice(device.id)).toMatchObject({
      user_id: ada.id,
      push_endpoint: null,
      push_p256dh: null,
      push_auth: null,
      unregistered_at: null,
    });
    const again = await register(ada.accessToken, { installationId, appVersion: '1.1.0' });
    expect(again).toMatchObject({ id: device.id, appVersion: '1.1.0', registeredAt: device.registeredAt });
    expect(await myDevices(ada.accessToken)).toEqual([
      { id: device.id, platform: 'ANDROID', appVersion: '1.1.0', pushEnabled: false, lastSyncedAt: null },
    ]);
  });

  it('an install that gains, renews and loses its subscription stays one device', async () => {
    const ada = await registerAndSignIn(api);
    const installationId = anInstallation();
    const withoutPush = await register(ada.accessToken, { platform: 'WEB', installationId });
    const subscription = aSubscription();
    const withPush = await register(ada.accessToken, {
      platform: 'WEB',
      installationId,
      pushSubscription: subscription,
    });
    expect(withPush).toMatchObject({ id: withoutPush.id, pushEnabled: true });
    expect(await storedDevice(withPush.id)).toMatchObject({ push_endpoint: subscription.endpoint });
    // The push service rotated the endpoint: the install is still the same device, with the new one.
    const renewed = aSubscription();
    expect(
      await register(ada.accessToken, { platform: 'WEB', installationId, pushSubscription: renewed }),
    ).toMatchObject({ id: withoutPush.id, pushEnabled: true });
    expect(await storedDevice(withPush.id)).toMatchObject({ push_endpoint: renewed.endpoint });
    // Permission withdrawn: registering states what the device has now, so pushes stop.
    expect(await register(ada.accessToken, { platform: 'WEB', installationId })).toMatchObject({
      id: withoutPush.id,
      pushEnabled: false,
    });
    expect(await storedDevice(withPush.id)).toMatchObject({ push_endpoint: null, push_auth: null });
    expect(await myDevices(ada.accessToken)).toHaveLength(1);
    const { rows } = await api.runtime.pool.query(
      `select type from es_events where stream_name = $1 order by revision`,
      [`device-${withoutPush.id}`],
    );
    expect(rows.map((row) => row.type)).toEqual([
      'DeviceRegistered',
      'DevicePushSubscriptionChanged',
      'DevicePushSubscriptionChanged',
      'DevicePushSubscriptionChanged',
    ]);
  });

  it("an installation id is per person: another's is another device, and not theirs to touch", async () => {
    const [ada, bob] = [await registerAndSignIn(api), await registerAndSignIn(api)];
    const installationId = anInstallation();
    const adas = await register(ada.accessToken, { installationId });
    const bobs = await register(bob.accessToken, { installationId });
    expect(bobs.id).not.toBe(adas.id);
    expect(errorCodes(await api.gql(UNREGISTER, { deviceId: adas.id }, bob.accessToken))).toEqual([
      'NOT_FOUND/DEVICE_NOT_FOUND',
    ]);
    expect((await myDevices(ada.accessToken)).map((device) => device.id)).toEqual([adas.id]);
  });

  it('refuses a device with neither, installation ids of another shape and half subscriptions, storing nothing', async () => {
    const ada = await registerAndSignIn(api);
    const attempt = (input: Record<string, unknown>) =>
      api.gql(REGISTER, { input: { platform: 'IOS', appVersion: '1.0.0', ...input } }, ada.accessToken);
    expect(errorCodes(await attempt({}))).toEqual(['VALIDATION/INSTALLATION_ID_REQUIRED']);
    expect(errorCodes(await attempt({ pushSubscription: null, installationId: null }))).toEqual([
      'VALIDATION/INSTALLATION_ID_REQUIRED',
    ]);
    for (const installationId of [
      '',
      'short',
      'x'.repeat(101),
      'has a space',
      'line\nbreak!',
      'ünïcödé-install',
      '../../etc/passwd',
      '<script>1</script>',
    ]) {
      expect(errorCodes(await attempt({ installationId })), JSON.stringify(installationId)).toEqual([
        'VALIDATION/INVALID_INSTALLATION_ID',
      ]);
    }
    // Past the bound the schema holds before anything is looked at, and a NUL anywhere in the input.
    for (const installationId of ['x'.repeat(5_000), `${'a'.repeat(20)}\u0000`]) {
      expect(errorCodes(await attempt({ installationId }))).toEqual(['VALIDATION/INVALID_INPUT']);
    }
    const { keys } = aSubscription();
    // Keys without an endpoint are no subscription: GraphQL refuses the input's shape.
    const keysOnly = await attempt({ installationId: anInstallation(), pushSubscription: { keys } });
    expect(errorCodes(keysOnly)).toEqual(['GRAPHQL_VALIDATION_FAILED']);
    // An installation id does not let a broken subscription through.
    const badKeys = await attempt({
      installationId: anInstallation(),
      pushSubscription: { endpoint: aSubscription().endpoint, keys: { ...keys, auth: 'AAAA' } },
    });
    expect(errorCodes(badKeys)).toEqual(['VALIDATION/INVALID_PUSH_SUBSCRIPTION']);
    expect(badKeys.errors?.[0]?.extensions).toMatchObject({ problem: 'AUTH' });
    expect(await myDevices(ada.accessToken)).toEqual([]);
    const { rows } = await api.runtime.pool.query('select 1 from devices where user_id = $1', [ada.id]);
    expect(rows).toEqual([]);
  });

  it('the service refuses keys without an endpoint too (a caller other than GraphQL)', async () => {
    const ada = await registerAndSignIn(api);
    const deps = { ...identityDeps(api), pool: api.runtime.pool, vapidPublicKey: vapid.publicKey };
    const context = {
      actor: { kind: 'user' as const, userId: ada.id, role: 'user' as const },
      correlationId: randomUUID(),
    };
    await expect(
      registerDevice(deps, context, {
        platform: 'ios',
        appVersion: '1',
        installationId: anInstallation(),
        pushSubscription: { keys: aSubscription().keys },
      }),
    ).rejects.toMatchObject({ name: 'ZodError' });
    const { rows } = await api.runtime.pool.query('select 1 from devices where user_id = $1', [ada.id]);
    expect(rows).toEqual([]);
  });

  it('devices without push count toward the 20, and one of the 20 registered again is not a 21st', async () => {
    const ada = await registerAndSignIn(api);
    const installations = Array.from({ length: 20 }, anInstallation);
    for (const installationId of installations) await register(ada.accessToken, { installationId });
    const refused = await api.gql(
      REGISTER,
      { input: { platform: 'IOS', appVersion: '1', installationId: anInstallation() } },
      ada.accessToken,
    );
    expect(errorCodes(refused)).toEqual(['CONFLICT/TOO_MANY_DEVICES']);
    expect(refused.errors?.[0]?.extensions).toMatchObject({ limit: 20 });
    // Nor does a subscription make a 21st: with no installation id it would be a new device.
    expect(
      errorCodes(
        await api.gql(
          REGISTER,
          { input: { platform: 'WEB', appVersion: '1', pushSubscription: aSubscription() } },
          ada.accessToken,
        ),
      ),
    ).toEqual(['CONFLICT/TOO_MANY_DEVICES']);
    const first = installations[0] ?? '';
    expect(
      await register(ada.accessToken, { installationId: first, pushSubscription: aSubscription() }),
    ).toMatchObject({ pushEnabled: true });
    expect(await myDevices(ada.accessToken)).toHaveLength(20);
  });

  it('a device without push syncs', async () => {
    const ada = await registerAndSignIn(api);
    const device = await register(ada.accessToken, { installationId: anInstallation() });
    const reply = fieldOf<{ outcomes: unknown[]; cursor: string; reseed: { reason: string } | null }>(
      await api.gql(SYNC, { input: { deviceId: device.id, changes: [] } }, ada.accessToken),
      'sync',
    );
    expect(reply.outcomes).toEqual([]);
    expect(reply.reseed).toEqual({ reason: 'NEW_DEVICE' });
    expect(reply.cursor).toEqual(expect.any(String));
    const [listed] = await myDevices(ada.accessToken);
    expect(listed).toMatchObject({ id: device.id, pushEnabled: false, lastSyncedAt: expect.any(String) });
    // Unregistered, it syncs no more.
    fieldOf(await api.gql(UNREGISTER, { deviceId: device.id }, ada.accessToken), 'unregisterDevice');
    expect(
      errorCodes(await api.gql(SYNC, { input: { deviceId: device.id, changes: [] } }, ada.accessToken)),
    ).toEqual(['FORBIDDEN/DEVICE_REVOKED']);
  });
});
