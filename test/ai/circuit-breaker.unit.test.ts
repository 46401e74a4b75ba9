import { describe, expect, it } from 'vitest';
import { CircuitBreaker, type CircuitState } from '../../src/ai/circuit-breaker.ts';

function breakerWithClock(failureThreshold = 3, coolDownMs = 10_000) {
  const clock = { now: 1_000_000 };
  const changes: Array<{ from: CircuitState; to: CircuitState }> = [];
  const breaker = new CircuitBreaker({
    failureThreshold,
    coolDownMs,
    now: () => clock.now,
    onStateChange: (change) => changes.push(change),
  });
  const fail = (times: number) => {
    for (let i = 0; i < times; i++) {
      expect(breaker.tryAcquire()).toBe(true);
      breaker.recordFailure();
    }
  };
  return { breaker, clock, changes, fail };
}

describe('circuit breaker', () => {
  it('stays closed while failures stay below the threshold', () => {
    const { breaker, fail } = breakerWithClock(3);
    fail(2);
    expect(breaker.state).toBe('closed');
    expect(breaker.consecutiveFailures).toBe(2);
    expect(breaker.tryAcquire()).toBe(true);
  });

  it('counts only consecutive failures: a success starts the count again', () => {
    const { breaker, fail } = breakerWithClock(3);
    fail(2);
    expect(breaker.tryAcquire()).toBe(true);
    breaker.recordSuccess();
    fail(2);
    expect(breaker.state).toBe('closed');
  });

  it('opens after N consecutive failures and refuses calls until the cool-down has passed', () => {
    const { breaker, clock, changes, fail } = breakerWithClock(3, 10_000);
    fail(3);
    expect(breaker.state).toBe('open');
    expect(changes).toEqual([{ from: 'closed', to: 'open' }]);
    expect(breaker.tryAcquire()).toBe(false);
    expect(breaker.retryInMs).toBe(10_000);

    clock.now += 9_999;
    expect(breaker.tryAcquire()).toBe(false);
    expect(breaker.retryInMs).toBe(1);
  });

  it('half-opens after the cool-down and lets exactly one trial call through', () => {
    const { breaker, clock, fail } = breakerWithClock(3, 10_000);
    fail(3);
    clock.now += 10_000;
    expect(breaker.state).toBe('half_open');
    expect(breaker.tryAcquire()).toBe(true);
    // A second caller while the trial is in flight is refused.
    expect(breaker.tryAcquire()).toBe(false);
  });

  it('closes when the trial call succeeds', () => {
    const { breaker, clock, changes, fail } = breakerWithClock(2, 5_000);
    fail(2);
    clock.now += 5_000;
    expect(breaker.tryAcquire()).toBe(true);
    breaker.recordSuccess();
    expect(breaker.state).toBe('closed');
    expect(breaker.consecutiveFailures).toBe(0);
    expect(changes.map((c) => c.to)).toEqual(['open', 'half_open', 'closed']);
  });

  it('opens again for a whole cool-down when the trial call fails', () => {
    const { breaker, clock, fail } = breakerWithClock(2, 5_000);
    fail(2);
    clock.now += 5_000;
    expect(breaker.tryAcquire()).toBe(true);
    breaker.recordFailure();
    expect(breaker.state).toBe('open');
    expect(breaker.retryInMs).toBe(5_000);
    clock.now += 4_000;
    expect(breaker.tryAcquire()).toBe(false);
  });

  it('lets the next trial through when a half-open trial is released without an outcome', () => {
    const { breaker, clock, fail } = breakerWithClock(1, 1_000);
    fail(1);
    clock.now += 1_000;
    expect(breaker.tryAcquire()).toBe(true);
    breaker.release();
    expect(breaker.tryAcquire()).toBe(true);
  });

  it('refuses a threshold below one', () => {
    expect(() => new CircuitBreaker({ failureThreshold: 0, coolDownMs: 1 })).toThrow(RangeError);
  });
});
