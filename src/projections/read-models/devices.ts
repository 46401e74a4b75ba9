import type { EventCodec } from '../../commands/event-codec.ts';
import { userEventCatalogue } from '../../domain/identity/user-events.ts';
import { type DeviceEvent, deviceEventCatalogue } from '../../domain/notifications/device-events.ts';
import type { RecordedEvent } from '../../eventstore/port.ts';
import type { Projection, ReadModelWriter, Row } from '../projection.ts';
import { occurredAt } from './occurred-at.ts';

export const DEVICES_PROJECTION = 'devices';

/** The read models the device use cases wait for (read-your-writes). */
export const DEVICE_READ_MODELS = [DEVICES_PROJECTION];

/** Why a forgotten person's devices left the registry (not an event's reason: no event says it). */
export const FORGOTTEN_REASON = 'user_forgotten';

/**
 * The device registry: every device a person registered, with its Web Push subscription decrypted
 * (delivery reads it here), and unregistered devices kept with when and why. `device_owners` lists
 * each person's device ids, so that their `UserForgotten` can empty every subscription at once:
 * a rebuild after it decodes them as null anyway (the key is gone), and the live model must not
 * keep what a rebuild would not have.
 */
export function devicesProjection(codec: Pick<EventCodec, 'decode'>): Projection {
  return {
    name: DEVICES_PROJECTION,
    version: 1,
    eventTypes: [...Object.keys(deviceEventCatalogue), 'UserForgotten'],
    tables: {
      devices: {
        columns: `device_id uuid not null, user_id uuid not null, platform text not null,
          app_version text not null, push_endpoint text, push_p256dh text, push_auth text,
          registered_at timestamptz not null, updated_at timestamptz not null,
          unregistered_at timestamptz, unregistered_reason text`,
        primaryKey: ['device_id'],
        indexes: ['(user_id)'],
      },
      device_owners: {
        columns: 'user_id uuid not null, device_ids jsonb not null',
        primaryKey: ['user_id'],
      },
    },
    prefetch: (events) => events.flatMap(prefetchOf),
    async apply(recorded, writer) {
      const at = occurredAt(recorded);
      if (recorded.type === 'UserForgotten') {
        const user = await codec.decode(userEventCatalogue, recorded);
        if (user?.event.type === 'UserForgotten') await forgetDevices(writer, user.event.data.userId, at);
        return;
      }
      const decoded = await codec.decode(deviceEventCatalogue, recorded);
      if (decoded) await applyDeviceEvent(decoded.event, writer, at);
    },
  };
}

async function applyDeviceEvent(event: DeviceEvent, writer: ReadModelWriter, at: string) {
  const key = { device_id: event.data.deviceId };
  switch (event.type) {
    case 'DeviceRegistered': {
      const { deviceId, userId, platform, appVersion, pushEndpoint, pushP256dh, pushAuth } = event.data;
      const earlier = await writer.get('devices', key);
      writer.upsert('devices', {
        device_id: deviceId,
        user_id: userId,
        platform,
        app_version: appVersion,
        push_endpoint: pushEndpoint,
        push_p256dh: pushP256dh,
        push_auth: pushAuth,
        // Registered again after being unregistered: the device is the same, so is its first date.
        registered_at: earlier?.registered_at ?? at,
        updated_at: at,
        unregistered_at: null,
        unregistered_reason: null,
      });
      if (!earlier) await listOwnedDevice(writer, userId, deviceId);
      return;
    }
    case 'DevicePushSubscriptionChanged': {
      const { pushEndpoint, pushP256dh, pushAuth } = event.data;
      return writer.update('devices', key, {
        push_endpoint: pushEndpoint,
        push_p256dh: pushP256dh,
        push_auth: pushAuth,
        updated_at: at,
      });
    }
    case 'DeviceDetailsChanged':
      return writer.update('devices', key, {
        platform: event.data.platform,
        app_version: event.data.appVersion,
        updated_at: at,
      });
    case 'DeviceUnregistered':
      return writer.update('devices', key, {
        unregistered_at: at,
        unregistered_reason: event.data.reason,
        updated_at: at,
      });
  }
}

async function listOwnedDevice(writer: ReadModelWriter, userId: string, deviceId: string) {
  const owner = await writer.get('device_owners', { user_id: userId });
  const ids = deviceIdsOf(owner);
  if (!ids.includes(deviceId))
    writer.upsert('device_owners', { user_id: userId, device_ids: [...ids, deviceId] });
}

/** A forgotten person's devices stop receiving anything, and their subscriptions are dropped. */
async function forgetDevices(writer: ReadModelWriter, userId: string, at: string) {
  const ids = deviceIdsOf(await writer.get('device_owners', { user_id: userId }));
  for (const deviceId of ids) {
    const device = await writer.get('devices', { device_id: deviceId });
    if (!device) continue;
    await writer.update(
      'devices',
      { device_id: deviceId },
      {
        push_endpoint: null,
        push_p256dh: null,
        push_auth: null,
        updated_at: at,
        ...(device.unregistered_at == null
          ? { unregistered_at: at, unregistered_reason: FORGOTTEN_REASON }
          : {}),
      },
    );
  }
}

const deviceIdsOf = (owner: Row | undefined): string[] =>
  Array.isArray(owner?.device_ids)
    ? owner.device_ids.filter((id): id is string => typeof id === 'string')
    : [];

/** The device and owner rows an event will read, from its raw data (ids are never encrypted). */
function prefetchOf(recorded: RecordedEvent): { table: string; key: Row }[] {
  const data = recorded.data;
  if (typeof data !== 'object' || data === null) return [];
  const field = (name: string) => {
    const value = Reflect.get(data, name);
    return typeof value === 'string' ? value.toLowerCase() : null;
  };
  const userId = field('userId');
  const deviceId = field('deviceId');
  return [
    ...(userId === null ? [] : [{ table: 'device_owners', key: { user_id: userId } }]),
    ...(deviceId === null ? [] : [{ table: 'devices', key: { device_id: deviceId } }]),
  ];
}
