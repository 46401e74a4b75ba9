import { type Channel, NOTIFICATION_TYPES, type NotificationType } from './notification-types.ts';
import { minutesOfDay, type NotificationPreferences } from './preferences-values.ts';

const MINUTE = 60_000;
const DAY = 24 * 60 * MINUTE;

/**
 * When a notification may go out on `channel`: `now` outside the person's quiet hours, otherwise
 * the instant quiet hours end in their time zone. The inbox (in_app) is never deferred (it makes no
 * sound), nor are security notifications (someone signing in as you cannot wait for morning).
 * Quiet hours are local wall-clock times, so across a daylight-saving change they keep their local
 * meaning: an end time the clocks skip (02:30 on a spring-forward night) ends at the jump; one the
 * clocks pass twice ends the first time.
 */
export function deliverableAt(
  now: Date,
  prefs: Pick<NotificationPreferences, 'timeZone' | 'quietHours'> | null,
  channel: Channel,
  type?: NotificationType,
): Date {
  if (prefs?.quietHours == null || channel === 'in_app') return now;
  if (type !== undefined && NOTIFICATION_TYPES[type].security) return now;
  const start = minutesOfDay(prefs.quietHours.start);
  const end = minutesOfDay(prefs.quietHours.end);
  if (start === end) return now;
  const local = wallClock(now, prefs.timeZone);
  const minute = local.hour * 60 + local.minute;
  const overMidnight = start > end;
  const quiet = overMidnight ? minute >= start || minute < end : minute >= start && minute < end;
  if (!quiet) return now;
  // Quiet hours over midnight started yesterday evening (minute < end) or end tomorrow morning.
  const dayOffset = overMidnight && minute >= start ? 1 : 0;
  const target = Date.UTC(local.year, local.month - 1, local.day + dayOffset, Math.floor(end / 60), end % 60);
  return new Date(instantOfWallClock(target, prefs.timeZone, now.getTime()));
}

interface WallClock {
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
}

const formatters = new Map<string, Intl.DateTimeFormat>();

function formatterFor(timeZone: string): Intl.DateTimeFormat {
  let formatter = formatters.get(timeZone);
  if (formatter === undefined) {
    formatter = new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
    });
    formatters.set(timeZone, formatter);
  }
  return formatter;
}

function wallClock(instant: Date | number, timeZone: string): WallClock {
  const parts: Record<string, number> = {};
  for (const part of formatterFor(timeZone).formatToParts(instant)) {
    if (part.type !== 'literal') parts[part.type] = Number(part.value);
  }
  return {
    year: parts.year ?? 1970,
    month: parts.month ?? 1,
    day: parts.day ?? 1,
    hour: (parts.hour ?? 0) % 24,
    minute: parts.minute ?? 0,
  };
}

/** The wall-clock reading at `instant`, in ms as if it were UTC (minute precision). */
function wallAsUtc(instant: number, timeZone: string): number {
  const w = wallClock(instant, timeZone);
  return Date.UTC(w.year, w.month - 1, w.day, w.hour, w.minute);
}

/**
 * The first instant from `notBefore` on whose local reading is `wall` (ms as if UTC). Zone offsets
 * change at most once around any one time, so the offsets a day before and a day after give every
 * candidate; a reading the clocks pass twice (falling back) has two, and someone whose quiet hours
 * end at 01:30 and who is in the second 01:15 waits for the second 01:30. When the clocks skip
 * `wall`, the answer is the first minute they read later than it (the jump).
 */
function instantOfWallClock(wall: number, timeZone: string, notBefore: number): number {
  const before = wall - DAY;
  const after = wall + DAY;
  const offsetBefore = wallAsUtc(before, timeZone) - before;
  const offsetAfter = wallAsUtc(after, timeZone) - after;
  const candidates = [wall - offsetBefore, wall - offsetAfter].filter(
    (instant) => instant >= notBefore && wallAsUtc(instant, timeZone) === wall,
  );
  if (candidates.length > 0) return Math.min(...candidates);
  // A gap: search the minutes between the two readings for the first one at or past `wall`.
  let low = Math.min(wall - offsetBefore, wall - offsetAfter);
  let high = Math.max(wall - offsetBefore, wall - offsetAfter);
  while (high - low > MINUTE) {
    const middle = low + Math.max(1, Math.floor((high - low) / 2 / MINUTE)) * MINUTE;
    if (wallAsUtc(middle, timeZone) >= wall) high = middle;
    else low = middle;
  }
  return Math.max(high, notBefore);
}
