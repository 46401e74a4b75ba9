import type { ReadableSubscription } from '@eventstore/db-client';

const ABORTED = Symbol('aborted');

function abortion(signal: AbortSignal | undefined): { promise: Promise<typeof ABORTED>; dispose(): void } {
  if (!signal) return { promise: new Promise<never>(() => {}), dispose: () => {} };
  let onAbort = (): void => {};
  const promise = new Promise<typeof ABORTED>((resolve) => {
    onAbort = () => resolve(ABORTED);
    if (signal.aborted) resolve(ABORTED);
    else signal.addEventListener('abort', onAbort, { once: true });
  });
  return { promise, dispose: () => signal.removeEventListener('abort', onAbort) };
}

/**
 * Iterates a client subscription until it ends, the consumer stops, or `signal` aborts.
 *
 * The next item is only requested when the consumer asks for one, so a slow consumer leaves items
 * in the subscription's bounded readable buffer and gRPC flow control holds the server back.
 * Aborting cannot wait for the pending read (a live subscription may never produce one), so it
 * races it; cancelling the gRPC call and destroying the readable then settle that read.
 */
export async function* untilAborted<T>(
  subscription: ReadableSubscription<T>,
  signal?: AbortSignal,
): AsyncGenerator<T, void, undefined> {
  const iterator = subscription[Symbol.asyncIterator]();
  const aborted = abortion(signal);
  let pending: Promise<IteratorResult<T>> | undefined;
  try {
    while (true) {
      pending = iterator.next();
      const step = await Promise.race([pending, aborted.promise]);
      if (step === ABORTED) return;
      pending = undefined;
      if (step.done) return;
      yield step.value;
    }
  } finally {
    aborted.dispose();
    // Settles with ERR_STREAM_PREMATURE_CLOSE once the readable is destroyed below; nobody waits for it.
    pending?.catch(() => undefined);
    try {
      await subscription.unsubscribe();
    } catch {
      // Tearing down: whatever ended the subscription (if it failed) has already been thrown.
    }
    subscription.destroy();
  }
}
