import { describe, expect, it } from 'vitest';
import { historyFactor, NO_HISTORY, TRUST_SHARE } from '../../../src/domain/mentorship/scoring.ts';

describe('a mentor’s overall trust in the matching history factor', () => {
  it('leaves the factor as sessions make it without trust on record, or with none earned', () => {
    expect(historyFactor({ ...NO_HISTORY, trust: null })).toBe(0.5);
    expect(historyFactor({ ...NO_HISTORY, trust: 0 })).toBe(0.5);
    expect(historyFactor({ completedSessions: 5, ratingCount: 0, ratingSum: 0, trust: null })).toBeCloseTo(
      0.575,
      10,
    );
  });

  it('moves the factor toward 1 by its share of what is left, in proportion to trust', () => {
    expect(TRUST_SHARE).toBe(0.2);
    // 0.5 + 0.2 × 0.5 × 0.9 = 0.59
    expect(historyFactor({ ...NO_HISTORY, trust: 90 })).toBeCloseTo(0.59, 10);
    expect(historyFactor({ ...NO_HISTORY, trust: 100 })).toBeCloseTo(0.6, 10);
    // 0.575 + 0.2 × 0.425 × 0.8 = 0.643
    expect(historyFactor({ completedSessions: 5, ratingCount: 0, ratingSum: 0, trust: 80 })).toBeCloseTo(
      0.643,
      10,
    );
    expect(historyFactor({ ...NO_HISTORY, trust: 40 })).toBeGreaterThan(
      historyFactor({ ...NO_HISTORY, trust: 20 }),
    );
  });

  it('clamps a trust outside 0..100', () => {
    expect(historyFactor({ ...NO_HISTORY, trust: 250 })).toBeCloseTo(0.6, 10);
    expect(historyFactor({ ...NO_HISTORY, trust: -5 })).toBe(0.5);
  });
});
