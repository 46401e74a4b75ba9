import { PassThrough } from 'node:stream';
import type { ReadableSubscription } from '@eventstore/db-client';
import { describe, expect, it } from 'vitest';
import { untilAborted } from '../../src/eventstore/eventstoredb-subscription.ts';

/** Stands in for the client's Subscription: an object-mode readable whose gRPC call can be cancelled. */
class FakeSubscription extends PassThrough implements ReadableSubscription<number> {
  id?: string;
  unsubscribed = 0;

  constructor() {
    super({ objectMode: true, highWaterMark: 4 });
  }

  async unsubscribe(): Promise<void> {
    this.unsubscribed += 1;
  }
}

describe('iterating a subscription until aborted', () => {
  it('yields items in order and ends when the subscription ends', async () => {
    const subscription = new FakeSubscription();
    subscription.write(1);
    subscription.write(2);
    subscription.end();
    const seen: number[] = [];
    for await (const item of untilAborted(subscription)) seen.push(item);
    expect(seen).toEqual([1, 2]);
    expect(subscription.unsubscribed).toBe(1);
    expect(subscription.destroyed).toBe(true);
  });

  it('ends a live subscription that is waiting for its next item when the signal aborts', async () => {
    const subscription = new FakeSubscription();
    const controller = new AbortController();
    subscription.write(1);
    const seen: number[] = [];
    const consumed = (async () => {
      for await (const item of untilAborted(subscription, controller.signal)) seen.push(item);
    })();
    await new Promise((resolve) => setTimeout(resolve, 20));
    controller.abort();
    await consumed;
    expect(seen).toEqual([1]);
    expect(subscription.unsubscribed).toBe(1);
    expect(subscription.destroyed).toBe(true);
  });

  it('yields nothing when the signal is already aborted', async () => {
    const subscription = new FakeSubscription();
    subscription.write(1);
    const controller = new AbortController();
    controller.abort();
    const seen: number[] = [];
    for await (const item of untilAborted(subscription, controller.signal)) seen.push(item);
    expect(seen).toEqual([]);
    expect(subscription.destroyed).toBe(true);
  });

  it('unsubscribes when the consumer stops early', async () => {
    const subscription = new FakeSubscription();
    for (const n of [1, 2, 3]) subscription.write(n);
    for await (const item of untilAborted(subscription)) if (item === 2) break;
    expect(subscription.unsubscribed).toBe(1);
    expect(subscription.destroyed).toBe(true);
  });

  it('leaves unread items with the producer while the consumer is busy', async () => {
    const subscription = new FakeSubscription();
    const iterator = untilAborted(subscription)[Symbol.asyncIterator]();
    const accepted = Array.from({ length: 20 }, (_, n) => subscription.write(n));
    expect((await iterator.next()).value).toBe(0);
    // The buffer fills to its high-water mark and then tells the producer to wait.
    expect(accepted.includes(false)).toBe(true);
    expect(subscription.readableLength).toBeGreaterThan(0);
    await iterator.return(undefined);
  });

  it('passes on the error that ended the subscription', async () => {
    const subscription = new FakeSubscription();
    setTimeout(() => subscription.destroy(new Error('server went away')), 10);
    await expect(async () => {
      for await (const _ of untilAborted(subscription)) {
        // nothing arrives before the failure
      }
    }).rejects.toThrow('server went away');
  });
});
