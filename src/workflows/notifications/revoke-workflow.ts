import { proxyActivities } from '@temporalio/workflow';
import type { NotificationActivities } from './activities.ts';
import type { RevokeDevicesInput } from './types.ts';

const acts = proxyActivities<NotificationActivities>({
  // Waits up to 30 s for the devices read model, then one command per device.
  startToCloseTimeout: '2 minutes',
  retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '1 minute' },
});

/**
 * Revokes the devices of a person whose access ended (`revoke-devices-<eventId>`, started by the
 * reaction on UserPasswordReset, UserSessionsRevoked, UserDeactivated and UserForgotten). One
 * activity, retried without limit: a device left registered would keep receiving pushes.
 */
export async function revokeUserDevices(input: RevokeDevicesInput): Promise<{ revoked: number }> {
  return acts.revokeUserDevices(input);
}
