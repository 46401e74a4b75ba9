import type { RecordedEvent } from '../eventstore/port.ts';
import { applyEvents, ProjectionFailure } from './apply-events.ts';
import type { TouchedKey } from './batch-writer.ts';
import { batches } from './batches.ts';
import { announcementsOf } from './change-bus.ts';
import { lowest } from './lowest.ts';
import type { Projection } from './projection.ts';
import { type RunnerDeps, sleep } from './runner.ts';
import { advanceCheckpoints, type ProjectionStateRow, readStates, withTransaction } from './state.ts';

export interface GroupOptions {
  batchSize?: number;
  /**
   * A projection that handles nothing in a stretch of `$all` has its checkpoint written at most
   * this often (its position in memory moves with every batch). Until then a restart re-reads a
   * little: events it ignores anyway.
   */
  lazyCheckpointMs?: number;
  backoffMs?: number;
  maxBackoffMs?: number;
  /** Told of a projection that failed and left the group (it goes on alone, retrying). */
  onDetached?: (projection: Projection, failure: ProjectionFailure) => void;
}

interface Member {
  projection: Projection;
  /** The event types it handles; undefined for every type. */
  types: ReadonlySet<string> | undefined;
  generation: number;
  /** Checkpoint as stored: what the state row must still say when the next batch locks it. */
  stored: bigint;
  storedAt: number;
  /** How far it is known to be complete: `stored`, or further when the events since were not its. */
  position: bigint;
  /** Events of the current batch it handles, not yet applied. */
  pending: RecordedEvent[];
}

/**
 * One reader of `$all` for many projections. Each batch of events is applied, in one transaction,
 * to every projection that handles one of them (each in its own tables, each checkpoint moved with
 * its rows), so a batch costs one commit however many read models it touches, and none when it
 * touches none. The others' checkpoints move lazily.
 *
 * A projection whose apply fails leaves the group: `onDetached` hands it to a runner of its own
 * (retries with backoff, one event at a time), so it never holds the others back.
 */
export class GroupRunner {
  private readonly batchSize: number;
  private readonly lazyCheckpointMs: number;
  private readonly backoffMs: number;
  private readonly maxBackoffMs: number;
  private readonly projections = new Map<string, Projection>();
  private restart: AbortController | undefined;
  /** Batches and lazy checkpoint writes take turns. */
  private turn: Promise<unknown> = Promise.resolve();

  constructor(
    private readonly deps: RunnerDeps,
    projections: readonly Projection[],
    private readonly options: GroupOptions = {},
  ) {
    for (const projection of projections) this.projections.set(projection.name, projection);
    this.batchSize = options.batchSize ?? 500;
    this.lazyCheckpointMs = options.lazyCheckpointMs ?? 1000;
    this.backoffMs = options.backoffMs ?? 250;
    this.maxBackoffMs = options.maxBackoffMs ?? 30_000;
  }

  /** Adds a projection (one just rebuilt); the reader restarts from the lowest checkpoint. */
  add(projection: Projection): void {
    this.projections.set(projection.name, projection);
    this.restart?.abort();
  }

  async run(signal: AbortSignal): Promise<void> {
    let attempts = 0;
    while (!signal.aborted) {
      try {
        if (await this.follow(signal)) attempts = 0;
      } catch (error) {
        if (signal.aborted) return;
        if (error instanceof ProjectionFailure) {
          this.detach(error);
          continue;
        }
        attempts++;
        this.deps.log.error({ err: error, attempts }, 'projector batch failed; retrying');
        const delay = Math.min(this.maxBackoffMs, this.backoffMs * 2 ** (attempts - 1));
        await sleep(delay * (0.75 + Math.random() * 0.5), signal);
      }
    }
  }

  private detach(failure: ProjectionFailure): void {
    const projection = this.projections.get(failure.projection);
    if (!projection) throw failure;
    this.projections.delete(failure.projection);
    this.deps.log.error(
      { err: failure, projection: failure.projection, position: failure.position.toString() },
      'projection failed; it leaves the shared reader and retries alone',
    );
    this.options.onDetached?.(projection, failure);
  }

