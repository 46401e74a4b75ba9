import { DEFAULT_EVENT_STREAM_LIMITS, type EventStreamLimits } from '../events/event-subscription.ts';

export interface SubscriptionLimits extends EventStreamLimits {
  /** How often a connection's credentials are checked again even without a change notification. */
  recheckIntervalMs: number;
  /** A socket that sends no `connection_init` within this is closed with 4408. */
  connectionInitTimeoutMs: number;
  /** Open sockets per IP address (counted from the upgrade, before any credentials). */
  maxSocketsPerAddress: number;
  /** Authenticated sockets per user (an API key counts as its owner). */
  maxSocketsPerUser: number;
  /** Subscriptions open at once on one socket. */
  maxSubscriptionsPerSocket: number;
  /** `subscribe` messages per socket per minute. */
  subscribesPerMinute: number;
}

export const DEFAULT_SUBSCRIPTION_LIMITS: SubscriptionLimits = {
  ...DEFAULT_EVENT_STREAM_LIMITS,
  recheckIntervalMs: 30_000,
  // graphql-ws's own client sends connection_init at once; its server waits 3 s by default.
  connectionInitTimeoutMs: 5_000,
  maxSocketsPerAddress: 50,
  maxSocketsPerUser: 10,
  maxSubscriptionsPerSocket: 20,
  subscribesPerMinute: 120,
};

export function subscriptionLimits(overrides: Partial<SubscriptionLimits> = {}): SubscriptionLimits {
  return { ...DEFAULT_SUBSCRIPTION_LIMITS, ...overrides };
}
