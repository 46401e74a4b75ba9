import { describe, expect, it } from 'vitest';
import { deliveryRetryDelayMs, RETRY_AFTER_CAP_MS } from '../../../src/workflows/webhooks/retry-delay.ts';
import { DEFAULT_EVENT_WEBHOOK_SETTINGS } from '../../../src/workflows/webhooks/settings.ts';

const delivery = DEFAULT_EVENT_WEBHOOK_SETTINGS.delivery;

describe('the wait before an event’s next delivery attempt', () => {
  it('doubles from the initial interval per failed attempt of that event, up to the maximum', () => {
    expect([1, 2, 3, 4, 9, 12].map((attempt) => deliveryRetryDelayMs(delivery, attempt))).toEqual([
      1_000, 2_000, 4_000, 8_000, 256_000, 300_000,
    ]);
  });

  it('honours the receiver’s Retry-After instead, up to ten minutes', () => {
    expect(deliveryRetryDelayMs(delivery, 5, 30_000)).toBe(30_000);
    expect(deliveryRetryDelayMs(delivery, 1, 3_600_000)).toBe(RETRY_AFTER_CAP_MS);
    expect(RETRY_AFTER_CAP_MS).toBe(600_000);
  });
});
