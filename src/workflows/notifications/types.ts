import type { NotificationDeliverySettingsInput } from './settings.ts';

/** What the reaction hands the delivery saga of one source event: never the recipients themselves. */
export interface DeliverNotificationsInput {
  sourceEventId: string;
  /** The event's global position (a bigint as a string: payloads are JSON). */
  position: string;
  settings?: NotificationDeliverySettingsInput;
  /** Set when the workflow continued as new after planning: the rows exist, only delivery is left. */
  planned?: boolean;
}

/** What one planning or delivery activity leaves to do: when the next pending row falls due. */
export interface DeliveryProgress {
  /** Rows this activity inserted (planning) or settled (delivery). */
  handled: number;
  /** The earliest due time of a row still pending (ISO), or null when every row is settled. */
  nextDueAt: string | null;
}

export interface DigestInput {
  userId: string;
  /** Unread notifications updated after this instant go in the next digest (ISO); null: the last day. */
  since: string | null;
  /** The latest preferences change seen (a bigint as a string): the schedule waits for the read model to reach it. */
  position: string;
  /** Retries of a digest the mail server put off (tests make them fast). */
  settings?: NotificationDeliverySettingsInput;
}

export interface SessionRemindersInput {
  sessionId: string;
  startsAt: string;
  participantIds: string[];
  /** The event that scheduled the session: correlation for the reminders' commands. */
  scheduledEventId: string;
}

/** A person's access ended (the event): their registered devices are revoked. */
export interface RevokeDevicesInput {
  userId: string;
  /** The event that ended it: names the workflow and the revocation commands. */
  eventId: string;
  /** Its global position (a bigint as a string): devices registered after it are left alone. */
  position: string;
}
