import { setImmediate } from 'node:timers/promises';

const IDLE = Symbol('idle');

/**
 * Groups a stream into batches: takes whatever is ready now (up to `max`) and yields as soon as
 * the source would make it wait. Catch-up yields full batches; live traffic yields small ones
 * without delay. A read is always pending while the caller holds a batch, and closing the source
 * waits for it; on a live source that read only ends when new events come or the source is
 * aborted. So a caller that leaves early (a break, a return, a throw) must say how to stop the
 * source: `stop` is called first, whatever way the loop was left.
 */
export async function* batches<T>(
  source: AsyncIterable<T>,
  max: number,
  stop: () => void,
): AsyncGenerator<T[]> {
  const iterator = source[Symbol.asyncIterator]();
  let pending: Promise<IteratorResult<T>> | undefined;
  try {
    pending = iterator.next();
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
    // The read left pending may still fail (the pool closing, say): nobody awaits it any more.
    pending?.catch(() => undefined);
    stop();
    await iterator.return?.();
  }
}
