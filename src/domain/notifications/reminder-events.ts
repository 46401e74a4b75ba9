import { z } from 'zod';
import type { EventCatalogue } from '../shared/event-catalogue.ts';

/** How long before a mentorship session its reminders fall due. */
export const SESSION_REMINDER_LEADS = ['24h', '15m'] as const;
export type SessionReminderLead = (typeof SESSION_REMINDER_LEADS)[number];

/** Each lead in milliseconds before the session starts. */
export const SESSION_REMINDER_LEAD_MS: Record<SessionReminderLead, number> = {
  '24h': 24 * 60 * 60 * 1000,
  '15m': 15 * 60 * 1000,
};

/**
 * A reminder of a mentorship session fell due (`sessionreminder-<sessionId>`), appended by the
 * session's reminder workflow. The participants are carried in the event so the notification rules
 * need no lookup of the session; it names no personal data (ids and times only).
 */
export const reminderEventSchemas = {
  SessionReminderDue: z.object({
    sessionId: z.uuid(),
    lead: z.enum(SESSION_REMINDER_LEADS),
    startsAt: z.iso.datetime(),
    participantIds: z.array(z.uuid()).min(1).max(2),
  }),
};

type Schemas = typeof reminderEventSchemas;
export type ReminderEvent = {
  [Type in keyof Schemas]: { type: Type; data: z.infer<Schemas[Type]> };
}[keyof Schemas];

export const reminderEventCatalogue: EventCatalogue<ReminderEvent> = {
  SessionReminderDue: {
    type: 'SessionReminderDue',
    schemaVersion: 1,
    schema: reminderEventSchemas.SessionReminderDue,
  },
};
