import type { Channel, NotificationType } from './notification-types.ts';

/**
 * One person's notification preferences as they now are. Channels hold only the person's overrides
 * of the type's defaults (NOTIFICATION_TYPES): a default that changes later reaches everyone who
 * never touched it.
 */
export interface NotificationPreferences {
  /** An IANA time zone name, canonical as Intl spells it ('Europe/London'). */
  timeZone: string;
  /** Local wall-clock times 'HH:MM'; `start` after `end` spans midnight. */
  quietHours: QuietHours | null;
  /** E-mail goes out once a day as a digest instead of one message per notification. */
  emailDigest: boolean;
  channels: ChannelOverrides;
}

export interface QuietHours {
  start: string;
  end: string;
}

export type ChannelOverrides = Partial<Record<NotificationType, Partial<Record<Channel, boolean>>>>;

/** What someone who never set anything gets (and what a missing read-model row means). */
export const DEFAULT_NOTIFICATION_PREFERENCES: NotificationPreferences = {
  timeZone: 'UTC',
  quietHours: null,
  emailDigest: false,
  channels: {},
};

const CLOCK_TIME = /^([01]\d|2[0-3]):([0-5]\d)$/;

export const isClockTime = (value: string): boolean => CLOCK_TIME.test(value);

/** Minutes since local midnight of an 'HH:MM' the caller has validated. */
export function minutesOfDay(clockTime: string): number {
  const match = CLOCK_TIME.exec(clockTime);
  if (match === null) throw new Error(`Not a clock time: ${clockTime}`);
  return Number(match[1]) * 60 + Number(match[2]);
}

const zoneNames = new Map<string, string | null>();

/**
 * The canonical spelling of an IANA time zone ('europe/london' → 'Europe/London'), or null when
 * Intl does not know it. Offsets such as '+01:00' are refused: they have no daylight-saving rules,
 * so quiet hours set with one would drift by an hour twice a year for most people.
 */
export function canonicalTimeZone(name: string): string | null {
  const known = zoneNames.get(name);
  if (known !== undefined) return known;
  let canonical: string | null = null;
  if (/^[A-Za-z][A-Za-z0-9_+\-/]*$/.test(name) && name.length <= 64) {
    try {
      canonical = new Intl.DateTimeFormat('en-US', { timeZone: name }).resolvedOptions().timeZone;
    } catch {
      canonical = null;
    }
  }
  if (zoneNames.size < 1_000) zoneNames.set(name, canonical);
  return canonical;
}
