import type { FastifyInstance } from 'fastify';
import { pino } from 'pino';
import { createAiProvider } from '../../src/ai/create-ai-provider.ts';
import { buildApp } from '../../src/api/app.ts';
import { loadConfig } from '../../src/config.ts';
import { Projector } from '../../src/projections/projector.ts';
import { apiServices } from '../../src/roles/api-services.ts';
import { openRuntime } from '../../src/roles/runtime.ts';
import type { GraphQLResponse, IdentityApp } from '../api/support/identity-app.ts';
import { TEST_AUTH_SECRET } from '../api/support/identity-app.ts';
import { freshDatabase } from '../support/database.ts';

/** One pino line the API wrote (level 30 info, 40 warn, 50 error, 60 fatal). */
export interface LogLine {
  level: number;
  msg?: string;
  err?: { type?: string; message?: string; stack?: string };
  [field: string]: unknown;
}

export interface FuzzApp extends IdentityApp {
  /** Where the API listens on 127.0.0.1, e.g. `http://127.0.0.1:41234`. */
  origin: string;
  /** Every line the API logged at warn or above, parsed, in order. */
  logs: LogLine[];
  /** `POST /graphql` requests answered so far, by HTTP status code. */
  statuses: Map<number, number>;
}

/**
 * The full API with its projector on a fresh database, listening on a real port (the fuzzer is
 * another process), its log captured in memory so the test can look for unhandled errors.
 * Same composition as `startIdentityApp`, which logs to stdout (or not at all).
 */
export async function startFuzzApp(): Promise<FuzzApp> {
  const databaseUrl = await freshDatabase('fuzz');
  const logs: LogLine[] = [];
  const log = pino(
    { level: 'warn', timestamp: pino.stdTimeFunctions.isoTime },
    { write: (line: string) => void logs.push(JSON.parse(line) as LogLine) },
  );
  const config = loadConfig({ AUTH_SECRET: TEST_AUTH_SECRET, DATA_DIR: '/nonexistent-chronicle-test' });
  const runtime = await openRuntime(config, log, databaseUrl);
  const { store, pool, bus, projections } = runtime;
  const projector = new Projector({ store, pool, bus, log }, projections, { batchSize: 200 });
  const stopped = async () => {
    await projector.stop();
    await runtime.close();
  };
  let app: FastifyInstance;
  try {
    await projector.start();
    app = await buildApp({
      log,
      version: 'test',
      readinessChecks: {},
      graphiql: false,
      // The fuzzer sends every request from 127.0.0.1: rate limits would only answer 429.
      limits: { requests: { max: 1_000_000 }, logins: { max: 1_000_000 } },
      services: apiServices(runtime, {
        log,
        authSecret: new TextEncoder().encode(TEST_AUTH_SECRET),
        ai: createAiProvider({}),
        readYourWritesTimeoutMs: 5_000,
      }),
    });
  } catch (error) {
    await stopped();
    throw error;
  }
  const close = async () => {
    await app.close();
    await stopped();
  };
  const statuses = new Map<number, number>();
  app.addHook('onResponse', async (request, reply) => {
    if (request.url.startsWith('/graphql'))
      statuses.set(reply.statusCode, (statuses.get(reply.statusCode) ?? 0) + 1);
  });
  try {
    const origin = await app.listen({ host: '127.0.0.1', port: 0 });
    return {
      app,
      runtime,
      databaseUrl,
      origin,
      logs,
      statuses,
      async gql(query, variables = {}, token) {
        const response = await app.inject({
          method: 'POST',
          url: '/graphql',
          headers: token ? { authorization: `Bearer ${token}` } : {},
          payload: { query, variables },
        });
        return response.json<GraphQLResponse>();
      },
      stopProjector: () => projector.stop(),
      close,
    };
  } catch (error) {
    await close();
    throw error;
  }
}
