import { subscriptionClosed, subscriptionOpened } from '../metrics/subscriptions.ts';
import type { Channel } from './channel.ts';

/** Counts the subscription in `chronicle_subscriptions_open` until its channel ends, however it ends. */
export function counted<T extends object>(channel: Channel<T>): Channel<T> {
  if (channel.signal.aborted) return channel;
  subscriptionOpened();
  channel.signal.addEventListener('abort', subscriptionClosed, { once: true });
  return channel;
}
