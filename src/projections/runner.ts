import type pg from 'pg';
import type { EventStore, RecordedEvent } from '../eventstore/port.ts';
import type { Logger } from '../logger.ts';
import { applyEvents, ProjectionFailure } from './apply-events.ts';
import type { TouchedKey } from './batch-writer.ts';
import { batches } from './batches.ts';
import { announcementsOf, type ChangeBus } from './change-bus.ts';
import type { Projection } from './projection.ts';
import { advanceCheckpoint, readState, recordFailure, withTransaction } from './state.ts';

export interface RunnerDeps {
  store: EventStore;
  pool: pg.Pool;
  bus: ChangeBus;
  log: Logger;
}

export interface RunnerOptions {
  batchSize?: number;
  /** First retry delay after a failure; doubles per attempt up to maxBackoffMs. */
  backoffMs?: number;
  maxBackoffMs?: number;
}

/**
 * Keeps one projection live: follows `$all` from its checkpoint and applies each batch in one
 * transaction that also moves the checkpoint. A failing event stops this projection only; it is
 * retried with backoff, one event per batch so the failure names the exact event.
 */
export class ProjectionRunner {
  private readonly batchSize: number;
  private readonly backoffMs: number;
  private readonly maxBackoffMs: number;
  /** After a failure: go one event at a time until past this position. */
  private carefulUntil: bigint | undefined;

  constructor(
    private readonly deps: RunnerDeps,
    private readonly projection: Projection,
    options: RunnerOptions = {},
  ) {
    this.batchSize = options.batchSize ?? 500;
    this.backoffMs = options.backoffMs ?? 250;
    this.maxBackoffMs = options.maxBackoffMs ?? 30_000;
  }

  async run(signal: AbortSignal): Promise<void> {
    const log = this.deps.log.child({ projection: this.projection.name });
    let attempts = 0;
    while (!signal.aborted) {
      try {
        const progressed = await this.follow(signal);
        if (progressed) attempts = 0;
      } catch (error) {
        if (signal.aborted) return;
        attempts++;
        const position = error instanceof ProjectionFailure ? error.position : undefined;
        this.carefulUntil = position;
        log.error({ err: error, position: position?.toString(), attempts }, 'projection failed; retrying');
        await recordFailure(this.deps.pool, this.projection.name, messageOf(error), position).catch((e) =>
          log.error({ err: e }, 'could not record the projection failure'),
        );
        const delay = Math.min(this.maxBackoffMs, this.backoffMs * 2 ** (attempts - 1));
        await sleep(delay * (0.75 + Math.random() * 0.5), signal);
      }
    }
  }

  /** Returns when the stored state moved under it (a swap, another process) so `run` starts afresh. */
  private async follow(signal: AbortSignal): Promise<boolean> {
    const { pool, store, bus } = this.deps;
    const name = this.projection.name;
    const state = await readState(pool, name);
    if (!state) throw new Error(`Projection ${name} has no state: prepare it before running it`);
    if (state.codeVersion !== this.projection.version) {
      throw new Error(
        `Projection ${name}: tables are version ${state.codeVersion}, code is ${this.projection.version}`,
      );
    }
    const { generation } = state;
    let checkpoint = state.checkpoint;
    let progressed = false;
    const careful = this.carefulUntil !== undefined && this.carefulUntil > checkpoint;
    const inner = new AbortController();
    const stop = () => inner.abort();
    signal.addEventListener('abort', stop, { once: true });
    // A listener added to an already-aborted signal never fires.
    if (signal.aborted) inner.abort();
    try {
      const events = store.subscribeToAll({
        fromPosition: checkpoint < 0n ? 'start' : checkpoint,
        signal: inner.signal,
      });
      for await (const batch of batches(events, careful ? 1 : this.batchSize, () => inner.abort())) {
        const last = batch.at(-1);
        if (!last) continue;
        const touched = await this.applyBatch(batch, generation, checkpoint);
        if (!touched) return progressed;
        checkpoint = last.position;
        progressed = true;
        for (const change of announcementsOf(name, checkpoint, touched)) await bus.publish(change);
        if (careful && this.carefulUntil !== undefined && checkpoint >= this.carefulUntil) {
          // Past the event that failed: back to full batches.
          this.carefulUntil = undefined;
          return progressed;
        }
      }
      return progressed;
    } finally {
      inner.abort();
      signal.removeEventListener('abort', stop);
    }
  }

  /**
   * One batch, one transaction: lock the state row, check nothing moved it since we read it, apply,
   * move the checkpoint. Returns the keys written, or undefined when the state moved.
   */
  private applyBatch(
    batch: RecordedEvent[],
    generation: number,
    checkpoint: bigint,
  ): Promise<TouchedKey[] | undefined> {
    const name = this.projection.name;
    const last = batch.at(-1);
    return withTransaction(
      this.deps.pool,
      async (client) => {
        const current = await readState(client, name, true);
        const moved =
          !last ||
          !current ||
          current.generation !== generation ||
          current.checkpoint !== checkpoint ||
          current.codeVersion !== this.projection.version;
        if (moved) return undefined;
        const keys = await applyEvents(client, this.projection, generation, batch);
        await advanceCheckpoint(client, name, last.position);
        return keys;
      },
      { readModel: true },
    );
  }
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(done, ms);
    function done() {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    }
    signal?.addEventListener('abort', done, { once: true });
    if (signal?.aborted) done();
  });
}
