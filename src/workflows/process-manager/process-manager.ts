import type { Client } from '@temporalio/client';
import type pg from 'pg';
import type { EventCodec } from '../../commands/event-codec.ts';
import type { EventStore, RecordedEvent } from '../../eventstore/port.ts';
import type { Logger } from '../../logger.ts';
import { batches } from '../../projections/batches.ts';
import { ensureCheckpoint, NO_CHECKPOINT, readCheckpoint, saveCheckpoint } from './checkpoints.ts';
import { acquireLeadership } from './leadership.ts';
import { pause } from './pause.ts';
import { performAction } from './perform-action.ts';
import { describeAction, type RegisteredReaction } from './reaction.ts';
import { type ProcessManagerStatus, readStatus } from './status.ts';

export interface ProcessManagerDeps {
  store: EventStore;
  pool: pg.Pool;
  codec: Pick<EventCodec, 'decode'>;
  temporal: Client;
  log: Logger;
}

export interface ProcessManagerOptions {
  /** Names the checkpoint row and the leadership lock. */
  name?: string;
  /** Events read before the checkpoint is written (it is also written before each retry). */
  batchSize?: number;
  /** First retry delay after a failure; doubles per attempt up to maxBackoffMs. */
  backoffMs?: number;
  maxBackoffMs?: number;
  /** Bounds one Temporal call; a call that takes longer counts as failed and is retried. */
  callTimeoutMs?: number;
  /** How often a standby process manager tries to take over. */
  standbyRetryMs?: number;
}

export interface ProcessManager {
  readonly name: string;
  /** Resolves once the loop runs (as leader or standby); failures after that are retried, not thrown. */
  start(): Promise<void>;
  /** Stops reading and abandons Temporal calls in flight (they are idempotent: the next run repeats them). */
  stop(): Promise<void>;
  status(): Promise<ProcessManagerStatus>;
}

/** An event whose reactions could not be carried out; the checkpoint stays before it. */
export class ProcessManagerFailure extends Error {
  readonly code = 'PROCESS_MANAGER_EVENT_FAILED';
  constructor(
    readonly position: bigint,
    readonly step: string,
    options: { cause: unknown },
  ) {
    super(`${step} for the event at ${position} failed: ${messageOf(options.cause)}`, options);
  }
}

const DEFAULTS = {
  name: 'sagas',
  batchSize: 100,
  backoffMs: 250,
  maxBackoffMs: 30_000,
  callTimeoutMs: 10_000,
  standbyRetryMs: 5_000,
} satisfies Required<ProcessManagerOptions>;

/**
 * Turns events into Temporal calls: follows `$all` from its checkpoint, asks each reaction what an
 * event means (start a saga, signal one) and carries that out, then moves the checkpoint. A failure
 * stops it at that event and retries with backoff, never skipping; actions are idempotent, so
 * starting again from an older checkpoint repeats calls but not their effects.
 */
export function createProcessManager(
  deps: ProcessManagerDeps,
  reactions: readonly RegisteredReaction[],
  options: ProcessManagerOptions = {},
): ProcessManager {
  return new ReactingLoop(deps, reactions, { ...DEFAULTS, ...options });
}

type LoopState = ProcessManagerStatus['state'];

class ReactingLoop implements ProcessManager {
  readonly name: string;
  private readonly controller = new AbortController();
  private readonly byType = new Map<string, RegisteredReaction[]>();
  private readonly log: Logger;
  private running: Promise<void> | undefined;
  private state: LoopState = 'stopped';
  private failure: ProcessManagerStatus['failure'];

  constructor(
    private readonly deps: ProcessManagerDeps,
    reactions: readonly RegisteredReaction[],
    private readonly options: Required<ProcessManagerOptions>,
  ) {
    this.name = options.name;
    this.log = deps.log.child({ component: 'process-manager', processManager: options.name });
    for (const reaction of reactions) {
      for (const type of reaction.eventTypes) {
        this.byType.set(type, [...(this.byType.get(type) ?? []), reaction]);
      }
    }
  }

  private get eventTypes(): string[] {
    return [...this.byType.keys()];
  }

  async start(): Promise<void> {
    if (this.running || this.controller.signal.aborted) return;
    if (this.byType.size === 0) {
      // An empty filter would mean "every event": with nothing to react to, there is nothing to read.
      this.state = 'idle';
      this.log.info('no reactions registered; the process manager has nothing to do');
      return;
    }
    await ensureCheckpoint(this.deps.pool, this.name);
    this.state = 'standby';
    this.running = this.run(this.controller.signal).catch((error: unknown) => {
      this.log.fatal({ err: error }, 'process manager loop ended unexpectedly');
    });
    this.log.info({ eventTypes: this.eventTypes }, 'process manager started');
  }

