import { describe, expect, it } from 'vitest';
import { batches } from '../../src/projections/batches.ts';

async function* ready(n: number) {
  for (let i = 0; i < n; i++) yield i;
}

async function* trickle(values: number[], delayMs: number) {
  for (const v of values) {
    await new Promise((r) => setTimeout(r, delayMs));
    yield v;
  }
}

async function collect<T>(source: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const item of source) out.push(item);
  return out;
}

describe('batches', () => {
  it('takes everything that is ready, up to the maximum', async () => {
    expect(await collect(batches(ready(7), 3, () => {}))).toEqual([[0, 1, 2], [3, 4, 5], [6]]);
  });

  it('yields as soon as the source would make it wait', async () => {
    expect(await collect(batches(trickle([1, 2, 3], 5), 100, () => {}))).toEqual([[1], [2], [3]]);
  });

  it('closes the source when the consumer stops early', async () => {
    let closed = false;
    async function* source() {
      try {
        for (let i = 0; ; i++) yield i;
      } finally {
        closed = true;
      }
    }
    for await (const batch of batches(source(), 4, () => {})) {
      expect(batch).toEqual([0, 1, 2, 3]);
      break;
    }
    expect(closed).toBe(true);
  });

  it('stops a live source before closing it, so a consumer that throws is not held by a pending read', async () => {
    // A live source: after its first values, the next read waits until it is stopped.
    const stopped = new AbortController();
    async function* live() {
      yield 1;
      yield 2;
      await new Promise((resolve) => stopped.signal.addEventListener('abort', resolve));
    }
    const consume = async () => {
      for await (const _batch of batches(live(), 10, () => stopped.abort())) throw new Error('cannot apply');
    };
    await expect(consume()).rejects.toThrow('cannot apply');
    expect(stopped.signal.aborted).toBe(true);
  });
});
