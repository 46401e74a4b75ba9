import { describe, expect, it } from 'vitest';
import { clampClientTime, clampClientTimes, clockSkewMs } from '../../../src/domain/sync/clock.ts';

const now = new Date('2026-12-07T12:00:00.000Z');

describe('device clocks', () => {
  it('keeps a past or present client time exactly as sent (with its offset)', () => {
    expect(clampClientTime('2026-12-07T13:00:00+02:00', now)).toEqual({
      clientTime: '2026-12-07T13:00:00+02:00',
      clamped: false,
    });
    expect(clampClientTime(now.toISOString(), now)).toEqual({
      clientTime: now.toISOString(),
      clamped: false,
    });
  });

  it('clamps a time after the server’s now to now (a device cannot win by setting its clock forward)', () => {
    expect(clampClientTime('2026-12-07T12:00:00.001Z', now)).toEqual({
      clientTime: now.toISOString(),
      clamped: true,
    });
    expect(clampClientTime('2026-12-07T14:00:00+01:00', now)).toEqual({
      clientTime: now.toISOString(),
      clamped: true,
    });
  });

  it('clamps one sync`s future times to distinct times up to now, in the order they were sent with', () => {
    // A phone an hour fast: its two bio edits, made a minute apart, must not become a tie.
    const sent = [
      '2026-12-07T13:02:00.000Z',
      '2026-12-07T11:00:00.000Z',
      '2026-12-07T14:01:00+01:00', // 13:01Z
      '2026-12-07T13:05:00.000Z',
    ];
    expect(clampClientTimes(sent, now)).toEqual([
      { clientTime: '2026-12-07T11:59:59.999Z', clamped: true },
      { clientTime: '2026-12-07T11:00:00.000Z', clamped: false },
      { clientTime: '2026-12-07T11:59:59.998Z', clamped: true },
      { clientTime: now.toISOString(), clamped: true },
    ]);
  });

  it('keeps times sent equal equal when clamped, and agrees with clampClientTime for one change', () => {
    const twice = '2026-12-07T12:30:00.000Z';
    expect(clampClientTimes([twice, '2026-12-07T12:10:00.000Z', twice], now)).toEqual([
      { clientTime: now.toISOString(), clamped: true },
      { clientTime: '2026-12-07T11:59:59.999Z', clamped: true },
      { clientTime: now.toISOString(), clamped: true },
    ]);
    for (const time of ['2026-12-07T13:00:00+02:00', now.toISOString(), '2026-12-07T14:00:00+01:00']) {
      expect(clampClientTimes([time], now)).toEqual([clampClientTime(time, now)]);
    }
    expect(clampClientTimes([], now)).toEqual([]);
  });

  it('measures the device clock’s skew from the server’s, 0 when the device gave no time', () => {
    expect(clockSkewMs('2026-12-07T12:00:05.000Z', now)).toBe(5_000);
    expect(clockSkewMs('2026-12-07T11:59:00.000Z', now)).toBe(-60_000);
    expect(clockSkewMs(undefined, now)).toBe(0);
    expect(clockSkewMs('not a time', now)).toBe(0);
  });
});
