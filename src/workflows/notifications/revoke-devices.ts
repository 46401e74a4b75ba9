import { uuidv5 } from '../../commands/event-ids.ts';
import { deviceAggregate } from '../../domain/notifications/device-decider.ts';
import { deviceStream } from '../../domain/notifications/streams.ts';
import type { Actor } from '../../domain/shared/decider.ts';
import { DomainError } from '../../domain/shared/domain-error.ts';
import { StreamNotFound } from '../../eventstore/errors.ts';
import { DEVICES_PROJECTION, FORGOTTEN_REASON } from '../../projections/read-models/devices.ts';
import { waitForPosition } from '../../projections/wait-for-position.ts';
import { execute } from '../../services/shared/command-context.ts';
import { SILENT_BUS } from './deliveries.ts';
import type { NotificationDeliveryDeps } from './deps.ts';
import type { RevokeDevicesInput } from './types.ts';

/** Names the revocation commands (a random v4 UUID, fixed forever): a retry appends nothing new. */
const REVOKE_NAMESPACE = '2f8b6d13-9a4e-4c07-b5e2-6c1d8f3a9e40';

/** How long to wait for the devices read model to reach the event before the activity retries. */
const DEVICES_WAIT_MS = 30_000;

/** The process the device decider accepts for a 'revoked' unregistration. */
const SYSTEM: Actor = { kind: 'system', process: 'notifications' };

/**
 * Unregisters, with reason 'revoked', every device a person had registered when their access ended
 * (the event: a password reset, sessions revoked, the account deactivated or forgotten), so no push
 * reaches a phone that may be in someone else's hands. The devices read model is waited for up to
 * the event, so a device registered just before it counts. A device registered again after the
 * event (the person signing in anew) belongs to the new access and is left alone: its last
 * registration's position is compared with the event's. A forgotten person's devices are already
 * emptied by the read model (reason `user_forgotten`); their streams still say registered, so they
 * are revoked too. Command ids derive from the event and the device: a retried activity, or the
 * same event seen twice, appends nothing new.
 */
export async function revokeDevices(
  deps: NotificationDeliveryDeps,
  input: RevokeDevicesInput,
): Promise<{ revoked: number }> {
  const position = BigInt(input.position);
  const reached = await waitForPosition(deps.pool, deps.bus ?? SILENT_BUS, position, {
    timeoutMs: DEVICES_WAIT_MS,
    projections: [DEVICES_PROJECTION],
  });
  if (!reached) throw new Error(`The devices read model has not reached position ${input.position}`);
  const { rows } = await deps.pool.query<{ device_id: string }>(
    `select device_id from devices
      where user_id = $1 and (unregistered_at is null or unregistered_reason = $2)
      order by device_id`,
    [input.userId, FORGOTTEN_REASON],
  );
  let revoked = 0;
  for (const { device_id: deviceId } of rows) {
    if (!(await registeredBefore(deps, deviceId, position))) continue;
    try {
      const result = await execute(deps, deviceAggregate, deviceStream(deviceId), {
        commandId: uuidv5(`revoke:${input.eventId}:${deviceId}`, REVOKE_NAMESPACE),
        correlationId: input.eventId,
        causationId: input.eventId,
        actor: SYSTEM,
        now: new Date(),
        command: { type: 'UnregisterDevice', deviceId, reason: 'revoked' },
      });
      revoked += result.events.length > 0 ? 1 : 0;
    } catch (error) {
      if (error instanceof DomainError && error.code === 'NOT_FOUND') continue;
      throw error;
    }
  }
  if (revoked > 0) {
    deps.log.info(
      { userId: input.userId, eventId: input.eventId, revoked },
      'devices revoked: the access they were registered under ended',
    );
  }
  return { revoked };
}

/** Whether the device's latest registration came before `position` (the access that ended). */
async function registeredBefore(
  deps: Pick<NotificationDeliveryDeps, 'store'>,
  deviceId: string,
  position: bigint,
): Promise<boolean> {
  try {
    const events = await deps.store.readStream(deviceStream(deviceId));
    const registration = events.findLast((event) => event.type === 'DeviceRegistered');
    return registration !== undefined && registration.position < position;
  } catch (error) {
    if (error instanceof StreamNotFound) return false;
    throw error;
  }
}
