import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import { MAX_ACTIVE_DEVICES } from '../../domain/notifications/device-commands.ts';
import { deviceAggregate } from '../../domain/notifications/device-decider.ts';
import { DEVICE_PLATFORMS, type DevicePlatform } from '../../domain/notifications/device-events.ts';
import {
  checkInstallationId,
  deviceIdForInstallation,
  deviceIdForPush,
} from '../../domain/notifications/device-ids.ts';
import { DEFAULT_PUSH_HOSTS, isAllowedPushHost } from '../../domain/notifications/device-push-hosts.ts';
import {
  checkPushSubscription,
  MAX_ENDPOINT_LENGTH,
  type PushSubscription,
} from '../../domain/notifications/device-push-subscription.ts';
import { deviceStream } from '../../domain/notifications/streams.ts';
import { type Actor, actorId } from '../../domain/shared/decider.ts';
import { DomainError, forbidden, validation } from '../../domain/shared/domain-error.ts';
import { internalRange, parseIpAddress } from '../../net/internal-address.ts';
import { type OutboundPolicy, parseAllowEntry, STRICT_OUTBOUND_POLICY } from '../../net/outbound-policy.ts';
import { targetRefusal } from '../../net/target-check.ts';
import {
  commandIdFor,
  envelope,
  execute,
  nowFrom,
  type RequestContext,
  type ServiceDeps,
} from '../shared/command-context.ts';
import type { DeviceDeps } from './devices-deps.ts';

const deviceId = z.uuid().transform((id) => id.toLowerCase());

export const registerDeviceInput = z.object({
  platform: z.enum(DEVICE_PLATFORMS),
  appVersion: z.string().trim().min(1).max(50),
  pushSubscription: z
    .object({
      endpoint: z.string().trim().min(1).max(MAX_ENDPOINT_LENGTH),
      keys: z.object({ p256dh: z.string().max(200), auth: z.string().max(100) }),
    })
    .nullish(),
  // Bounded here; its shape is checked by checkInstallationId, which names what is wrong.
  installationId: z.string().max(1000).nullish(),
  idempotencyKey: z.string().min(8).max(128).nullish(),
});

export const unregisterDeviceInput = z.object({
  deviceId,
  idempotencyKey: z.string().min(8).max(128).nullish(),
});

/** A device as its owner sees it (never the subscription itself: it is a capability URL). */
export interface DeviceView {
  deviceId: string;
  platform: DevicePlatform;
  appVersion: string;
  pushEnabled: boolean;
  registeredAt: string;
  updatedAt: string;
}

/**
 * Registers the caller's device, or updates it. Which device it is: with an `installationId`, the
 * (owner, installation) pair, with or without a subscription, so an app install stays one device
 * as it gains, loses or renews push; without one, the (owner, endpoint) pair, so a web app that
 * registers its subscription on every start finds its device again. Neither is VALIDATION
 * INSTALLATION_ID_REQUIRED: a device without push needs a name of its own. Registering states what
 * the device has now: an installation registered without a subscription has push off.
 *
 * The subscription is checked before anything is stored: keys that could never be encrypted to,
 * and an endpoint the outbound policy would refuse at delivery (an internal address, http outside
 * the allow-list) or on a host that is no known push service (PUSH_ALLOWED_HOSTS), are VALIDATION
 * INVALID_PUSH_SUBSCRIPTION.
 */
