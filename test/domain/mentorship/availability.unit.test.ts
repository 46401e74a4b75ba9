import { describe, expect, it } from 'vitest';
import {
  intersect,
  merge,
  offsetMinutes,
  proposeFirstSessions,
  totalMinutes,
  utcWeekOf,
  wallTimeToUtc,
  weeklyIntervals,
  weeklyOverlap,
} from '../../../src/domain/mentorship/availability.ts';

const iso = (ms: number) => new Date(ms).toISOString();
const spans = (intervals: { start: number; end: number }[]) =>
  intervals.map((i) => [iso(i.start), iso(i.end)]);
const weekOf = (at: string) => utcWeekOf(new Date(at));

describe('the UTC week', () => {
  it('runs from Monday 00:00 UTC for seven days', () => {
    const week = weekOf('2025-01-15T12:00:00.000Z');
    expect(iso(week.start)).toBe('2025-01-13T00:00:00.000Z');
    expect(iso(week.end)).toBe('2025-01-20T00:00:00.000Z');
    expect(iso(weekOf('2025-01-19T23:59:59.000Z').start)).toBe('2025-01-13T00:00:00.000Z');
    expect(iso(weekOf('2025-01-20T00:00:00.000Z').start)).toBe('2025-01-20T00:00:00.000Z');
  });
});

describe('weekly slots in UTC', () => {
  it('zones without DST: Tokyo (+9) and Kolkata (+5:30)', () => {
    const week = weekOf('2025-07-09T00:00:00.000Z');
    expect(
      spans(
        weeklyIntervals(
          { availability: [{ day: 1, start: '18:00', end: '20:00' }], timeZone: 'Asia/Tokyo' },
          week,
        ),
      ),
    ).toEqual([['2025-07-08T09:00:00.000Z', '2025-07-08T11:00:00.000Z']]);
    expect(
      spans(
        weeklyIntervals(
          { availability: [{ day: 1, start: '09:00', end: '10:30' }], timeZone: 'Asia/Kolkata' },
          week,
        ),
      ),
    ).toEqual([['2025-07-08T03:30:00.000Z', '2025-07-08T05:00:00.000Z']]);
  });

  it('follows DST: Berlin Monday 10–11 is 09–10 UTC in March before the change, 08–09 after', () => {
    const slot = { availability: [{ day: 0, start: '10:00', end: '11:00' }], timeZone: 'Europe/Berlin' };
    expect(spans(weeklyIntervals(slot, weekOf('2025-03-24T12:00:00.000Z')))).toEqual([
      ['2025-03-24T09:00:00.000Z', '2025-03-24T10:00:00.000Z'],
    ]);
    expect(spans(weeklyIntervals(slot, weekOf('2025-03-31T12:00:00.000Z')))).toEqual([
      ['2025-03-31T08:00:00.000Z', '2025-03-31T09:00:00.000Z'],
    ]);
  });

  it('converts a wall time in the week of a DST change exactly (Berlin, Sunday 30 March 2025)', () => {
    // Saturday before the change is +1; Sunday afternoon after it is +2.
    const slot = {
      availability: [
        { day: 5, start: '12:00', end: '13:00' },
        { day: 6, start: '12:00', end: '13:00' },
      ],
      timeZone: 'Europe/Berlin',
    };
    expect(spans(weeklyIntervals(slot, weekOf('2025-03-26T00:00:00.000Z')))).toEqual([
      ['2025-03-29T11:00:00.000Z', '2025-03-29T12:00:00.000Z'],
      ['2025-03-30T10:00:00.000Z', '2025-03-30T11:00:00.000Z'],
    ]);
    // 02:30 does not exist that night: it moves forward by the gap (03:30 CEST = 01:30 UTC).
    expect(iso(wallTimeToUtc('Europe/Berlin', Date.parse('2025-03-30T02:30:00.000Z')))).toBe(
      '2025-03-30T01:30:00.000Z',
    );
  });

  it('wraps days: Auckland Monday morning is Sunday evening UTC, inside the UTC week', () => {
    // Auckland in January is +13: Monday 08:00–10:00 = Sunday 19:00–21:00 UTC.
    const week = weekOf('2025-01-15T00:00:00.000Z');
    expect(
      spans(
        weeklyIntervals(
          { availability: [{ day: 0, start: '08:00', end: '10:00' }], timeZone: 'Pacific/Auckland' },
          week,
        ),
      ),
    ).toEqual([['2025-01-19T19:00:00.000Z', '2025-01-19T21:00:00.000Z']]);
  });

  it('wraps days the other way: Los Angeles Sunday evening is Monday morning UTC', () => {
    // Los Angeles in January is −8: Sunday 20:00–23:00 = Monday 04:00–07:00 UTC.
    const week = weekOf('2025-01-15T00:00:00.000Z');
    expect(
      spans(
        weeklyIntervals(
          { availability: [{ day: 6, start: '20:00', end: '23:00' }], timeZone: 'America/Los_Angeles' },
          week,
        ),
      ),
    ).toEqual([['2025-01-13T04:00:00.000Z', '2025-01-13T07:00:00.000Z']]);
  });

  it('a slot across the UTC week’s edge is split, one full week of it inside', () => {
    // Tokyo Monday 05:00–12:00 = Sunday 20:00 – Monday 03:00 UTC: 3 h at the start, 4 h at the end.
    const week = weekOf('2025-01-15T00:00:00.000Z');
    const intervals = weeklyIntervals(
      { availability: [{ day: 0, start: '05:00', end: '12:00' }], timeZone: 'Asia/Tokyo' },
      week,
    );
    expect(spans(intervals)).toEqual([
      ['2025-01-13T00:00:00.000Z', '2025-01-13T03:00:00.000Z'],
      ['2025-01-19T20:00:00.000Z', '2025-01-20T00:00:00.000Z'],
    ]);
    expect(totalMinutes(intervals)).toBe(7 * 60);
  });

  it('reads offsets from the zone rules', () => {
    expect(offsetMinutes('Asia/Kolkata', Date.parse('2025-01-01T00:00:00Z'))).toBe(330);
    expect(offsetMinutes('America/New_York', Date.parse('2025-07-01T00:00:00Z'))).toBe(-240);
    expect(offsetMinutes('America/New_York', Date.parse('2025-01-01T00:00:00Z'))).toBe(-300);
  });
});

