import type { NotificationPreferences } from '../../domain/notifications/preferences-values.ts';

/** A `notification_preferences` row as the saga's queries select it (left-joined: all null when absent). */
export interface PreferencesRow {
  time_zone: string | null;
  quiet_start: string | null;
  quiet_end: string | null;
  email_digest: boolean | null;
  channels: NotificationPreferences['channels'] | null;
}

/** The person's preferences, or null when they never set any (the types' defaults then apply). */
export function preferencesOf(row: PreferencesRow): NotificationPreferences | null {
  if (row.time_zone === null) return null;
  return {
    timeZone: row.time_zone,
    quietHours:
      row.quiet_start !== null && row.quiet_end !== null
        ? { start: row.quiet_start, end: row.quiet_end }
        : null,
    emailDigest: row.email_digest ?? false,
    channels: row.channels ?? {},
  };
}