  async stop(): Promise<void> {
    this.controller.abort();
    await this.running;
    this.state = 'stopped';
  }

  status(): Promise<ProcessManagerStatus> {
    return readStatus(this.deps, this.name, this.eventTypes, {
      state: this.state,
      ...(this.failure ? { failure: this.failure } : {}),
    });
  }

  private async run(signal: AbortSignal): Promise<void> {
    while (!signal.aborted) {
      const leadership = await acquireLeadership(this.deps.pool, this.name, {
        signal,
        retryMs: this.options.standbyRetryMs,
        heartbeatMs: 5_000,
        log: this.log,
      });
      if (!leadership) return;
      this.state = 'running';
      this.log.info('process manager is the active one');
      try {
        await this.followWithRetries(AbortSignal.any([signal, leadership.lost]));
      } finally {
        await leadership.release();
        if (!signal.aborted) this.state = 'standby';
      }
    }
  }

  private async followWithRetries(signal: AbortSignal): Promise<void> {
    while (!signal.aborted) {
      try {
        await this.follow(signal);
      } catch (error) {
        if (signal.aborted) return;
        // Counts since the last progress: `follow` clears the failure once it gets past it.
        const attempts = (this.failure?.attempts ?? 0) + 1;
        const position = error instanceof ProcessManagerFailure ? error.position : undefined;
        this.state = 'retrying';
        this.failure = {
          error: messageOf(error),
          attempts,
          since: this.failure?.since ?? new Date(),
          ...(position === undefined ? {} : { position }),
        };
        const delay = Math.min(this.options.maxBackoffMs, this.options.backoffMs * 2 ** (attempts - 1));
        this.log.error(
          { err: error, position: position?.toString(), attempts, retryInMs: Math.round(delay) },
          'process manager failed; retrying from its checkpoint',
        );
        await pause(delay * (0.75 + Math.random() * 0.5), signal);
        continue;
      }
      return;
    }
  }

  /** Reads from the checkpoint until stopped (returns) or an event fails (throws). */
  private async follow(signal: AbortSignal): Promise<void> {
    const { pool, store } = this.deps;
    let checkpoint = await readCheckpoint(pool, this.name);
    this.log.info({ checkpoint: checkpoint.toString() }, 'following events from the checkpoint');
    const inner = new AbortController();
    const stop = () => inner.abort();
    signal.addEventListener('abort', stop, { once: true });
    // A listener added to an already-aborted signal never fires.
    if (signal.aborted) inner.abort();
    try {
      const events = store.subscribeToAll({
        fromPosition: checkpoint === NO_CHECKPOINT ? 'start' : checkpoint,
        // Prefixes: the exact type is checked again per event.
        filter: { eventTypePrefixes: this.eventTypes },
        signal: inner.signal,
      });
      for await (const batch of batches(events, this.options.batchSize, () => inner.abort())) {
        let handled = checkpoint;
        try {
          for (const event of batch) {
            if (signal.aborted) break;
            await this.handle(event, signal);
            handled = event.position;
          }
        } catch (error) {
          // Keep what the batch achieved before the failing event, so the retry starts at it.
          if (handled !== checkpoint) await saveCheckpoint(pool, this.name, handled);
          if (signal.aborted) return;
          throw error;
        }
        if (handled !== checkpoint) {
          await saveCheckpoint(pool, this.name, handled);
          checkpoint = handled;
        }
        if (this.failure) {
          this.log.info({ checkpoint: checkpoint.toString() }, 'process manager recovered');
          this.failure = undefined;
          this.state = 'running';
        }
      }
    } finally {
      inner.abort();
      signal.removeEventListener('abort', stop);
    }
  }

  private async handle(event: RecordedEvent, signal: AbortSignal): Promise<void> {
    const reactions = this.byType.get(event.type) ?? [];
    const correlationId = event.metadata.correlationId;
    const log = this.log.child({
      eventId: event.id,
      eventType: event.type,
      position: event.position.toString(),
      ...(typeof correlationId === 'string' ? { correlationId } : {}),
    });
    for (const reaction of reactions) {
      const actions = await this.step(event, `reaction ${reaction.name}`, () =>
        reaction.actionsFor(event, this.deps.codec),
      );
      for (const action of actions) {
        await this.step(event, `${reaction.name}: ${describeAction(action)}`, () =>
          performAction(this.deps.temporal, action, event, {
            timeoutMs: this.options.callTimeoutMs,
            signal,
            log,
          }),
        );
      }
    }
  }

  private async step<T>(event: RecordedEvent, step: string, work: () => Promise<T>): Promise<T> {
    try {
      return await work();
    } catch (error) {
      throw new ProcessManagerFailure(event.position, step, { cause: error });
    }
  }
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
