import { minutesOf, type TimeSpan, type WeeklySlot } from './values.ts';

/**
 * Weekly availability in a person's own time zone, made concrete in UTC. Pure: the reference
 * instant comes in as an argument, and time zone rules come from the runtime's `Intl` data.
 */

/** A half-open UTC interval [start, end) in epoch milliseconds. */
export interface Interval {
  start: number;
  end: number;
}

export interface Availability {
  availability: readonly WeeklySlot[];
  timeZone: string;
}

const MINUTE = 60_000;
const DAY = 24 * 60 * MINUTE;
const WEEK = 7 * DAY;

/** The UTC week [Monday 00:00 UTC, next Monday) that holds `at`. */
export function utcWeekOf(at: Date): Interval {
  const midnight = Date.UTC(at.getUTCFullYear(), at.getUTCMonth(), at.getUTCDate());
  const daysSinceMonday = (at.getUTCDay() + 6) % 7;
  const start = midnight - daysSinceMonday * DAY;
  return { start, end: start + WEEK };
}

const formatters = new Map<string, Intl.DateTimeFormat>();

function formatterFor(timeZone: string): Intl.DateTimeFormat {
  let formatter = formatters.get(timeZone);
  if (!formatter) {
    formatter = new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
    });
    formatters.set(timeZone, formatter);
  }
  return formatter;
}

/** The zone's offset from UTC at an instant, in minutes (Europe/Berlin in summer: +120). */
export function offsetMinutes(timeZone: string, at: number): number {
  const parts: Record<string, number> = {};
  for (const part of formatterFor(timeZone).formatToParts(new Date(at))) {
    if (part.type !== 'literal') parts[part.type] = Number(part.value);
  }
  const wall = Date.UTC(
    parts.year ?? 1970,
    (parts.month ?? 1) - 1,
    parts.day ?? 1,
    parts.hour ?? 0,
    parts.minute ?? 0,
    parts.second ?? 0,
  );
  return Math.round((wall - Math.floor(at / 1000) * 1000) / MINUTE);
}

/**
 * The UTC instant of a wall-clock time in a zone. A wall time skipped by a DST change moves forward
 * by the gap; one that happens twice (clocks going back) takes one of its two instants.
 */
export function wallTimeToUtc(timeZone: string, wall: number): number {
  const first = wall - offsetMinutes(timeZone, wall) * MINUTE;
  const second = wall - offsetMinutes(timeZone, first) * MINUTE;
  if (first === second) return first;
  // Across a change the two guesses differ: the earlier one that reads back as `wall` wins.
  const [early, late] = first < second ? [first, second] : [second, first];
  if (early + offsetMinutes(timeZone, early) * MINUTE === wall) return early;
  return late;
}

/** Per zone, the last window asked about: ranking asks about one window for thousands of people. */
const constantOffsets = new Map<string, { from: number; to: number; offset: number | null }>();

/**
 * The zone's offset when it is the same all through [from, to) (most zones, most weeks): then a
 * slot converts with arithmetic alone, which keeps ranking ten thousand mentors cheap. Null when
 * an offset change may fall inside (sampled every 6 hours: zones change at most a few times a year).
 */
function constantOffset(timeZone: string, from: number, to: number): number | null {
  const known = constantOffsets.get(timeZone);
  if (known !== undefined && known.from === from && known.to === to) return known.offset;
  const first = offsetMinutes(timeZone, from);
  let offset: number | null = first;
  for (let at = from + 6 * 60 * MINUTE; at <= to; at += 6 * 60 * MINUTE) {
    if (offsetMinutes(timeZone, at) !== first) {
      offset = null;
      break;
    }
  }
  constantOffsets.set(timeZone, { from, to, offset });
  return offset;
}

/** The window around a UTC week whose zone offset decides whether slots convert by arithmetic. */
function offsetThroughout(timeZone: string, window: Interval): number | null {
  return constantOffset(timeZone, window.start - 2 * DAY - WEEK, window.end + 2 * DAY + WEEK);
}

const MINUTES_A_WEEK = 7 * 24 * 60;

/**
 * Weekly slots as flat pairs of local minutes of the week (Monday 00:00 = 0):
 * `[start, end, start, end, …]`. Ranking reads this form, precomputed in the read model, so no
 * 'HH:MM' is parsed per mentor per request.
 */
export function weekMinutes(slots: readonly WeeklySlot[]): number[] {
  const minutes: number[] = [];
  for (const slot of slots) {
    minutes.push(slot.day * 24 * 60 + minutesOf(slot.start), slot.day * 24 * 60 + minutesOf(slot.end));
  }
  return minutes;
}

/** `weekMinutes` as compact text for a read model column: `start-end,start-end`. */
export const encodeWeekMinutes = (slots: readonly WeeklySlot[]): string =>
  weekMinutes(slots)
    .map((minute, index) => (index % 2 === 0 ? String(minute) : `-${minute},`))
    .join('')
    .slice(0, -1);

