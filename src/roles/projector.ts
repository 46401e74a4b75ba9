import pg from 'pg';
import { type Config, ConfigError } from '../config.ts';
import { createEventStore } from '../eventstore/create-event-store.ts';
import type { Logger } from '../logger.ts';
import { createChangeBus } from '../projections/change-bus.ts';
import { Projector } from '../projections/projector.ts';
import { projections } from '../projections/registry.ts';
import { Lifecycle } from './lifecycle.ts';

export interface RunningProjector {
  close(): Promise<void>;
}

/** Starts every registered projection against `databaseUrl` (and the configured event store). */
export async function startProjector(
  config: Config,
  log: Logger,
  databaseUrl: string,
): Promise<RunningProjector> {
  const projectorLog = log.child({ component: 'projector' });
  const store = createEventStore(config, databaseUrl, projectorLog);
  const pool = new pg.Pool({ connectionString: databaseUrl, max: 10 });
  pool.on('error', (error) => projectorLog.warn({ err: error }, 'idle PostgreSQL connection failed'));
  const bus = createChangeBus(config.REDIS_URL, projectorLog);
  const projector = new Projector({ store, pool, bus, log: projectorLog }, projections);
  try {
    await projector.start();
  } catch (error) {
    await Promise.allSettled([store.close(), pool.end(), bus.close()]);
    throw error;
  }
  return {
    async close() {
      await projector.stop();
      await Promise.allSettled([store.close(), pool.end(), bus.close()]);
    },
  };
}

/** `chronicle projector`: the projector alone, against DATABASE_URL. */
export async function runProjector(config: Config, log: Logger): Promise<number> {
  const databaseUrl = config.DATABASE_URL;
  if (!databaseUrl)
    throw new ConfigError([{ variable: 'DATABASE_URL', message: 'is required for the projector role' }]);
  const lifecycle = new Lifecycle(log);
  lifecycle.handleSignals();
  try {
    const projector = await startProjector(config, log, databaseUrl);
    await lifecycle.own('projector', projector.close);
  } catch (error) {
    log.error({ err: error }, 'projector failed to start');
    await lifecycle.shutdown();
    return 1;
  }
  await lifecycle.stopped;
  return 0;
}
