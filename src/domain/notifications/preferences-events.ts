import { z } from 'zod';
import type { EventCatalogue } from '../shared/event-catalogue.ts';
import { CHANNELS } from './notification-types.ts';

const clockTime = z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/);
const channelSwitches = z.partialRecord(z.enum(CHANNELS), z.boolean());

/**
 * One person's notification preferences (`notificationprefs-<userId>`). Each event holds the whole
 * preferences as they now are, so a reader needs only the latest one and a rebuild is a replace.
 * `channels` holds only the person's own choices, by notification type (domain names, lower case):
 * a type they never touched follows its default. Types are kept as plain strings here: a type
 * retired later must not make history unreadable.
 */
export const notificationPreferencesEventSchemas = {
  NotificationPreferencesChanged: z.object({
    userId: z.uuid(),
    timeZone: z.string().min(1).max(64),
    quietHours: z.object({ start: clockTime, end: clockTime }).nullable(),
    emailDigest: z.boolean(),
    channels: z.record(z.string().min(1).max(64), channelSwitches),
  }),
};

type Schemas = typeof notificationPreferencesEventSchemas;
export type NotificationPreferencesEvent = {
  [Type in keyof Schemas]: { type: Type; data: z.infer<Schemas[Type]> };
}[keyof Schemas];

/** Nothing here is published: when someone sleeps and what they mute is theirs alone. */
export const notificationPreferencesEventCatalogue: EventCatalogue<NotificationPreferencesEvent> = {
  NotificationPreferencesChanged: {
    type: 'NotificationPreferencesChanged',
    schemaVersion: 1,
    schema: notificationPreferencesEventSchemas.NotificationPreferencesChanged,
  },
};
