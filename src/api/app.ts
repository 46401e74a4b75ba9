import { readFileSync } from 'node:fs';
import Fastify, { type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import mercurius from 'mercurius';
import type { Registry } from 'prom-client';
import type { Logger } from '../logger.ts';
import { healthRoutes } from './health-routes.ts';
import { metricsRoute } from './metrics-route.ts';
import type { DependencyChecks } from './readiness.ts';
import { REQUEST_ID_HEADER, requestIdFor } from './request-id.ts';
import { createResolvers } from './resolvers.ts';

const SCHEMA_FILE = new URL('./schema.graphql', import.meta.url);

export interface AppDeps {
  log: Logger;
  version: string;
  /** Dependencies `/health/ready` waits for, by name (e.g. `postgres`, `temporal`). */
  readinessChecks: DependencyChecks;
  /** GraphiQL at `/graphiql`; off in production. */
  graphiql: boolean;
  readinessTimeoutMs?: number;
  /** Served on `GET /metrics` when given. */
  metrics?: Registry;
}

/** The HTTP + GraphQL app. Nothing listens until the caller calls `listen`; `close()` drains. */
export async function buildApp(deps: AppDeps): Promise<FastifyInstance> {
  // Widened so the app is a plain FastifyInstance that plugins and tests accept.
  const loggerInstance: FastifyBaseLogger = deps.log;
  const app = Fastify({
    loggerInstance,
    genReqId: requestIdFor,
    // Let in-flight requests finish on close(), but do not wait on idle keep-alive sockets.
    forceCloseConnections: 'idle',
  });

  app.addHook('onRequest', async (request, reply) => {
    reply.header(REQUEST_ID_HEADER, request.id);
  });

  await app.register(healthRoutes, {
    checks: deps.readinessChecks,
    checkTimeoutMs: deps.readinessTimeoutMs ?? 2_000,
  });
  if (deps.metrics) await app.register(metricsRoute, { registry: deps.metrics });
  await app.register(mercurius, {
    schema: readFileSync(SCHEMA_FILE, 'utf8'),
    resolvers: createResolvers({ version: deps.version }),
    graphiql: deps.graphiql,
    path: '/graphql',
  });
  return app;
}
