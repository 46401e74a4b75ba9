/**
 * Streaks count days on which a learner did something in a path (completed a module, submitted an
 * attempt), by the learner's own calendar: the local date of the client time as the device sent it
 * (`2026-12-03T23:30:00-03:00` is the 3rd, though it is the 4th in UTC). So a week of offline study
 * uploaded at once still counts as a week.
 */

/** The days kept per learner and path: a year and a day. Older days only ever fed `longest`. */
export const MAX_ACTIVE_DAYS = 366;

const DAY_MS = 24 * 60 * 60 * 1000;

/** `YYYY-MM-DD` as the client time's own offset has it. */
export function localDay(clientTime: string): string {
  return clientTime.slice(0, 10);
}

const dayNumber = (day: string) => Math.round(Date.parse(`${day}T00:00:00Z`) / DAY_MS);

export interface Streaks {
  /** Distinct active days, oldest first (at most MAX_ACTIVE_DAYS). */
  activeDays: string[];
  /** The run of consecutive days ending at the last active day. */
  currentStreakDays: number;
  longestStreakDays: number;
  lastActiveDay: string | null;
}

/** The streaks after one more active day (which may be older than the others: offline). */
export function withActiveDay(days: readonly string[], longestSoFar: number, day: string): Streaks {
  const activeDays = [...new Set([...days, day])].sort().slice(-MAX_ACTIVE_DAYS);
  let run = 0;
  let longest = longestSoFar;
  let previous: number | null = null;
  for (const active of activeDays) {
    const number = dayNumber(active);
    run = previous !== null && number === previous + 1 ? run + 1 : 1;
    longest = Math.max(longest, run);
    previous = number;
  }
  return {
    activeDays,
    currentStreakDays: run,
    longestStreakDays: longest,
    lastActiveDay: activeDays.at(-1) ?? null,
  };
}

/**
 * The current streak as read at `today` (a UTC date): the stored run still counts when its last
 * day is today or yesterday (a learner ahead of UTC may even be on tomorrow), and is 0 once a day
 * was missed.
 */
export function currentStreakAt(lastActiveDay: string | null, storedRun: number, today: Date): number {
  if (lastActiveDay === null) return 0;
  const todayNumber = Math.floor(today.getTime() / DAY_MS);
  return dayNumber(lastActiveDay) >= todayNumber - 1 ? storedRun : 0;
}
