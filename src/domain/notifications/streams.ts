import { uuidv5 } from '../../commands/event-ids.ts';

/** Namespace for the notifications context's derived ids (a random v4 UUID, fixed forever). */
export const NOTIFICATION_NAMESPACE = '4f1b7c2e-8a93-4d5f-b6e0-2c9a71d84e36';

/**
 * A notification's id, derived from the event that raised it and its recipient: a replayed event,
 * a rebuilt read model and a retried delivery all name the same notification, so nothing notifies
 * twice.
 */
export const notificationIdFor = (sourceEventId: string, recipientId: string) =>
  uuidv5(`${sourceEventId.toLowerCase()}:${recipientId.toLowerCase()}`, NOTIFICATION_NAMESPACE);

/** One person's inbox state: what they have read (the notifications themselves are derived). */
export const notificationInboxStream = (userId: string) => `notificationinbox-${userId}`;

/** One person's notification preferences: channels per type, quiet hours, time zone, digest. */
export const notificationPreferencesStream = (userId: string) => `notificationprefs-${userId}`;

/** A device a person registered (its Web Push subscription, platform, app version). */
export const deviceStream = (deviceId: string) => `device-${deviceId}`;

/** The reminders of one mentorship session (24 h and 15 min before), appended by their workflow. */
export const sessionReminderStream = (sessionId: string) => `sessionreminder-${sessionId}`;

/** One person's passkeys (WebAuthn credentials). */
export const passkeyStream = (userId: string) => `passkeys-${userId}`;
