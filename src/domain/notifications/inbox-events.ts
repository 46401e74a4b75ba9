import { z } from 'zod';
import type { EventCatalogue } from '../shared/event-catalogue.ts';

/** Ids one NotificationsMarkedRead names at most (an inbox page). */
export const MAX_MARKED_READ = 100;

/**
 * One person's inbox state (`notificationinbox-<userId>`): only what they did with their
 * notifications. The notifications themselves are derived from other contexts' events by the
 * `notifications` projection, which also applies these.
 */
export const inboxEventSchemas = {
  NotificationsMarkedRead: z.object({
    userId: z.uuid(),
    notificationIds: z.array(z.uuid()).min(1).max(MAX_MARKED_READ),
  }),
  /** Everything the person had by `upTo` (the command's time): what arrives later stays unread. */
  AllNotificationsMarkedRead: z.object({ userId: z.uuid(), upTo: z.iso.datetime() }),
};

type Schemas = typeof inboxEventSchemas;
export type InboxEvent = {
  [Type in keyof Schemas]: { type: Type; data: z.infer<Schemas[Type]> };
}[keyof Schemas];

/** Nothing here is published: what someone read is theirs alone. */
export const inboxEventCatalogue: EventCatalogue<InboxEvent> = {
  NotificationsMarkedRead: {
    type: 'NotificationsMarkedRead',
    schemaVersion: 1,
    schema: inboxEventSchemas.NotificationsMarkedRead,
  },
  AllNotificationsMarkedRead: {
    type: 'AllNotificationsMarkedRead',
    schemaVersion: 1,
    schema: inboxEventSchemas.AllNotificationsMarkedRead,
  },
};
