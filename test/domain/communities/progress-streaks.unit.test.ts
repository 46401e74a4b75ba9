import { describe, expect, it } from 'vitest';
import {
  currentStreakAt,
  localDay,
  withActiveDay,
} from '../../../src/domain/communities/progress-streaks.ts';

describe('streaks over days', () => {
  it('takes the day from the client time’s own offset', () => {
    expect(localDay('2026-12-03T23:30:00-03:00')).toBe('2026-12-03');
    expect(localDay('2026-12-04T01:30:00+09:00')).toBe('2026-12-04');
  });

  it('counts consecutive days, a gap starting a new run, the longest kept', () => {
    let streaks = withActiveDay([], 0, '2026-12-01');
    streaks = withActiveDay(streaks.activeDays, streaks.longestStreakDays, '2026-12-02');
    streaks = withActiveDay(streaks.activeDays, streaks.longestStreakDays, '2026-12-02');
    streaks = withActiveDay(streaks.activeDays, streaks.longestStreakDays, '2026-12-03');
    expect(streaks).toMatchObject({
      currentStreakDays: 3,
      longestStreakDays: 3,
      lastActiveDay: '2026-12-03',
    });
    streaks = withActiveDay(streaks.activeDays, streaks.longestStreakDays, '2026-12-06');
    expect(streaks).toMatchObject({
      currentStreakDays: 1,
      longestStreakDays: 3,
      lastActiveDay: '2026-12-06',
    });
  });

  it('fills a gap with a late offline day', () => {
    const before = withActiveDay(['2026-12-01', '2026-12-02', '2026-12-04'], 2, '2026-12-05');
    expect(before.currentStreakDays).toBe(2);
    const after = withActiveDay(before.activeDays, before.longestStreakDays, '2026-12-03');
    expect(after).toMatchObject({ currentStreakDays: 5, longestStreakDays: 5, lastActiveDay: '2026-12-05' });
  });

  it('reads the current streak as broken once a whole day was missed', () => {
    expect(currentStreakAt('2026-12-06', 4, new Date('2026-12-07T12:00:00Z'))).toBe(4);
    expect(currentStreakAt('2026-12-07', 4, new Date('2026-12-07T12:00:00Z'))).toBe(4);
    expect(currentStreakAt('2026-12-05', 4, new Date('2026-12-07T12:00:00Z'))).toBe(0);
    expect(currentStreakAt(null, 0, new Date('2026-12-07T12:00:00Z'))).toBe(0);
  });
});