export async function registerDevice(
  deps: DeviceDeps,
  context: RequestContext,
  raw: unknown,
): Promise<DeviceView> {
  const input = registerDeviceInput.parse(raw);
  const userId = ownerOf(context.actor);
  const installationId =
    input.installationId === null || input.installationId === undefined
      ? null
      : checkInstallationId(input.installationId);
  const push = input.pushSubscription ? await checkedSubscription(deps, input.pushSubscription) : null;
  let id: string;
  if (installationId !== null) id = deviceIdForInstallation(userId, installationId);
  else if (push !== null) id = deviceIdForPush(userId, push.endpoint);
  else {
    throw validation(
      'INSTALLATION_ID_REQUIRED',
      'A device registered without a pushSubscription needs an installationId: the id of this install of the app',
    );
  }
  const commandId = commandIdFor(context, `registerDevice:${id}`, input);
  await execute(
    deps,
    deviceAggregate,
    deviceStream(id),
    envelope(context, commandId, nowFrom(deps), {
      type: 'RegisterDevice',
      deviceId: id,
      platform: input.platform,
      appVersion: input.appVersion,
      push,
      activeDevices: await activeDeviceCount(deps, userId),
    }),
  );
  // The read model lags only when the wait timed out (the answer then says readYourWrites: false).
  const at = nowFrom(deps).toISOString();
  return (
    (await deviceOf(deps, userId, id)) ?? {
      deviceId: id,
      platform: input.platform,
      appVersion: input.appVersion,
      pushEnabled: push !== null,
      registeredAt: at,
      updatedAt: at,
    }
  );
}

async function checkedSubscription(
  deps: DeviceDeps,
  subscription: { endpoint: string; keys: { p256dh: string; auth: string } },
): Promise<PushSubscription> {
  const push = checkPushSubscription({
    endpoint: subscription.endpoint,
    p256dh: subscription.keys.p256dh,
    auth: subscription.keys.auth,
  });
  await checkEndpointHost(
    push.endpoint,
    deps.outbound ?? STRICT_OUTBOUND_POLICY,
    deps.pushHosts ?? DEFAULT_PUSH_HOSTS,
  );
  return push;
}

/** Removes one of the caller's devices; someone else's id is NOT_FOUND. Again: nothing, still true. */
export async function unregisterDevice(
  deps: DeviceDeps,
  context: RequestContext,
  raw: unknown,
): Promise<true> {
  const input = unregisterDeviceInput.parse(raw);
  const commandId = commandIdFor(context, `unregisterDevice:${input.deviceId}`, input);
  await execute(
    deps,
    deviceAggregate,
    deviceStream(input.deviceId),
    envelope(context, commandId, nowFrom(deps), {
      type: 'UnregisterDevice',
      deviceId: input.deviceId,
      reason: 'user',
    }),
  );
  return true;
}

/**
 * Drops a device whose push service answered 404/410 (the browser unsubscribed, the app was
 * uninstalled): delivery calls it. True when this call unregistered it; false when it was already
 * unregistered or never existed. `commandId` lets a retried activity append nothing twice.
 */
export async function dropGoneDevice(
  deps: ServiceDeps,
  deviceIdToDrop: string,
  commandId: string = randomUUID(),
): Promise<boolean> {
  const id = deviceIdToDrop.toLowerCase();
  try {
    const result = await execute(deps, deviceAggregate, deviceStream(id), {
      commandId,
      actor: SYSTEM,
      now: nowFrom(deps),
      command: { type: 'UnregisterDevice', deviceId: id, reason: 'push_gone' },
    });
    if (result.events.length > 0)
      deps.log.info({ deviceId: id }, 'push: dropped a device its push service says is gone');
    return result.events.length > 0;
  } catch (error) {
    if (error instanceof DomainError && error.code === 'NOT_FOUND') return false;
    throw error;
  }
}

const SYSTEM: Actor = { kind: 'system', process: 'notifications' };

/** The caller's registered devices, newest first (at most MAX_ACTIVE_DEVICES). */
export async function myDevices(deps: DeviceDeps, context: RequestContext): Promise<DeviceView[]> {
  const userId = ownerOf(context.actor);
  const { rows } = await deps.pool.query(
    `${DEVICE_COLUMNS} where user_id = $1 and unregistered_at is null
     order by registered_at desc, device_id desc limit $2`,
    [userId, MAX_ACTIVE_DEVICES],
  );
  return rows.map(toView);
}

