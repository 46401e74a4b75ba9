import type { SessionReminderLead } from '../../domain/notifications/reminder-events.ts';
import { activityFailure } from '../matching/activity-support.ts';
import { deliverDue } from './deliver.ts';
import type { NotificationDeliveryDeps } from './deps.ts';
import { type DigestOutcome, type DigestSchedule, digestSchedule, sendDigest } from './digest.ts';
import { planDeliveries } from './plan.ts';
import { recordSessionReminder } from './reminders.ts';
import { revokeDevices } from './revoke-devices.ts';
import { type NotificationDeliverySettingsInput, resolveNotificationDeliverySettings } from './settings.ts';
import type { DeliveryProgress, RevokeDevicesInput, SessionRemindersInput } from './types.ts';

/**
 * The notification sagas' activities, as closures over their dependencies. Every one takes the
 * workflow's time as `now`: what falls due is decided by workflow time, never the worker's clock,
 * so a replayed or time-skipped workflow decides the same.
 */
export function createNotificationActivities(deps: NotificationDeliveryDeps) {
  const guarded = async <T>(work: () => Promise<T>): Promise<T> => {
    try {
      return await work();
    } catch (error) {
      throw activityFailure(error);
    }
  };
  return {
    /** Inserts the pending deliveries of the notifications one source event created. */
    planNotificationDeliveries(input: {
      sourceEventId: string;
      position: string;
      now: string;
      settings?: NotificationDeliverySettingsInput;
    }): Promise<DeliveryProgress> {
      return guarded(() => planDeliveries(deps, resolveNotificationDeliverySettings(input.settings), input));
    },

    /** Sends what is due of one source event's deliveries; says when the next one falls due. */
    deliverDueNotifications(input: {
      sourceEventId: string;
      now: string;
      settings?: NotificationDeliverySettingsInput;
    }): Promise<DeliveryProgress> {
      return guarded(() => deliverDue(deps, resolveNotificationDeliverySettings(input.settings), input));
    },

    notificationDigestSchedule(input: {
      userId: string;
      after: string;
      position: string;
    }): Promise<DigestSchedule> {
      return guarded(() => digestSchedule(deps, input));
    },

    /** E-mails one digest, at most once (claimed in notification_deliveries). */
    sendNotificationDigestEmail(input: {
      userId: string;
      since: string | null;
      now: string;
      maximumAttempts: number;
    }): Promise<DigestOutcome> {
      return guarded(() => sendDigest(deps, input));
    },

    /** Revokes the devices of a person whose access ended (reason 'revoked'). */
    revokeUserDevices(input: RevokeDevicesInput): Promise<{ revoked: number }> {
      return guarded(() => revokeDevices(deps, input));
    },

    recordSessionReminder(
      input: SessionRemindersInput & { lead: SessionReminderLead },
      now: string,
    ): Promise<{ recorded: boolean }> {
      return guarded(() => recordSessionReminder(deps, input, now));
    },
  };
}

export type NotificationActivities = ReturnType<typeof createNotificationActivities>;
