import { describe, expect, it } from 'vitest';
import {
  DEFAULT_NOTIFICATION_PREFERENCES,
  type NotificationPreferences,
} from '../../../src/domain/notifications/preferences-values.ts';
import { deliverableAt } from '../../../src/domain/notifications/quiet-hours.ts';

const quiet = (timeZone: string, start: string, end: string): NotificationPreferences => ({
  timeZone,
  quietHours: { start, end },
  emailDigest: false,
  channels: {},
});
const at = (iso: string) => new Date(iso);
const iso = (date: Date) => date.toISOString();

describe('deliverableAt', () => {
  it('is now for someone without preferences or without quiet hours', () => {
    const now = at('2026-12-07T03:00:00.000Z');
    expect(deliverableAt(now, null, 'push')).toEqual(now);
    expect(deliverableAt(now, DEFAULT_NOTIFICATION_PREFERENCES, 'push')).toEqual(now);
  });

  it('is now outside quiet hours, the end of quiet hours inside them (same-day span)', () => {
    const prefs = quiet('UTC', '13:00', '15:00');
    expect(iso(deliverableAt(at('2026-12-07T12:59:00Z'), prefs, 'push'))).toBe('2026-12-07T12:59:00.000Z');
    expect(iso(deliverableAt(at('2026-12-07T13:00:00Z'), prefs, 'push'))).toBe('2026-12-07T15:00:00.000Z');
    expect(iso(deliverableAt(at('2026-12-07T14:59:59Z'), prefs, 'email'))).toBe('2026-12-07T15:00:00.000Z');
    // The end itself is no longer quiet.
    expect(iso(deliverableAt(at('2026-12-07T15:00:00Z'), prefs, 'push'))).toBe('2026-12-07T15:00:00.000Z');
  });

  it('spans midnight: before midnight waits for tomorrow morning, after midnight for this morning', () => {
    const prefs = quiet('Europe/Berlin', '22:00', '07:00');
    // 23:30 in Berlin (UTC+1 in December) → 07:00 the next day, 06:00 UTC.
    expect(iso(deliverableAt(at('2026-12-07T22:30:00Z'), prefs, 'push'))).toBe('2026-12-08T06:00:00.000Z');
    // 00:30 on the 8th in Berlin (23:30 UTC on the 7th) → 07:00 that same local day.
    expect(iso(deliverableAt(at('2026-12-07T23:30:00Z'), prefs, 'push'))).toBe('2026-12-08T06:00:00.000Z');
    // 21:59 Berlin: not quiet yet.
    expect(iso(deliverableAt(at('2026-12-07T20:59:00Z'), prefs, 'push'))).toBe('2026-12-07T20:59:00.000Z');
    // 07:00 Berlin: quiet hours are over.
    expect(iso(deliverableAt(at('2026-12-08T06:00:00Z'), prefs, 'push'))).toBe('2026-12-08T06:00:00.000Z');
  });

  it('reads the wall clock of the time zone, not the server’s', () => {
    const prefs = quiet('America/Los_Angeles', '22:00', '08:00');
    // 10:00 UTC is 02:00 in Los Angeles (UTC-8): quiet until 08:00 local = 16:00 UTC.
    expect(iso(deliverableAt(at('2026-12-07T10:00:00Z'), prefs, 'push'))).toBe('2026-12-07T16:00:00.000Z');
    // The same instant in Kolkata (UTC+5:30) is 15:30: not quiet.
    const kolkata = quiet('Asia/Kolkata', '22:00', '08:00');
    expect(iso(deliverableAt(at('2026-12-07T10:00:00Z'), kolkata, 'push'))).toBe('2026-12-07T10:00:00.000Z');
    // 20:00 UTC is 01:30 in Kolkata → 08:00 local = 02:30 UTC.
    expect(iso(deliverableAt(at('2026-12-07T20:00:00Z'), kolkata, 'push'))).toBe('2026-12-08T02:30:00.000Z');
  });

  it('keeps local time across the spring-forward night (a shorter night)', () => {
    // Europe/London: 2026-03-29 01:00 GMT the clocks jump to 02:00 BST.
    const prefs = quiet('Europe/London', '22:00', '07:00');
    // 23:00 GMT on the 28th → 07:00 BST on the 29th = 06:00 UTC (8 hours of wall clock, 7 real).
    expect(iso(deliverableAt(at('2026-03-28T23:00:00Z'), prefs, 'push'))).toBe('2026-03-29T06:00:00.000Z');
  });

  it('keeps local time across the fall-back night (a longer night)', () => {
    // Europe/London: 2026-10-25 02:00 BST the clocks go back to 01:00 GMT.
    const prefs = quiet('Europe/London', '22:00', '07:00');
    // 22:30 BST on the 24th (21:30 UTC) → 07:00 GMT on the 25th = 07:00 UTC.
    expect(iso(deliverableAt(at('2026-10-24T21:30:00Z'), prefs, 'push'))).toBe('2026-10-25T07:00:00.000Z');
  });

  it('ends at the jump when the clocks skip the end time', () => {
    // America/New_York: 2026-03-08 02:00 EST jumps to 03:00 EDT; 02:30 never happens.
    const prefs = quiet('America/New_York', '23:00', '02:30');
    // 01:00 EST (06:00 UTC) → the jump at 07:00 UTC, when the clocks read 03:00 (past 02:30).
    expect(iso(deliverableAt(at('2026-03-08T06:00:00Z'), prefs, 'push'))).toBe('2026-03-08T07:00:00.000Z');
  });

  it('ends at the first pass of an end time the clocks pass twice, or the second when already past the first', () => {
    // America/New_York: 2026-11-01 02:00 EDT falls back to 01:00 EST; 01:30 happens twice.
    const prefs = quiet('America/New_York', '23:00', '01:30');
    // 00:30 EDT (04:30 UTC) → the first 01:30, EDT = 05:30 UTC.
    expect(iso(deliverableAt(at('2026-11-01T04:30:00Z'), prefs, 'push'))).toBe('2026-11-01T05:30:00.000Z');
    // 01:15 EST, the second pass (06:15 UTC) → the second 01:30, EST = 06:30 UTC.
    expect(iso(deliverableAt(at('2026-11-01T06:15:00Z'), prefs, 'push'))).toBe('2026-11-01T06:30:00.000Z');
  });

  it('never defers the inbox, nor security notifications', () => {
    const prefs = quiet('UTC', '00:00', '23:59');
    const now = at('2026-12-07T12:00:00Z');
    expect(deliverableAt(now, prefs, 'in_app', 'video_liked')).toEqual(now);
    expect(deliverableAt(now, prefs, 'push', 'new_sign_in')).toEqual(now);
    expect(deliverableAt(now, prefs, 'email', 'password_reset')).toEqual(now);
    expect(iso(deliverableAt(now, prefs, 'push', 'video_liked'))).toBe('2026-12-07T23:59:00.000Z');
  });

  it('treats equal start and end as no quiet hours', () => {
    const now = at('2026-12-07T12:00:00Z');
    expect(deliverableAt(now, quiet('UTC', '12:00', '12:00'), 'push')).toEqual(now);
  });
});
