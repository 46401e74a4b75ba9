import type { DevicePlatform, UnregisterReason } from './device-events.ts';
import type { PushSubscription } from './device-push-subscription.ts';

/** How many registered devices one person may have at once. */
export const MAX_ACTIVE_DEVICES = 20;

export type DeviceCommand =
  | {
      /**
       * By the device's owner (the actor). Registering a device that is already registered updates
       * it: the subscription's keys, the platform or the app version, whichever changed.
       * `activeDevices` is how many registered devices the owner has, as the service read it.
       */
      type: 'RegisterDevice';
      deviceId: string;
      platform: DevicePlatform;
      appVersion: string;
      push: PushSubscription | null;
      activeDevices: number;
    }
  | {
      /**
       * `user`: by the owner; `push_gone`: by a process, after the push service answered 404/410;
       * `revoked`: by a process or an administrator.
       */
      type: 'UnregisterDevice';
      deviceId: string;
      reason: UnregisterReason;
    };

export type DeviceCommandOf<Type extends DeviceCommand['type']> = Extract<DeviceCommand, { type: Type }>;
