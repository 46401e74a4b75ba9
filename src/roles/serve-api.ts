import pg from 'pg';
import { collectDefaultMetrics, Registry } from 'prom-client';
import { buildApp } from '../api/app.ts';
import { postgresCheck, temporalCheck } from '../api/dependency-checks.ts';
import { packageVersion } from '../api/package-version.ts';
import type { Config } from '../config.ts';
import { createEventStore } from '../eventstore/create-event-store.ts';
import type { Logger } from '../logger.ts';
import { registerProjectionMetrics } from '../projections/metrics.ts';
import { projections } from '../projections/registry.ts';
import { projectionStatuses } from '../projections/status.ts';

export interface ServeApiOptions {
  config: Config;
  log: Logger;
  databaseUrl: string;
  temporalAddress: string;
  host: string;
}

export interface RunningApi {
  url: string;
  close(): Promise<void>;
}

/** Starts the API on `config.PORT`; `close()` drains in-flight requests, then releases the pool. */
export async function serveApi(options: ServeApiOptions): Promise<RunningApi> {
  const { config, log, databaseUrl, temporalAddress, host } = options;
  const pool = new pg.Pool({ connectionString: databaseUrl, max: 10, connectionTimeoutMillis: 2_000 });
  // An idle client whose server went away emits here; without a listener it would crash the process.
  pool.on('error', (error) => log.warn({ err: error }, 'idle PostgreSQL connection failed'));
  const store = createEventStore(config, databaseUrl, log);
  const metrics = new Registry();
  collectDefaultMetrics({ register: metrics });
  registerProjectionMetrics(metrics, () => projectionStatuses(pool, store, projections));
  const app = await buildApp({
    log: log.child({ component: 'api' }),
    version: packageVersion(),
    readinessChecks: { postgres: postgresCheck(pool), temporal: temporalCheck(temporalAddress) },
    graphiql: config.NODE_ENV !== 'production',
    metrics,
  });
  try {
    await app.listen({ port: config.PORT, host });
  } catch (error) {
    await app.close();
    await Promise.allSettled([store.close(), pool.end()]);
    throw error;
  }
  return {
    url: `http://localhost:${config.PORT}`,
    async close() {
      await app.close();
      await Promise.allSettled([store.close(), pool.end()]);
    },
  };
}
