import type pg from 'pg';
import { createEventCodec, type EventCodec } from '../commands/event-codec.ts';
import type { Config } from '../config.ts';
import { createEventStore } from '../eventstore/create-event-store.ts';
import type { EventStore } from '../eventstore/port.ts';
import { createPool } from '../infra/pg-pool.ts';
import type { Logger } from '../logger.ts';
import type { PersonalDataKeys } from '../privacy/personal-data-keys.ts';
import { PostgresPersonalDataKeys } from '../privacy/postgres-personal-data-keys.ts';
import { type Change, type ChangeBus, createChangeBus } from '../projections/change-bus.ts';
import { handles, type Projection } from '../projections/projection.ts';
import { createProjections } from '../projections/registry.ts';
import { waitForPosition } from '../projections/wait-for-position.ts';
import { createReplyChannel, type ReplyChannel } from '../services/mentorship/reply-channel.ts';

/**
 * The connections one process shares between its roles: in `chronicle dev` the projector and the
 * API use the same change bus, so a mutation hears at once that its events reached the read models.
 */
export interface Runtime {
  pool: pg.Pool;
  store: EventStore;
  bus: ChangeBus;
  /** The AI mentor's replies as they stream (Redis pub/sub with REDIS_URL; connects on first use). */
  replies: ReplyChannel;
  keys: PersonalDataKeys;
  codec: EventCodec;
  projections: readonly Projection[];
  close(): Promise<void>;
}

export async function openRuntime(config: Config, log: Logger, databaseUrl: string): Promise<Runtime> {
  const pool = createPool({ connectionString: databaseUrl, max: 10, connectionTimeoutMillis: 5_000 }, log);
  const store = createEventStore(config, databaseUrl, log);
  const bus = createChangeBus(config.REDIS_URL, log);
  const replies = createReplyChannel(config.REDIS_URL, log);
  const close = async () => {
    await Promise.allSettled([store.close(), bus.close(), replies.close()]);
    await pool.end();
  };
  try {
    const keys = new PostgresPersonalDataKeys(pool);
    const codec = createEventCodec(keys);
    return { pool, store, bus, replies, keys, codec, projections: createProjections({ codec }), close };
  } catch (error) {
    await close();
    throw error;
  }
}

/**
 * Read-your-writes for use cases: waits (bounded) until the named projections that handle one of
 * the command's event types have applied `position` (only those a context reads, so an unrelated
 * failing projection cannot stall it; and only those the events concern, since the others'
 * checkpoints move lazily). On timeout the caller goes on with a warning: its answer may be a
 * moment stale, never wrong.
 */
export function settleReadModels(
  runtime: Pick<Runtime, 'pool' | 'bus' | 'projections'>,
  log: Logger,
  options: {
    timeoutMs: number;
    projections: readonly string[];
    /**
     * Told of each read model a command was seen to reach (with the command's event types), before
     * the command's caller goes on.
     */
    reached?: (change: Change, eventTypes: readonly string[] | undefined) => void;
  },
) {
  const { timeoutMs } = options;
  const named = runtime.projections.filter((p) => options.projections.includes(p.name));
  return async (position: bigint, eventTypes?: readonly string[]): Promise<boolean> => {
    const projections = named
      .filter((p) => eventTypes === undefined || eventTypes.some((type) => handles(p, type)))
      .map((p) => p.name);
    if (projections.length === 0) return true;
    const reached = await waitForPosition(runtime.pool, runtime.bus, position, { timeoutMs, projections });
    if (!reached) {
      log.warn({ position: position.toString(), timeoutMs }, 'read models lag behind a command');
      return false;
    }
    // The keys are unknown here: `truncated` makes every watcher of these read models re-read.
    for (const projection of projections) {
      const change = { projection, position: position.toString(), keys: [], truncated: true };
      options.reached?.(change, eventTypes);
      runtime.bus.noteLocalChange(change);
    }
    return true;
  };
}
