import { describe, expect, it } from 'vitest';
import { backoffDelay, retryAfterMs } from '../../src/ai/backoff.ts';

describe('retry timing', () => {
  const options = (random: number) => ({ baseDelayMs: 100, maxDelayMs: 1_000, random: () => random });

  it('doubles the delay per retry up to the cap, with half of it jittered', () => {
    expect([1, 2, 3, 4, 5].map((retry) => backoffDelay(retry, options(1)))).toEqual([
      100, 200, 400, 800, 1_000,
    ]);
    expect([1, 2, 3, 4, 5].map((retry) => backoffDelay(retry, options(0)))).toEqual([50, 100, 200, 400, 500]);
  });

  it('reads Retry-After in seconds or as a date, and OpenAI’s retry-after-ms first', () => {
    const now = Date.parse('2024-11-23T10:00:00Z');
    expect(retryAfterMs(new Headers({ 'retry-after': '2' }), now)).toBe(2_000);
    expect(retryAfterMs(new Headers({ 'retry-after': '0.5' }), now)).toBe(500);
    expect(retryAfterMs(new Headers({ 'retry-after': 'Sat, 23 Nov 2024 10:00:03 GMT' }), now)).toBe(3_000);
    expect(retryAfterMs(new Headers({ 'retry-after-ms': '250', 'retry-after': '9' }), now)).toBe(250);
    expect(retryAfterMs(new Headers({ 'retry-after': 'soon' }), now)).toBeUndefined();
    expect(retryAfterMs(new Headers(), now)).toBeUndefined();
    expect(retryAfterMs(undefined, now)).toBeUndefined();
  });
});
