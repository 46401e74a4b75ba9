import { Gauge, type Registry } from 'prom-client';

/**
 * Open GraphQL subscriptions in this process, over any transport (WebSocket, SSE). A plain
 * counter rather than a gauge held here, because the transports call it without access to the
 * app's registry; `registerSubscriptionMetrics` exposes it on the registry that /metrics serves.
 */
let open = 0;

/** Call once when a subscription starts streaming to a client. */
export function subscriptionOpened(): void {
  open += 1;
}

/** Call once when that subscription ends, however it ends (completed, client gone, server closing). */
export function subscriptionClosed(): void {
  // Never below zero: a transport that reports one close too many must not show a negative count.
  open = Math.max(0, open - 1);
}

/** `chronicle_subscriptions_open`, read on every scrape. */
export function registerSubscriptionMetrics(registry: Registry): void {
  new Gauge({
    name: 'chronicle_subscriptions_open',
    help: 'GraphQL subscriptions currently open in this process',
    registers: [registry],
    collect() {
      this.set(open);
    },
  });
}
