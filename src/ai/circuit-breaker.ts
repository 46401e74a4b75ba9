/**
 * A circuit breaker in front of a remote dependency: after `failureThreshold` consecutive failures
 * it opens and refuses calls at once; after `coolDownMs` it lets one trial call through
 * (half-open), which closes it on success or opens it again for another cool-down on failure.
 * The clock is injected, so tests move time instead of waiting.
 */
export type CircuitState = 'closed' | 'open' | 'half_open';

export interface CircuitBreakerOptions {
  failureThreshold: number;
  coolDownMs: number;
  /** Milliseconds; `Date.now` unless a test injects its own. */
  now?: () => number;
  onStateChange?: (change: { from: CircuitState; to: CircuitState }) => void;
}

export class CircuitBreaker {
  readonly #threshold: number;
  readonly #coolDownMs: number;
  readonly #now: () => number;
  readonly #onStateChange: CircuitBreakerOptions['onStateChange'];
  #state: CircuitState = 'closed';
  #consecutiveFailures = 0;
  #openedAt = 0;
  #trialInFlight = false;

  constructor(options: CircuitBreakerOptions) {
    if (!Number.isInteger(options.failureThreshold) || options.failureThreshold < 1) {
      throw new RangeError('failureThreshold must be a positive integer');
    }
    if (!(options.coolDownMs >= 0)) throw new RangeError('coolDownMs must not be negative');
    this.#threshold = options.failureThreshold;
    this.#coolDownMs = options.coolDownMs;
    this.#now = options.now ?? Date.now;
    this.#onStateChange = options.onStateChange;
  }

  /** The state as of now: an open circuit whose cool-down has passed reads as half-open. */
  get state(): CircuitState {
    if (this.#state === 'open' && this.#now() - this.#openedAt >= this.#coolDownMs) return 'half_open';
    return this.#state;
  }

  get consecutiveFailures(): number {
    return this.#consecutiveFailures;
  }

  /** Milliseconds until an open circuit lets a trial call through (0 when it would now). */
  get retryInMs(): number {
    if (this.#state !== 'open') return 0;
    return Math.max(0, this.#openedAt + this.#coolDownMs - this.#now());
  }

  /**
   * Asks to make one call. True means go ahead, and the caller must then report the outcome with
   * `recordSuccess`, `recordFailure` or `release`; false means the circuit is open (or a half-open trial is
   * already in flight) and the call must not be made.
   */
  tryAcquire(): boolean {
    const state = this.state;
    if (state === 'closed') return true;
    if (state === 'open' || this.#trialInFlight) return false;
    this.#transition('half_open');
    this.#trialInFlight = true;
    return true;
  }

  recordSuccess(): void {
    this.#consecutiveFailures = 0;
    this.#trialInFlight = false;
    if (this.#state !== 'closed') this.#transition('closed');
  }

  recordFailure(): void {
    this.#consecutiveFailures += 1;
    const trialFailed = this.#state === 'half_open';
    this.#trialInFlight = false;
    if (trialFailed || (this.#state === 'closed' && this.#consecutiveFailures >= this.#threshold)) {
      this.#openedAt = this.#now();
      this.#transition('open');
    }
  }

  /**
   * The acquired call ended with neither outcome (the caller cancelled it): nothing is counted, and a
   * half-open circuit lets the next trial through.
   */
  release(): void {
    this.#trialInFlight = false;
  }

  #transition(to: CircuitState): void {
    const from = this.#state;
    this.#state = to;
    if (from !== to) this.#onStateChange?.({ from, to });
  }
}