/**
 * Back from `encodeWeekMinutes`; null when the text is not of that form (the row is then skipped).
 * Read digit by digit into `into` (cleared first), so ranking can reuse one array for ten thousand
 * rows instead of making substrings and arrays for each.
 */
export function decodeWeekMinutes(text: string, into: number[] = []): number[] | null {
  into.length = 0;
  let value = -1; // -1: no digit yet in the current number
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (code >= 48 && code <= 57) {
      value = (value < 0 ? 0 : value * 10) + (code - 48);
      continue;
    }
    // A separator ends a number: '-' a start, ',' an end.
    const expected = into.length % 2 === 0 ? 45 : 44;
    if (value < 0 || code !== expected) return null;
    into.push(value);
    value = -1;
  }
  if (text === '') return into;
  if (value < 0 || into.length % 2 === 0) return null;
  into.push(value);
  return into;
}

/**
 * A person's weekly slots as UTC intervals inside `window` (a UTC week, see `utcWeekOf`). Their
 * local weeks around it are laid out too and clipped, so a slot on Sunday evening in Tokyo that
 * falls on Sunday morning UTC, or one on Monday morning in Auckland that is still Sunday in UTC,
 * lands where it belongs: one full period of their weekly availability.
 */
export function weeklyIntervals(person: Availability, window: Interval): Interval[] {
  return weekIntervals(weekMinutes(person.availability), person.timeZone, window);
}

/** `weeklyIntervals` from local minute-of-week pairs (see `weekMinutes`). */
export function weekIntervals(minutes: readonly number[], timeZone: string, window: Interval): Interval[] {
  const offset = offsetThroughout(timeZone, window);
  const toUtc = (wall: number) => (offset === null ? wallTimeToUtc(timeZone, wall) : wall - offset * MINUTE);
  const intervals: Interval[] = [];
  // Local Mondays of the weeks before, of and after the window (wall-clock, as if UTC).
  for (const weekStart of [window.start - WEEK, window.start, window.start + WEEK]) {
    for (let i = 0; i + 1 < minutes.length; i += 2) {
      const start = toUtc(weekStart + (minutes[i] as number) * MINUTE);
      const end = toUtc(weekStart + (minutes[i + 1] as number) * MINUTE);
      const clipped = { start: Math.max(start, window.start), end: Math.min(end, window.end) };
      if (clipped.end > clipped.start) intervals.push(clipped);
    }
  }
  return merge(intervals);
}

/**
 * Minutes a week a person shares with a fixed learner, for many people and one UTC week: what
 * ranking asks ten thousand times per request. The learner's week is worked out once. For a
 * person whose zone keeps one offset through the window (the common case), their UTC week is
 * their local minutes shifted by the offset, so the overlap is integer arithmetic on reused
 * buffers; across an offset change it falls back to `weekIntervals`, the exact path.
 */
export function overlapWith(learner: Availability, window: Interval) {
  const wanted = weeklyIntervals(learner, window);
  // The learner's intervals in minutes from the window's start: sorted and disjoint, as `merge` left them.
  const wantedPairs = wanted.flatMap(({ start, end }) => [
    (start - window.start) / MINUTE,
    (end - window.start) / MINUTE,
  ]);
  const pieces: number[] = [];
  return {
    /** The minutes the learner asked for in the window. */
    wantedMinutes: totalMinutes(wanted),
    /** The minutes of those a person with these local minute pairs (`weekMinutes`) in this zone is free too. */
    sharedMinutes(minutes: readonly number[], timeZone: string): number {
      const offset = offsetThroughout(timeZone, window);
      if (offset === null) return totalMinutes(intersect(weekIntervals(minutes, timeZone, window), wanted));
      const count = shiftedPieces(minutes, offset, pieces);
      sortPairs(pieces, count);
      return pairsOverlap(pieces, count, wantedPairs);
    },
  };
}

/**
 * Local minute pairs shifted to UTC minutes of the week, with the weeks before and after laid out
 * and everything clipped to [0, week), as `weekIntervals` does in milliseconds. Written into
 * `out` (reused between calls); returns the number of pairs.
 */
function shiftedPieces(minutes: readonly number[], offset: number, out: number[]): number {
  let count = 0;
  for (let week = -MINUTES_A_WEEK; week <= MINUTES_A_WEEK; week += MINUTES_A_WEEK) {
    for (let i = 0; i + 1 < minutes.length; i += 2) {
      const start = Math.max(0, (minutes[i] as number) - offset + week);
      const end = Math.min(MINUTES_A_WEEK, (minutes[i + 1] as number) - offset + week);
      if (end > start) {
        out[2 * count] = start;
        out[2 * count + 1] = end;
        count++;
      }
    }
  }
  return count;
}

