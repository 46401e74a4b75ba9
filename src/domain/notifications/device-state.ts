import type { DeviceEvent, DevicePlatform } from './device-events.ts';
import type { PushSubscription } from './device-push-subscription.ts';

export type DeviceState =
  | { status: 'none' }
  | {
      status: 'registered' | 'unregistered';
      userId: string;
      platform: DevicePlatform;
      appVersion: string;
      push: PushSubscription | null;
    };

export const initialDeviceState: DeviceState = { status: 'none' };

/** The three flattened fields as one subscription; null unless all three are there. */
export function pushOf(data: {
  pushEndpoint: string | null;
  pushP256dh: string | null;
  pushAuth: string | null;
}): PushSubscription | null {
  const { pushEndpoint, pushP256dh, pushAuth } = data;
  return pushEndpoint !== null && pushP256dh !== null && pushAuth !== null
    ? { endpoint: pushEndpoint, p256dh: pushP256dh, auth: pushAuth }
    : null;
}

export function evolveDevice(state: DeviceState, event: DeviceEvent): DeviceState {
  switch (event.type) {
    case 'DeviceRegistered': {
      const { userId, platform, appVersion } = event.data;
      return { status: 'registered', userId, platform, appVersion, push: pushOf(event.data) };
    }
    case 'DevicePushSubscriptionChanged':
      return state.status === 'none' ? state : { ...state, push: pushOf(event.data) };
    case 'DeviceDetailsChanged': {
      const { platform, appVersion } = event.data;
      return state.status === 'none' ? state : { ...state, platform, appVersion };
    }
    case 'DeviceUnregistered':
      return state.status === 'none' ? state : { ...state, status: 'unregistered' };
    default:
      return state;
  }
}
