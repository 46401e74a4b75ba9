import { describe, expect, it } from 'vitest';
import { winningAttempt } from '../../../src/domain/sync/checkpoint-winner.ts';

const attempt = (id: string, clientTime: string, passed: boolean | null = false) => ({
  id,
  clientTime,
  passed,
});

describe('the winning checkpoint attempt (one rule for push and pull)', () => {
  it('is the first passed attempt, whatever came later', () => {
    expect(
      winningAttempt([
        attempt('a', '2026-12-07T10:00:00Z'),
        attempt('b', '2026-12-07T08:00:00Z', true),
        attempt('c', '2026-12-07T11:00:00Z', true),
      ])?.id,
    ).toBe('b');
  });

  it('else the latest by the device’s time, compared as instants, not as text', () => {
    expect(
      winningAttempt([
        attempt('a', '2026-12-07T10:00:00+01:00'),
        attempt('b', '2026-12-07T09:30:00Z'),
        attempt('c', '2026-12-07T09:00:00Z', null),
      ])?.id,
    ).toBe('b');
  });

  it('on a tie, the one submitted first (the server held it first), in either order of times', () => {
    expect(
      winningAttempt([attempt('a', '2026-12-07T10:00:00Z'), attempt('b', '2026-12-07T11:00:00+01:00')])?.id,
    ).toBe('a');
    expect(
      winningAttempt([
        attempt('a', '2026-12-07T09:00:00Z'),
        attempt('b', '2026-12-07T10:00:00Z'),
        attempt('c', '2026-12-07T10:00:00.000Z'),
      ])?.id,
    ).toBe('b');
  });

  it('none without attempts', () => {
    expect(winningAttempt([])).toBeUndefined();
  });
});
