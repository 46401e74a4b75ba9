import { describe, expect, it } from 'vitest';
import { FailedSignInCost } from '../../../src/services/identity/sign-in-timing.ts';

describe('the cost of recording a failed sign-in', () => {
  it('waits the initial guess until a failure has been recorded', () => {
    expect(new FailedSignInCost(4, 12).draw()).toBe(12);
  });

  it('draws one of the recent durations, each as likely as the others', () => {
    const cost = new FailedSignInCost(4, 12);
    for (const ms of [3, 5, 8]) cost.observe(ms);
    expect([0, 0.34, 0.67, 0.99].map((r) => cost.draw(() => r))).toEqual([3, 5, 8, 8]);
  });

  it('keeps only the most recent durations, so the wait follows the database as it slows down', () => {
    const cost = new FailedSignInCost(3, 12);
    for (const ms of [1, 2, 3, 40, 50, 60]) cost.observe(ms);
    const drawn = new Set([0, 0.4, 0.8].map((r) => cost.draw(() => r)));
    expect(drawn).toEqual(new Set([40, 50, 60]));
  });

  it('ignores durations that are not durations', () => {
    const cost = new FailedSignInCost(3, 12);
    cost.observe(Number.NaN);
    cost.observe(-1);
    cost.observe(Number.POSITIVE_INFINITY);
    expect(cost.draw()).toBe(12);
  });
});
