import { userEventCatalogue } from '../../domain/identity/user-events.ts';
import { sessionEventCatalogue } from '../../domain/mentorship/session-events.ts';
import { NOTIFICATION_SOURCE_EVENTS } from '../../domain/notifications/notification-rules.ts';
import { notificationPreferencesEventCatalogue } from '../../domain/notifications/preferences-events.ts';
import { defineReaction, type RegisteredReaction } from '../process-manager/reaction.ts';
import {
  DIGEST_PREFERENCES_CHANGED_SIGNAL,
  deliveryWorkflowId,
  digestWorkflowId,
  revokeDevicesWorkflowId,
  SESSION_CANCELLED_SIGNAL,
  sessionRemindersWorkflowId,
} from './ids.ts';
import type { NotificationDeliverySettingsInput } from './settings.ts';
import type {
  DeliverNotificationsInput,
  DigestInput,
  RevokeDevicesInput,
  SessionRemindersInput,
} from './types.ts';

/** The user events that end a person's access: the devices registered under it are revoked. */
const ACCESS_ENDED = [
  'UserPasswordReset',
  'UserSessionsRevoked',
  'UserDeactivated',
  'UserForgotten',
] as const;
const isAccessEnded = (type: string): type is (typeof ACCESS_ENDED)[number] =>
  (ACCESS_ENDED as readonly string[]).includes(type);

export interface NotificationReactionOptions {
  taskQueue: string;
  /** Handed to every delivery workflow this starts (tests make backoff fast); defaults otherwise. */
  settings?: NotificationDeliverySettingsInput;
}

/**
 * Every event that may raise a notification starts its delivery saga (`notify-<eventId>`: a
 * replayed event starts nothing new), which finds what the notifications read model made of it.
 * The saga is handed the event's id and position only, never its recipients. A sign-in raises a
 * notification only from a new device, so the others start nothing.
 *
 * A scheduled mentorship session starts its reminder workflow; a cancellation signals it to stop.
 * Switching the e-mail digest on starts the person's digest workflow; every preferences change
 * (on, off, another time zone) signals it to read its schedule again.
 *
 * A person's access ending (password reset, sessions revoked, account deactivated or forgotten)
 * starts `revoke-devices-<eventId>`, which unregisters their devices; a deactivation or erasure
 * also wakes their digest, which then ends.
 */
export function notificationReactions(options: NotificationReactionOptions): RegisteredReaction[] {
  const { taskQueue, settings } = options;
  const delivery = NOTIFICATION_SOURCE_EVENTS.map((source) =>
    defineReaction({
      name: `notification-delivery:${source.types.join(',')}`,
      catalogue: source.catalogue,
      eventTypes: source.types,
      react({ event, recorded }) {
        if (event.type === 'LoginSucceeded' && event.data?.device?.newDevice !== true) return [];
        const input: DeliverNotificationsInput = {
          sourceEventId: recorded.id,
          position: recorded.position.toString(),
          ...(settings ? { settings } : {}),
        };
        return [
          {
            kind: 'start',
            workflowType: 'deliverNotifications',
            workflowId: deliveryWorkflowId(recorded.id),
            taskQueue,
            args: [input],
          },
        ];
      },
    }),
  );
  const reminders = defineReaction({
    name: 'session-reminders',
    catalogue: sessionEventCatalogue,
    eventTypes: ['MentorshipSessionScheduled', 'MentorshipSessionCancelled'],
    react({ event, recorded }) {
      const workflowId = sessionRemindersWorkflowId(event.data.sessionId);
      if (event.type === 'MentorshipSessionScheduled') {
        const input: SessionRemindersInput = {
          sessionId: event.data.sessionId,
          startsAt: event.data.startsAt,
          participantIds: [event.data.mentorId, event.data.learnerId],
          scheduledEventId: recorded.id,
        };
        return [
          { kind: 'start', workflowType: 'remindMentorshipSession', workflowId, taskQueue, args: [input] },
        ];
      }
      return [
        { kind: 'signal', workflowId, signal: SESSION_CANCELLED_SIGNAL, args: [{ eventId: recorded.id }] },
      ];
    },
  });
  const revocation = defineReaction({
    name: 'device-revocation',
    catalogue: userEventCatalogue,
    eventTypes: [...ACCESS_ENDED],
    react({ event, recorded }) {
      if (!isAccessEnded(event.type)) return [];
      const { userId } = event.data;
      const position = recorded.position.toString();
      const input: RevokeDevicesInput = { userId, eventId: recorded.id, position };
      const revoke = {
        kind: 'start' as const,
        workflowType: 'revokeUserDevices',
        workflowId: revokeDevicesWorkflowId(recorded.id),
        taskQueue,
        args: [input],
      };
      if (event.type !== 'UserDeactivated' && event.type !== 'UserForgotten') return [revoke];
      // The account is gone for good: its digest (if any) wakes, sees it, and ends.
      return [
        revoke,
        {
          kind: 'signal' as const,
          workflowId: digestWorkflowId(userId),
          signal: DIGEST_PREFERENCES_CHANGED_SIGNAL,
          args: [{ eventId: recorded.id, position }],
        },
      ];
    },
  });
  const digest = defineReaction({
    name: 'notification-digest',
    catalogue: notificationPreferencesEventCatalogue,
    eventTypes: ['NotificationPreferencesChanged'],
    react({ event, recorded }) {
      const workflowId = digestWorkflowId(event.data.userId);
      const position = recorded.position.toString();
      const signal = {
        kind: 'signal' as const,
        workflowId,
        signal: DIGEST_PREFERENCES_CHANGED_SIGNAL,
        args: [{ eventId: recorded.id, position }],
      };
      if (!event.data.emailDigest) return [signal];
      const input: DigestInput = {
        userId: event.data.userId,
        since: null,
        position,
        ...(settings ? { settings } : {}),
      };
      // Refused when the workflow already runs (started by an earlier change): the signal then
      // tells it of this one.
      return [
        { kind: 'start', workflowType: 'sendNotificationDigest', workflowId, taskQueue, args: [input] },
        signal,
      ];
    },
  });
  return [...delivery, reminders, digest, revocation];
}
