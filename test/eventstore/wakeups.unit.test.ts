import type pg from 'pg';
import { describe, expect, it } from 'vitest';
import { Wakeups } from '../../src/eventstore/postgres/wakeups.ts';
import { createLogger } from '../../src/logger.ts';

describe('subscription wake-ups', () => {
  // No connection string: nothing listens, only this process's appends wake.
  const wakeups = () => new Wakeups({} as pg.Pool, undefined, createLogger('silent'));

  it('does not lose a wake-up that came while the reader was busy with its last page', async () => {
    const w = wakeups();
    const mark = w.mark();
    // An append commits while the reader is still handing out what it read.
    (w as unknown as { wakeAll(): void }).wakeAll();
    const started = performance.now();
    await w.wait(5_000, undefined, mark);
    expect(performance.now() - started).toBeLessThan(100);
    await w.close();
  });

  it('waits for the next one when nothing came since the mark', async () => {
    const w = wakeups();
    const mark = w.mark();
    const waiting = w.wait(5_000, undefined, mark);
    let woke = false;
    void waiting.then(() => {
      woke = true;
    });
    await new Promise((r) => setTimeout(r, 50));
    expect(woke).toBe(false);
    (w as unknown as { wakeAll(): void }).wakeAll();
    await waiting;
    expect(woke).toBe(true);
    await w.close();
  });
});