/** Insertion sort of the first `count` pairs by start: a handful of slots, mostly in order already. */
function sortPairs(pairs: number[], count: number): void {
  for (let i = 1; i < count; i++) {
    const start = pairs[2 * i] as number;
    const end = pairs[2 * i + 1] as number;
    let j = i - 1;
    while (j >= 0 && (pairs[2 * j] as number) > start) {
      pairs[2 * j + 2] = pairs[2 * j] as number;
      pairs[2 * j + 3] = pairs[2 * j + 1] as number;
      j--;
    }
    pairs[2 * j + 2] = start;
    pairs[2 * j + 3] = end;
  }
}

/**
 * Minutes covered both by the union of `count` pairs sorted by start (they may overlap) and by
 * `wanted` (sorted, disjoint): each run of overlapping pairs is joined first, so no minute counts twice.
 */
function pairsOverlap(pairs: readonly number[], count: number, wanted: readonly number[]): number {
  let shared = 0;
  let i = 0;
  while (i < count) {
    const start = pairs[2 * i] as number;
    let end = pairs[2 * i + 1] as number;
    for (i++; i < count && (pairs[2 * i] as number) <= end; i++)
      end = Math.max(end, pairs[2 * i + 1] as number);
    for (let j = 0; j < wanted.length; j += 2) {
      const from = Math.max(start, wanted[j] as number);
      const to = Math.min(end, wanted[j + 1] as number);
      if (to > from) shared += to - from;
    }
  }
  return shared;
}

/** Sorted, with touching and overlapping intervals joined. */
export function merge(intervals: readonly Interval[]): Interval[] {
  const sorted = [...intervals].sort((a, b) => a.start - b.start);
  const merged: Interval[] = [];
  for (const interval of sorted) {
    const last = merged.at(-1);
    if (last && interval.start <= last.end) last.end = Math.max(last.end, interval.end);
    else merged.push({ ...interval });
  }
  return merged;
}

/** The intervals both lists cover (each list sorted and merged, as `merge` leaves it). */
export function intersect(a: readonly Interval[], b: readonly Interval[]): Interval[] {
  const both: Interval[] = [];
  let i = 0;
  let j = 0;
  while (i < a.length && j < b.length) {
    const x = a[i] as Interval;
    const y = b[j] as Interval;
    const start = Math.max(x.start, y.start);
    const end = Math.min(x.end, y.end);
    if (end > start) both.push({ start, end });
    if (x.end < y.end) i++;
    else j++;
  }
  return both;
}

export const totalMinutes = (intervals: readonly Interval[]) =>
  intervals.reduce((sum, { start, end }) => sum + (end - start) / MINUTE, 0);

/** Minutes a week both are free, and the minutes the learner asked for, in the UTC week of `at`. */
export function weeklyOverlap(mentor: Availability, learner: Availability, at: Date) {
  const week = utcWeekOf(at);
  const wanted = weeklyIntervals(learner, week);
  return {
    overlapMinutes: totalMinutes(intersect(weeklyIntervals(mentor, week), wanted)),
    learnerMinutes: totalMinutes(wanted),
  };
}

const ALIGN_MINUTES = 15;
const WEEKS_AHEAD = 4;

/**
 * The next `count` times, each `durationMinutes` long, when both are free, from `from` on: the
 * earliest start (on a quarter hour) in each stretch of shared time, over the next four weeks, so
 * the proposals spread over different days rather than filling one evening. A stretch longer than
 * a day (two people free around the clock share one stretch of four weeks) offers the same time on
 * each of its days. Fewer when they share less time than that.
 */
export function proposeFirstSessions(
  mentor: Availability,
  learner: Availability,
  from: Date,
  count: number,
  durationMinutes: number,
): TimeSpan[] {
  const length = durationMinutes * MINUTE;
  const align = ALIGN_MINUTES * MINUTE;
  const first = utcWeekOf(from);
  const shared = intersect(horizon(mentor, first), horizon(learner, first));
  const proposals: TimeSpan[] = [];
  for (const stretch of shared) {
    const first = Math.ceil(Math.max(stretch.start, from.getTime()) / align) * align;
    for (let start = first; start + length <= stretch.end; start += DAY) {
      if (proposals.length >= count) return proposals;
      proposals.push({
        startsAt: new Date(start).toISOString(),
        endsAt: new Date(start + length).toISOString(),
      });
    }
  }
  return proposals;
}

/** Weeks laid end to end and merged, so a stretch over Sunday midnight UTC stays one stretch. */
function horizon(person: Availability, first: Interval): Interval[] {
  const weeks: Interval[] = [];
  for (let week = 0; week <= WEEKS_AHEAD; week++) {
    const start = first.start + week * WEEK;
    weeks.push(...weeklyIntervals(person, { start, end: start + WEEK }));
  }
  return merge(weeks);
}
