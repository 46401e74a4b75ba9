/**
 * The source of one GraphQL subscription: a producer pushes, GraphQL pulls. Unlike an async
 * generator, `return()` takes effect at once even while the consumer waits, so completing a
 * subscription stops its producer (through `signal`) without waiting for the next value.
 */
export class Channel<T extends object> implements AsyncIterableIterator<T> {
  private readonly queue: T[] = [];
  private readonly stop = new AbortController();
  private failure: { error: unknown } | undefined;
  private waiting: ((result: IteratorResult<T>) => void) | undefined;
  private rejecting: ((error: unknown) => void) | undefined;
  private roomWaiters: (() => void)[] = [];
  private taken: T | undefined;
  private failureTaken = false;

  /** Ends with the connection too (mercurius ends its subscriptions when the socket closes). */
  constructor(parent?: AbortSignal) {
    if (parent?.aborted) {
      this.end();
      return;
    }
    if (!parent) return;
    // Removed again when the channel ends: one socket may open and complete many subscriptions.
    const endWithParent = () => this.end();
    parent.addEventListener('abort', endWithParent, { once: true });
    this.stop.signal.addEventListener('abort', () => parent.removeEventListener('abort', endWithParent), {
      once: true,
    });
  }

  /** Aborted once the consumer left or the channel ended: producers stop reading with it. */
  get signal(): AbortSignal {
    return this.stop.signal;
  }

  /** The value the consumer took last (handed on towards the client). */
  get lastTaken(): T | undefined {
    return this.taken;
  }

  /** Whether the consumer pulled the error given to `fail` (so it is on its way to the client). */
  get failureDelivered(): boolean {
    return this.failureTaken;
  }

  /** Values pushed and not yet taken. */
  get size(): number {
    return this.queue.length;
  }

  push(value: T): void {
    if (this.stop.signal.aborted) return;
    const waiting = this.waiting;
    if (waiting) {
      this.clearWaiting();
      this.taken = value;
      waiting({ value, done: false });
    } else {
      this.queue.push(value);
    }
  }

  /** The consumer receives the values already taken, then `error` on its next pull. */
  fail(error: unknown): void {
    if (this.stop.signal.aborted) return;
    this.queue.length = 0;
    this.failure = { error };
    const rejecting = this.rejecting;
    this.clearWaiting();
    if (rejecting) {
      this.failure = undefined;
      this.failureTaken = true;
      rejecting(error);
    }
    this.finish();
  }

  end(): void {
    if (this.stop.signal.aborted) return;
    const waiting = this.waiting;
    this.clearWaiting();
    waiting?.({ value: undefined, done: true });
    this.finish();
  }

  /**
   * Backpressure for producers: resolves true once fewer than `limit` values wait (or the channel
   * ended), false if the consumer took nothing for `timeoutMs` (when given) while it was full.
   */
  async room(limit: number, timeoutMs?: number): Promise<boolean> {
    while (this.queue.length >= limit && !this.stop.signal.aborted) {
      let timer: NodeJS.Timeout | undefined;
      const took = await new Promise<boolean>((resolve) => {
        this.roomWaiters.push(() => resolve(true));
        if (timeoutMs !== undefined) timer = setTimeout(() => resolve(false), timeoutMs);
      });
      clearTimeout(timer);
      if (!took) return false;
    }
    return true;
  }

  next(): Promise<IteratorResult<T>> {
    const value = this.queue.shift();
    if (value !== undefined) {
      this.taken = value;
      this.wakeProducers();
      return Promise.resolve({ value, done: false });
    }
    if (this.failure) {
      const { error } = this.failure;
      this.failure = undefined;
      this.failureTaken = true;
      return Promise.reject(error);
    }
    if (this.stop.signal.aborted) return Promise.resolve({ value: undefined, done: true });
    this.wakeProducers();
    return new Promise((resolve, reject) => {
      this.waiting = resolve;
      this.rejecting = reject;
    });
  }

  return(): Promise<IteratorResult<T>> {
    this.queue.length = 0;
    this.failure = undefined;
    this.end();
    return Promise.resolve({ value: undefined, done: true });
  }

  [Symbol.asyncIterator](): AsyncIterableIterator<T> {
    return this;
  }

  private clearWaiting(): void {
    this.waiting = undefined;
    this.rejecting = undefined;
  }

  private finish(): void {
    this.stop.abort();
    this.wakeProducers();
  }

  private wakeProducers(): void {
    const waiters = this.roomWaiters;
    this.roomWaiters = [];
    for (const wake of waiters) wake();
  }
}
