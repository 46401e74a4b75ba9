import type { RetrySettings } from '../publishing/settings.ts';

/** The longest `Retry-After` honoured: a receiver cannot park a stream for longer. */
export const RETRY_AFTER_CAP_MS = 600_000;

/**
 * How long to wait before an event's next attempt after its `attempt`-th failed: the receiver's
 * `Retry-After` when it gave one (capped), otherwise the exponential backoff of the delivery
 * settings (initial interval doubling up to the maximum). Counted per event, so an event that
 * follows a slow one starts again at the initial interval. Pure: the activity computes it.
 */
export function deliveryRetryDelayMs(
  settings: Pick<RetrySettings, 'initialIntervalMs' | 'backoffCoefficient' | 'maximumIntervalMs'>,
  attempt: number,
  retryAfterMs?: number,
): number {
  if (retryAfterMs !== undefined && retryAfterMs > 0) return Math.min(retryAfterMs, RETRY_AFTER_CAP_MS);
  const backoff = settings.initialIntervalMs * settings.backoffCoefficient ** Math.max(0, attempt - 1);
  return Math.min(backoff, settings.maximumIntervalMs);
}
