import { describe, expect, it } from 'vitest';
import { Channel } from '../../../src/api/subscriptions/channel.ts';

const value = (n: number) => ({ n });

describe('Channel', () => {
  it('hands values over in order, to a waiting consumer too', async () => {
    const channel = new Channel<{ n: number }>();
    const waiting = channel.next();
    channel.push(value(1));
    channel.push(value(2));
    expect(await waiting).toEqual({ value: value(1), done: false });
    expect(await channel.next()).toEqual({ value: value(2), done: false });
    expect(channel.lastTaken).toEqual(value(2));
  });

  it('stops its producer at once when the consumer returns, even while it waits', async () => {
    const channel = new Channel<{ n: number }>();
    const waiting = channel.next();
    await channel.return();
    expect(channel.signal.aborted).toBe(true);
    expect(await waiting).toEqual({ value: undefined, done: true });
  });

  it('ends with its parent signal (the connection)', () => {
    const connection = new AbortController();
    const channel = new Channel<{ n: number }>(connection.signal);
    connection.abort();
    expect(channel.signal.aborted).toBe(true);
  });

  it('drops what waits and gives the consumer the error on its next pull', async () => {
    const channel = new Channel<{ n: number }>();
    channel.push(value(1));
    const failure = new Error('too slow');
    channel.fail(failure);
    await expect(channel.next()).rejects.toBe(failure);
    expect(channel.failureDelivered).toBe(true);
    expect(await channel.next()).toEqual({ value: undefined, done: true });
  });

  it('makes a producer wait for room, and reports a consumer that takes nothing in time', async () => {
    const channel = new Channel<{ n: number }>();
    channel.push(value(1));
    channel.push(value(2));
    const room = channel.room(2);
    await channel.next();
    expect(await room).toBe(true);
    expect(await channel.room(1, 10)).toBe(false);
  });
});