  /**
   * Follows `$all` until a stored state moved under a member (a rebuild swapped it in, another
   * process) or the member list changed; `run` then starts afresh from the stored states.
   */
  private async follow(signal: AbortSignal): Promise<boolean> {
    const members = await this.members();
    if (members.length === 0) {
      await this.waitForMembers(signal);
      return false;
    }
    const restart = new AbortController();
    this.restart = restart;
    const inner = AbortSignal.any([signal, restart.signal]);
    const from = lowest(
      members.map((m) => m.position),
      -1n,
    );
    let progressed = false;
    let moved = false;
    // While no batch comes, checkpoints that only passed over foreign events are still written.
    const lazy = setInterval(() => {
      void this.exclusive(() => this.writeDue(members, Date.now())).then(
        (ok) => {
          if (ok === false) {
            moved = true;
            restart.abort();
          }
        },
        (error: unknown) => this.deps.log.warn({ err: error }, 'could not write lazy checkpoints'),
      );
    }, this.lazyCheckpointMs);
    try {
      const events = this.deps.store.subscribeToAll({
        fromPosition: from < 0n ? 'start' : from,
        signal: inner,
      });
      for await (const batch of batches(events, this.batchSize, () => restart.abort())) {
        if (moved || !(await this.exclusive(() => this.applyBatch(members, batch)))) return progressed;
        progressed = true;
      }
      return progressed;
    } finally {
      clearInterval(lazy);
      restart.abort();
    }
  }

  private exclusive<T>(work: () => Promise<T>): Promise<T> {
    const result = this.turn.then(work);
    this.turn = result.catch(() => undefined);
    return result;
  }

  /** Live members as stored now: projections whose tables are this code's version. */
  private async members(): Promise<Member[]> {
    const states = await readStates(this.deps.pool, [...this.projections.keys()]);
    const now = Date.now();
    return states.flatMap((state) => {
      const projection = this.projections.get(state.name);
      if (!projection || !isLive(state, projection)) return [];
      const { generation, checkpoint } = state;
      const types = projection.eventTypes.includes('*') ? undefined : new Set(projection.eventTypes);
      return [
        {
          projection,
          types,
          generation,
          stored: checkpoint,
          storedAt: now,
          position: checkpoint,
          pending: [],
        },
      ];
    });
  }

  /**
   * Applies one batch; false when a member's stored state moved (the caller starts afresh).
   * Members that handle nothing in it only move in memory, and are written when due.
   */
  private async applyBatch(members: Member[], batch: RecordedEvent[]): Promise<boolean> {
    const last = batch.at(-1);
    if (!last) return true;
    for (const member of members) {
      member.pending = batch.filter(
        (e) => e.position > member.position && (member.types?.has(e.type) ?? true),
      );
      if (member.position < last.position) member.position = last.position;
    }
    return this.writeDue(members, Date.now());
  }

  /**
   * One transaction for every member with events to apply, and every member whose checkpoint
   * only passed over foreign events and is due to be written. False when a stored state moved.
   */
  private async writeDue(members: Member[], now: number): Promise<boolean> {
    const writing = members.filter(
      (m) => m.pending.length > 0 || (m.stored < m.position && now - m.storedAt >= this.lazyCheckpointMs),
    );
    if (writing.length === 0) return true;
    const touched = await this.commit(writing);
    if (!touched) return false;
    for (const member of writing) {
      member.stored = member.position;
      member.storedAt = now;
      member.pending = [];
    }
    await this.announce(touched);
    return true;
  }

  private commit(
    writing: Member[],
  ): Promise<Map<string, { keys: TouchedKey[]; position: bigint }> | undefined> {
    return withTransaction(
      this.deps.pool,
      async (client) => {
        const current = await readStates(
          client,
          writing.map((m) => m.projection.name),
          true,
        );
        for (const member of writing) {
          const state = current.find((s) => s.name === member.projection.name);
          const moved =
            !state ||
            state.generation !== member.generation ||
            state.checkpoint !== member.stored ||
            !isLive(state, member.projection);
          if (moved) return undefined;
        }
        const touched = new Map<string, { keys: TouchedKey[]; position: bigint }>();
        for (const member of writing) {
          if (member.pending.length === 0) continue;
          const keys = await applyEvents(client, member.projection, member.generation, member.pending);
          touched.set(member.projection.name, { keys, position: member.position });
        }
        for (const position of new Set(writing.map((m) => m.position))) {
          const names = writing.filter((m) => m.position === position).map((m) => m.projection.name);
          await advanceCheckpoints(client, names, position);
        }
        return touched;
      },
      { readModel: true },
    );
  }

  private async announce(touched: Map<string, { keys: TouchedKey[]; position: bigint }>): Promise<void> {
    for (const [projection, { keys, position }] of touched) {
      for (const change of announcementsOf(projection, position, keys)) await this.deps.bus.publish(change);
    }
  }

  private async waitForMembers(signal: AbortSignal): Promise<void> {
    const restart = new AbortController();
    this.restart = restart;
    await sleep(1000, AbortSignal.any([signal, restart.signal]));
  }
}

function isLive(state: ProjectionStateRow, projection: Projection): boolean {
  return state.codeVersion === projection.version && state.status !== 'rebuilding';
}
