/**
 * How long before a mentorship session its reminders fall due. Kept apart from the event schemas
 * (zod) so the reminder workflow, which runs in Temporal's sandbox, imports plain constants only.
 */
export const SESSION_REMINDER_LEADS = ['24h', '15m'] as const;
export type SessionReminderLead = (typeof SESSION_REMINDER_LEADS)[number];

/** Each lead in milliseconds before the session starts. */
export const SESSION_REMINDER_LEAD_MS: Record<SessionReminderLead, number> = {
  '24h': 24 * 60 * 60 * 1000,
  '15m': 15 * 60 * 1000,
};
