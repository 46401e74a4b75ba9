import { z } from 'zod';
import type { EventCatalogue } from '../shared/event-catalogue.ts';
import { SESSION_REMINDER_LEADS } from './reminder-leads.ts';

export {
  SESSION_REMINDER_LEAD_MS,
  SESSION_REMINDER_LEADS,
  type SessionReminderLead,
} from './reminder-leads.ts';

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
