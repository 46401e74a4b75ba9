/**
 * A failed sign-in on a real account does more than one on an unknown address: it reads the user's
 * stream and appends `LoginFailed` (the password check itself costs both the same, see
 * `verifyAgainstDummy`). That work cannot be done for an unknown address (there is no stream to
 * read, and writing one per guessed address would let anyone fill the event store), so an unknown
 * address waits instead, as long as that work has lately taken here.
 *
 * The wait is one of the recent durations drawn at random, not their mean: the two answers then
 * vary alike, and both slow down together when the database does.
 */
export class FailedSignInCost {
  readonly #samples: number[] = [];
  #next = 0;

  constructor(
    /** How many recent durations are kept. */
    private readonly capacity = 32,
    /** The wait before any failure was recorded in this process: a typical read and append. */
    private readonly initialMs = 10,
  ) {}

  /** How long the work after the password check took for a failed sign-in on a real account. */
  observe(milliseconds: number): void {
    if (!Number.isFinite(milliseconds) || milliseconds < 0) return;
    this.#samples[this.#next] = milliseconds;
    this.#next = (this.#next + 1) % this.capacity;
  }

  /** How long an unknown address waits after its password check: one of the recent durations. */
  draw(random: () => number = Math.random): number {
    if (this.#samples.length === 0) return this.initialMs;
    return this.#samples[Math.floor(random() * this.#samples.length)] ?? this.initialMs;
  }
}

/** One per process: every sign-in here measures the same database. */
export const failedSignInCost = new FailedSignInCost();
