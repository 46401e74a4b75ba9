import { setImmediate } from 'node:timers/promises';

const IDLE = Symbol('idle');

/**
 * Groups a stream into batches: takes whatever is ready now (up to `max`) and yields as soon as
 * the source would make it wait. Catch-up yields full batches; live traffic yields small ones
 * without delay. Leaving early closes the source only after its pending read settles, so a
 * caller that stops a live source must abort it too (the runner does).
 */
export async function* batches<T>(source: AsyncIterable<T>, max: number): AsyncGenerator<T[]> {
  const iterator = source[Symbol.asyncIterator]();
  try {
    let pending = iterator.next();
    for (;;) {
      const first = await pending;
      if (first.done) return;
      const batch = [first.value];
      pending = iterator.next();
      let ended = false;
      while (batch.length < max) {
        const next = await Promise.race([pending, setImmediate(IDLE)]);
        if (next === IDLE) break;
        if (next.done) {
          ended = true;
          break;
        }
        batch.push(next.value);
        pending = iterator.next();
      }
      yield batch;
      if (ended) return;
    }
  } finally {
    await iterator.return?.();
  }
}
