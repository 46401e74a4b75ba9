import { z } from 'zod';
import type { EventCatalogue } from '../shared/event-catalogue.ts';

export const DEVICE_PLATFORMS = ['web', 'ios', 'android', 'desktop'] as const;
export type DevicePlatform = (typeof DEVICE_PLATFORMS)[number];

/**
 * Why a device left the registry: its owner removed it, its push service answered 404/410 for its
 * subscription (the browser dropped it), or an administrator or process revoked it.
 */
export const UNREGISTER_REASONS = ['user', 'push_gone', 'revoked'] as const;
export type UnregisterReason = (typeof UNREGISTER_REASONS)[number];

const deviceId = z.uuid();
const userId = z.uuid();
/** Personal (the endpoint is a capability URL to the person's browser): null once they are forgotten. */
const personal = z.string().nullable();

/**
 * A Web Push subscription, flattened: all three set, or (a device that syncs without push, or one
 * whose owner was forgotten) all null.
 */
const push = { pushEndpoint: personal, pushP256dh: personal, pushAuth: personal };

/** One device a person registered (`device-<deviceId>`). */
export const deviceEventSchemas = {
  /** The first registration, or a registration again after the device was unregistered. */
  DeviceRegistered: z.object({
    deviceId,
    userId,
    platform: z.enum(DEVICE_PLATFORMS),
    appVersion: z.string(),
    ...push,
  }),
  /** The registered device's subscription now has other keys (or none). */
  DevicePushSubscriptionChanged: z.object({ deviceId, userId, ...push }),
  /** The registered device reports another platform or app version (an update of the app). */
  DeviceDetailsChanged: z.object({
    deviceId,
    userId,
    platform: z.enum(DEVICE_PLATFORMS),
    appVersion: z.string(),
  }),
  DeviceUnregistered: z.object({ deviceId, userId, reason: z.enum(UNREGISTER_REASONS) }),
};

type Schemas = typeof deviceEventSchemas;
export type DeviceEvent = {
  [Type in keyof Schemas]: { type: Type; data: z.infer<Schemas[Type]> };
}[keyof Schemas];
export type DeviceEventOf<Type extends DeviceEvent['type']> = Extract<DeviceEvent, { type: Type }>;

const PUSH_FIELDS = ['pushEndpoint', 'pushP256dh', 'pushAuth'] as const;
const byOwner = (data: { userId: string }) => data.userId;

/** Nothing here is published to integrators: a person's devices are theirs alone. */
export const deviceEventCatalogue: EventCatalogue<DeviceEvent> = {
  DeviceRegistered: {
    type: 'DeviceRegistered',
    schemaVersion: 1,
    schema: deviceEventSchemas.DeviceRegistered,
    personalFields: PUSH_FIELDS,
    subject: byOwner,
  },
  DevicePushSubscriptionChanged: {
    type: 'DevicePushSubscriptionChanged',
    schemaVersion: 1,
    schema: deviceEventSchemas.DevicePushSubscriptionChanged,
    personalFields: PUSH_FIELDS,
    subject: byOwner,
  },
  DeviceDetailsChanged: {
    type: 'DeviceDetailsChanged',
    schemaVersion: 1,
    schema: deviceEventSchemas.DeviceDetailsChanged,
  },
  DeviceUnregistered: {
    type: 'DeviceUnregistered',
    schemaVersion: 1,
    schema: deviceEventSchemas.DeviceUnregistered,
  },
};
