import { describe, expect, it } from 'vitest';
import {
  COMMUNITY_TRUST_WEIGHTS,
  NO_TRUST_FACTS,
  OVERALL_TRUST_WEIGHTS,
  overallTrustScore,
  type TrustFacts,
  tenureDaysAt,
  trustBase,
  trustScore,
} from '../../../src/domain/communities/trust.ts';

const at = new Date('2026-12-07T00:00:00.000Z');
const facts = (overrides: Partial<TrustFacts>): TrustFacts => ({ ...NO_TRUST_FACTS, ...overrides });
const component = (score: ReturnType<typeof trustScore>, name: string) =>
  score.components.find((entry) => entry.name === name);

describe('the trust formula', () => {
  it('positive weights add up to 100 in both scopes', () => {
    for (const weights of [COMMUNITY_TRUST_WEIGHTS, OVERALL_TRUST_WEIGHTS]) {
      const positive = Object.values(weights).filter((weight) => weight > 0);
      expect(positive.reduce((sum, weight) => sum + weight, 0)).toBe(100);
    }
  });

  it('is 0 with no facts, and names every component with weight and value', () => {
    const score = trustScore(NO_TRUST_FACTS, at);
    expect(score.score).toBe(0);
    expect(score.components.map(({ name, weight, value }) => ({ name, weight, value }))).toEqual([
      { name: 'checkpoints', weight: 35, value: 0 },
      { name: 'helpful', weight: 35, value: 0 },
      { name: 'tenure', weight: 30, value: 0 },
      { name: 'reports', weight: -40, value: 0 },
    ]);
  });

  it('saturates counts: 5 passed checkpoints are half the weight', () => {
    const score = trustScore(facts({ checkpointsPassed: 5 }), at);
    expect(component(score, 'checkpoints')).toEqual({
      name: 'checkpoints',
      weight: 35,
      value: 0.5,
      count: 5,
      points: 17.5,
    });
    expect(score.score).toBe(17.5);
  });

  it('rises with helpful marks and falls with upheld reports, never below 0', () => {
    const helped = trustScore(facts({ helpfulMarks: 5, checkpointsPassed: 5 }), at).score;
    expect(helped).toBe(35);
    const reported = trustScore(facts({ helpfulMarks: 5, checkpointsPassed: 5, reportsUpheld: 1 }), at);
    expect(component(reported, 'reports')).toMatchObject({ value: 0.5, points: -20, count: 1 });
    expect(reported.score).toBe(15);
    expect(trustScore(facts({ reportsUpheld: 3 }), at).score).toBe(0);
  });

  it('counts tenure up to the reading instant, full at 90 days, closed stretches included', () => {
    const since = facts({ memberSince: '2026-11-07T00:00:00.000Z' });
    expect(tenureDaysAt(since, at)).toBe(30);
    expect(component(trustScore(since, at), 'tenure')).toMatchObject({
      value: 0.3333,
      count: 30,
      points: 10,
    });
    expect(trustScore(facts({ tenureDays: 60, memberSince: '2026-11-07T00:00:00.000Z' }), at).score).toBe(30);
    expect(trustScore(facts({ tenureDays: 400, memberSince: null }), at).score).toBe(30);
    // The same facts read later score higher through tenure alone.
    expect(trustScore(since, new Date('2026-12-22T00:00:00.000Z')).score).toBe(15);
  });

  it('approaches 100 without reaching it: saturating values stay below 1', () => {
    const everything = facts({ checkpointsPassed: 10_000, helpfulMarks: 10_000, tenureDays: 1_000 });
    expect(trustScore(everything, at).score).toBe(99.97);
    expect(trustScore(everything, at).score).toBeLessThanOrEqual(100);
  });

  it('overall trust counts mentorship sessions and their ratings', () => {
    const none = overallTrustScore(NO_TRUST_FACTS, at);
    expect(component(none, 'sessions')).toMatchObject({ weight: 30, value: 0 });
    const unrated = overallTrustScore(facts({ sessionsCompleted: 5 }), at);
    expect(component(unrated, 'sessions')?.value).toBe(0.25);
    const rated = overallTrustScore(facts({ sessionsCompleted: 5, ratingCount: 2, ratingSum: 10 }), at);
    // ½ × 5/10 + ½ × (2 × 4/4) / (2 + 2) = 0.25 + 0.25
    expect(component(rated, 'sessions')?.value).toBe(0.5);
    expect(rated.score).toBe(15);
    const poorly = overallTrustScore(facts({ sessionsCompleted: 5, ratingCount: 2, ratingSum: 2 }), at);
    expect(poorly.score).toBeLessThan(rated.score);
  });
});

describe('the base a reader adds tenure to', () => {
  it('is the score without tenure, unclamped, so base + tenure at any instant is the score', () => {
    const reported = facts({ reportsUpheld: 1, memberSince: '2026-11-07T00:00:00.000Z' });
    expect(trustBase(reported)).toBe(-20);
    const later = new Date('2027-03-07T00:00:00.000Z');
    expect(trustScore(reported, later).score).toBe(Math.max(0, trustBase(reported) + 30));
    const both = facts({ checkpointsPassed: 5, helpfulMarks: 5 });
    expect(trustBase(both)).toBe(35);
    expect(trustBase(facts({ sessionsCompleted: 5 }), OVERALL_TRUST_WEIGHTS)).toBe(7.5);
  });
});
