import { describe, expect, inject, it } from 'vitest';
import { createLogger } from '../../src/logger.ts';
import { type Change, RedisChangeBus } from '../../src/projections/change-bus.ts';
import { freePort } from '../support/ports.ts';

const change = (position: string): Change => ({
  projection: 'ledger',
  position,
  keys: [{ table: 'ledger_accounts', key: { account: 'account-1' } }],
  truncated: false,
});

const next = (bus: RedisChangeBus) =>
  new Promise<Change>((resolve) => {
    const stop = bus.subscribe((c) => {
      stop();
      resolve(c);
    });
  });

describe('Redis change bus', () => {
  const redisUrl = inject('redisUrl');

  it.skipIf(!redisUrl)('delivers a change published by one process to a subscriber in another', async () => {
    const log = createLogger('silent');
    const publisher = new RedisChangeBus(redisUrl, log);
    const subscriber = new RedisChangeBus(redisUrl, log);
    try {
      await new Promise((r) => setTimeout(r, 300)); // both connected and subscribed
      const received = next(subscriber);
      await publisher.publish(change('42'));
      expect(await received).toEqual(change('42'));
    } finally {
      await publisher.close();
      await subscriber.close();
    }
  });

  it('delivers in-process while Redis cannot be reached', async () => {
    const bus = new RedisChangeBus(`redis://127.0.0.1:${await freePort()}`, createLogger('silent'));
    try {
      const received = next(bus);
      await bus.publish(change('7'));
      expect(await received).toEqual(change('7'));
    } finally {
      await bus.close();
    }
  });
});
