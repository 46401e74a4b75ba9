import type { DeviceView } from '../../services/notifications/devices.ts';

/** GraphQL's enum values are the domain's, upper-cased (WEB → web); anything else fails validation. */
export const fromGraphQLPlatform = (value: unknown) =>
  typeof value === 'string' ? value.toLowerCase() : value;

export const toDevice = (device: DeviceView) => ({
  id: device.deviceId,
  platform: device.platform.toUpperCase(),
  appVersion: device.appVersion,
  pushEnabled: device.pushEnabled,
  registeredAt: device.registeredAt,
  updatedAt: device.updatedAt,
});