describe('overlap', () => {
  it('merges and intersects intervals', () => {
    const merged = merge([
      { start: 5, end: 8 },
      { start: 0, end: 3 },
      { start: 3, end: 4 },
    ]);
    expect(merged).toEqual([
      { start: 0, end: 4 },
      { start: 5, end: 8 },
    ]);
    expect(intersect(merged, [{ start: 2, end: 6 }])).toEqual([
      { start: 2, end: 4 },
      { start: 5, end: 6 },
    ]);
  });

  it('counts shared minutes of the week and the learner’s wanted minutes', () => {
    // Berlin Mon 18–20 (17–19 UTC in winter) vs New York Mon 11–13:30 (16–18:30 UTC): 17–18:30 = 90 min.
    const overlap = weeklyOverlap(
      { availability: [{ day: 0, start: '18:00', end: '20:00' }], timeZone: 'Europe/Berlin' },
      { availability: [{ day: 0, start: '11:00', end: '13:30' }], timeZone: 'America/New_York' },
      new Date('2025-01-15T00:00:00.000Z'),
    );
    expect(overlap).toEqual({ overlapMinutes: 90, learnerMinutes: 150 });
  });
});

describe('proposing first sessions', () => {
  const mentor = {
    availability: [
      { day: 0, start: '18:00', end: '20:00' },
      { day: 2, start: '18:00', end: '20:00' },
    ],
    timeZone: 'Europe/Berlin',
  };
  const learner = {
    availability: [
      { day: 0, start: '17:00', end: '19:00' },
      { day: 2, start: '18:00', end: '19:00' },
    ],
    timeZone: 'Europe/London',
  };

  it('proposes the next shared stretches from the given instant, one per stretch', () => {
    // Shared in winter: Mon 17–19 UTC, Wed 18–19 UTC. From Wednesday noon: Wed, then next Mon and Wed.
    expect(proposeFirstSessions(mentor, learner, new Date('2025-01-15T12:00:00.000Z'), 3, 60)).toEqual([
      { startsAt: '2025-01-15T18:00:00.000Z', endsAt: '2025-01-15T19:00:00.000Z' },
      { startsAt: '2025-01-20T17:00:00.000Z', endsAt: '2025-01-20T18:00:00.000Z' },
      { startsAt: '2025-01-22T18:00:00.000Z', endsAt: '2025-01-22T19:00:00.000Z' },
    ]);
  });

  it('starts on the next quarter hour inside a stretch already begun, and skips one too short', () => {
    expect(proposeFirstSessions(mentor, learner, new Date('2025-01-13T17:10:00.000Z'), 1, 60)).toEqual([
      { startsAt: '2025-01-13T17:15:00.000Z', endsAt: '2025-01-13T18:15:00.000Z' },
    ]);
    // 90 minutes fit only into Monday's two hours.
    expect(proposeFirstSessions(mentor, learner, new Date('2025-01-14T00:00:00.000Z'), 2, 90)).toEqual([
      { startsAt: '2025-01-20T17:00:00.000Z', endsAt: '2025-01-20T18:30:00.000Z' },
      { startsAt: '2025-01-27T17:00:00.000Z', endsAt: '2025-01-27T18:30:00.000Z' },
    ]);
  });

  it('offers one time per day of a stretch longer than a day (both free around the clock)', () => {
    const always = (timeZone: string) => ({
      availability: [0, 1, 2, 3, 4, 5, 6].map((day) => ({ day, start: '00:00', end: '24:00' })),
      timeZone,
    });
    expect(
      proposeFirstSessions(
        always('Asia/Tokyo'),
        always('America/Chicago'),
        new Date('2025-01-15T12:05:00.000Z'),
        3,
        60,
      ),
    ).toEqual([
      { startsAt: '2025-01-15T12:15:00.000Z', endsAt: '2025-01-15T13:15:00.000Z' },
      { startsAt: '2025-01-16T12:15:00.000Z', endsAt: '2025-01-16T13:15:00.000Z' },
      { startsAt: '2025-01-17T12:15:00.000Z', endsAt: '2025-01-17T13:15:00.000Z' },
    ]);
  });

  it('proposes nothing when they share no time', () => {
    const never = { availability: [{ day: 4, start: '06:00', end: '07:00' }], timeZone: 'Europe/London' };
    expect(proposeFirstSessions(mentor, never, new Date('2025-01-15T12:00:00.000Z'), 3, 30)).toEqual([]);
  });
});