async function deviceOf(deps: DeviceDeps, userId: string, id: string): Promise<DeviceView | null> {
  const { rows } = await deps.pool.query(`${DEVICE_COLUMNS} where device_id = $1 and user_id = $2`, [
    id,
    userId,
  ]);
  return rows[0] ? toView(rows[0]) : null;
}

async function activeDeviceCount(deps: DeviceDeps, userId: string): Promise<number> {
  const { rows } = await deps.pool.query<{ count: number }>(
    'select count(*)::int as count from devices where user_id = $1 and unregistered_at is null',
    [userId],
  );
  return rows[0]?.count ?? 0;
}

const DEVICE_COLUMNS = `select device_id, platform, app_version, push_endpoint is not null as push_enabled,
  registered_at, updated_at from devices`;

function toView(row: Record<string, unknown>): DeviceView {
  return {
    deviceId: String(row.device_id),
    platform: z.enum(DEVICE_PLATFORMS).parse(row.platform),
    appVersion: String(row.app_version),
    pushEnabled: row.push_enabled === true,
    registeredAt: new Date(String(row.registered_at)).toISOString(),
    updatedAt: new Date(String(row.updated_at)).toISOString(),
  };
}

/** Devices belong to people: a signed-in user, or the owner of the API key used. */
function ownerOf(actor: Actor): string {
  if (actor.kind === 'user') return actor.userId;
  if (actor.kind === 'integration') return actor.ownerId;
  throw forbidden('PEOPLE_ONLY', `Only a person registers devices (not ${actorId(actor)})`);
}

/**
 * Delivery checks the endpoint again before every send (DNS may change); this refuses now what it
 * would refuse then. Plain http only reaches an internal push service the allow-list names (tests,
 * an on-premises relay): on the internet a push endpoint is https.
 */
async function checkEndpointReachable(endpoint: string, policy: OutboundPolicy): Promise<boolean> {
  const refusal = await targetRefusal(endpoint, policy);
  if (refusal) {
    throw validation('INVALID_PUSH_SUBSCRIPTION', `The endpoint is not allowed: ${refusal.message}`, {
      problem: 'ENDPOINT',
    });
  }
  const url = new URL(endpoint);
  const host = url.hostname.replace(/^\[|\]$/g, '');
  const literal = parseIpAddress(host);
  const internal = literal
    ? internalRange(literal) !== null
    : host === 'localhost' || host.endsWith('.localhost');
  if (url.protocol === 'http:' && !internal) {
    throw validation('INVALID_PUSH_SUBSCRIPTION', 'The endpoint must be an https URL', {
      problem: 'ENDPOINT',
    });
  }
  return internal;
}

/**
 * The endpoint is reachable (above) and its host one of the push services the deployment lists
 * (PUSH_ALLOWED_HOSTS: by default the browsers' own), so no account can aim Chronicle's signed
 * pushes at a third party's URL. A host the operator let through OUTBOUND_ALLOW_INTERNAL (its
 * address, or its name) is its own push service or relay (the tests' local one) and needs no entry.
 */
async function checkEndpointHost(
  endpoint: string,
  policy: OutboundPolicy,
  pushHosts: readonly string[],
): Promise<void> {
  const internal = await checkEndpointReachable(endpoint, policy);
  const host = new URL(endpoint).hostname.toLowerCase().replace(/^\[|\]$/g, '');
  if (internal || isAllowedPushHost(host, pushHosts)) return;
  const namedInternal = policy.allowInternal.some((entry) => {
    const parsed = parseAllowEntry(entry);
    return parsed !== null && 'host' in parsed && parsed.host === host;
  });
  if (namedInternal) return;
  throw validation(
    'INVALID_PUSH_SUBSCRIPTION',
    `The endpoint's host ${host.slice(0, 100)} is not a push service this server sends to`,
    { problem: 'ENDPOINT_HOST', host: host.slice(0, 100) },
  );
}
