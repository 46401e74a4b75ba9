import type { Actor, Decider } from '../shared/decider.ts';
import { conflict, forbidden, notFound } from '../shared/domain-error.ts';
import { type DeviceCommand, type DeviceCommandOf, MAX_ACTIVE_DEVICES } from './device-commands.ts';
import { type DeviceEvent, deviceEventCatalogue } from './device-events.ts';
import { checkPushSubscription, samePushSubscription } from './device-push-subscription.ts';
import { type DeviceState, evolveDevice, initialDeviceState } from './device-state.ts';

/**
 * One device in the registry. Its owner registers it (again: an update), and unregisters it; a
 * process drops it when its push service says the subscription is gone. Someone else's device is
 * "not found" to a person, never "forbidden": device ids are not theirs to learn about.
 */
export const deviceDecider: Decider<DeviceCommand, DeviceEvent, DeviceState> = {
  initialState: initialDeviceState,
  evolve: evolveDevice,
  decide(command, state, context) {
    switch (command.type) {
      case 'RegisterDevice':
        return register(command, state, ownerOf(context.actor));
      case 'UnregisterDevice':
        return unregister(command, state, context.actor);
      default: {
        const unknown: never = command;
        throw new Error(`Unknown device command ${JSON.stringify(unknown)}`);
      }
    }
  },
};

export const deviceAggregate = { decider: deviceDecider, catalogue: deviceEventCatalogue };

/** A person registers their own devices: signed in, or through an API key of theirs. */
function ownerOf(actor: Actor): string {
  if (actor.kind === 'user') return actor.userId;
  if (actor.kind === 'integration') return actor.ownerId;
  if (actor.kind === 'anonymous') throw forbidden('SIGN_IN_REQUIRED', 'Sign in first');
  throw forbidden('PEOPLE_ONLY', 'Only a person registers a device');
}

const deviceNotFound = () => notFound('DEVICE_NOT_FOUND', 'No such device');

function register(command: DeviceCommandOf<'RegisterDevice'>, state: DeviceState, userId: string) {
  if (state.status !== 'none' && state.userId !== userId) throw deviceNotFound();
  const push = command.push === null ? null : checkPushSubscription(command.push);
  const { deviceId, platform, appVersion } = command;
  if (state.status !== 'registered') {
    if (command.activeDevices >= MAX_ACTIVE_DEVICES) {
      throw conflict('TOO_MANY_DEVICES', `At most ${MAX_ACTIVE_DEVICES} devices can be registered`, {
        limit: MAX_ACTIVE_DEVICES,
      });
    }
    return [
      {
        type: 'DeviceRegistered' as const,
        data: { deviceId, userId, platform, appVersion, ...flattened(push) },
      },
    ];
  }
  const events: DeviceEvent[] = [];
  if (!samePushSubscription(state.push, push)) {
    events.push({ type: 'DevicePushSubscriptionChanged', data: { deviceId, userId, ...flattened(push) } });
  }
  if (state.platform !== platform || state.appVersion !== appVersion) {
    events.push({ type: 'DeviceDetailsChanged', data: { deviceId, userId, platform, appVersion } });
  }
  return events;
}

function unregister(command: DeviceCommandOf<'UnregisterDevice'>, state: DeviceState, actor: Actor) {
  const { deviceId, reason } = command;
  switch (reason) {
    case 'user': {
      const userId = ownerOf(actor);
      if (state.status === 'none' || state.userId !== userId) throw deviceNotFound();
      break;
    }
    case 'push_gone':
      if (actor.kind !== 'system') throw forbidden('SYSTEM_ONLY', 'Only delivery drops a gone device');
      break;
    case 'revoked':
      if (actor.kind !== 'system' && !(actor.kind === 'user' && actor.role === 'admin')) {
        throw forbidden('ADMIN_ONLY', 'Only an administrator revokes a device');
      }
      break;
    default: {
      const unknown: never = reason;
      throw new Error(`Unknown unregister reason ${String(unknown)}`);
    }
  }
  // Unregistering twice (a retried drop, two racing 410s) decides nothing.
  if (state.status !== 'registered') {
    if (state.status === 'none' && reason !== 'user') throw deviceNotFound();
    return [];
  }
  return [{ type: 'DeviceUnregistered' as const, data: { deviceId, userId: state.userId, reason } }];
}

const flattened = (push: { endpoint: string; p256dh: string; auth: string } | null) => ({
  pushEndpoint: push?.endpoint ?? null,
  pushP256dh: push?.p256dh ?? null,
  pushAuth: push?.auth ?? null,
});
