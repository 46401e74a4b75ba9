import { DEFAULT_EVENT_STREAM_LIMITS, type EventStreamLimits } from '../events/event-subscription.ts';

export interface SubscriptionLimits extends EventStreamLimits {
  /** How often a connection's credentials are checked again even without a change notification. */
  recheckIntervalMs: number;
}

export const DEFAULT_SUBSCRIPTION_LIMITS: SubscriptionLimits = {
  ...DEFAULT_EVENT_STREAM_LIMITS,
  recheckIntervalMs: 30_000,
};

export function subscriptionLimits(overrides: Partial<SubscriptionLimits> = {}): SubscriptionLimits {
  return { ...DEFAULT_SUBSCRIPTION_LIMITS, ...overrides };
}
