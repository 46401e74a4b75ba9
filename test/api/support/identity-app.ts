import type { FastifyInstance } from 'fastify';
import type { Registry } from 'prom-client';
import { createAiProvider } from '../../../src/ai/create-ai-provider.ts';
import type { AiProvider } from '../../../src/ai/provider.ts';
import { buildApp } from '../../../src/api/app.ts';
import type { SseLimits } from '../../../src/api/events/sse-connection.ts';
import type { ApiLimitsOverrides } from '../../../src/api/limits/api-limits.ts';
import type { SubscriptionLimits } from '../../../src/api/subscriptions/subscription-limits.ts';
import { SigningKeyRing, type SigningKeyRingOptions } from '../../../src/auth/signing-key-ring.ts';
import { registerCommandMetrics } from '../../../src/commands/metrics.ts';
import { loadConfig } from '../../../src/config.ts';
import { createLogger, type Logger } from '../../../src/logger.ts';
import type { OutboundPolicy } from '../../../src/net/outbound-policy.ts';
import type { VapidKeys } from '../../../src/notifications/push/vapid-keys.ts';
import { Projector } from '../../../src/projections/projector.ts';
import { apiServices } from '../../../src/roles/api-services.ts';
import { openRuntime, type Runtime } from '../../../src/roles/runtime.ts';
import type { MediaOptions } from '../../../src/services/media/media-deps.ts';
import { freshDatabase } from '../../support/database.ts';

export interface GraphQLResponse {
  data: Record<string, unknown> | null;
  errors?: { message: string; extensions?: { code?: string; reason?: string } & Record<string, unknown> }[];
}

export interface IdentityApp {
  app: FastifyInstance;
  runtime: Runtime;
  databaseUrl: string;
  gql(query: string, variables?: Record<string, unknown>, token?: string): Promise<GraphQLResponse>;
  /** Stops the projector: read models freeze while commands go on being stored. */
  stopProjector(): Promise<void>;
  close(): Promise<void>;
}

export interface IdentityAppOptions {
  /** How long mutations wait for the read models (default 5 s). */
  readYourWritesTimeoutMs?: number;
  /** `GET /events` limits (heartbeat, pending events), small in tests that provoke them. */
  eventStreamLimits?: Partial<SseLimits>;
  /** Served on `/metrics`, with the command metrics, as `chronicle api` does. */
  metrics?: Registry;
  /** API limits (depth, complexity, body size, rate limits); tests that provoke one make it tiny. */
  limits?: ApiLimitsOverrides;
  /** Fastify's trustProxy (`TRUST_PROXY`), for tests of the client's address behind a proxy. */
  trustProxy?: number | string[];
  /** Rate-limit counters in this Redis, as `chronicle api` does with REDIS_URL. */
  redisUrl?: string;
  /** Join this database instead of a fresh one: a second API process on the same data. */
  databaseUrl?: string;
  /** The change bus goes through this Redis (REDIS_URL), so every process hears one projector. */
  changeBusRedisUrl?: string;
  /** Run a projector in this process (default true); a second API process leaves it to the first. */
  projector?: boolean;
  /** WebSocket subscription limits (re-check interval, slow consumers), small in tests that provoke them. */
  subscriptionLimits?: Partial<SubscriptionLimits>;
  /** The AI provider behind generateContent and the compliance check (default: the local one). */
  ai?: AiProvider;
  /** Where the app logs (default: silent, or TEST_LOG_LEVEL); tests that inspect the log pass theirs. */
  log?: Logger;
  /** Media storage and limits (default: a temporary directory). */
  media?: MediaOptions;
  /** Internal webhook targets brand admins may set (OUTBOUND_ALLOW_INTERNAL); default none. */
  outbound?: OutboundPolicy;
  /** The VAPID keys `vapidPublicKey` answers with (default: a pair made for the app). */
  vapid?: VapidKeys;
  /** How often the API reads its signing keys again, and KEY_ROTATION_DAYS (default: never). */
  signingKeys?: Pick<SigningKeyRingOptions, 'refreshMs' | 'minReadIntervalMs' | 'rotateAfterDays'>;
}

export const TEST_AUTH_SECRET = 'test-secret-that-is-at-least-32-characters-long';

/** The API with its projector on a fresh database: what `chronicle dev` runs, minus Temporal. */
export async function startIdentityApp(options: IdentityAppOptions = {}): Promise<IdentityApp> {
  const databaseUrl = options.databaseUrl ?? (await freshDatabase('identity'));
  const log = options.log ?? createLogger(process.env.TEST_LOG_LEVEL ?? 'silent');
  const config = loadConfig({
    AUTH_SECRET: TEST_AUTH_SECRET,
    DATA_DIR: '/nonexistent-chronicle-test',
    ...(options.changeBusRedisUrl ? { REDIS_URL: options.changeBusRedisUrl } : {}),
  });
  const runtime = await openRuntime(config, log, databaseUrl);
  const { store, pool, bus, projections } = runtime;
  const projector = new Projector({ store, pool, bus, log }, projections, { batchSize: 200 });
  if (options.projector !== false) await projector.start();
  const authSecret = new TextEncoder().encode(TEST_AUTH_SECRET);
  const app = await buildApp({
    log,
    version: 'test',
    readinessChecks: {},
    graphiql: false,
    ...(options.eventStreamLimits ? { eventStreamLimits: options.eventStreamLimits } : {}),
    metrics: options.metrics,
    // Every test request comes from 127.0.0.1: only tests about rate limits get the real budgets.
    limits: { requests: { max: 100_000 }, logins: { max: 10_000 }, ...options.limits },
    ...(options.redisUrl ? { redisUrl: options.redisUrl } : {}),
    ...(options.trustProxy !== undefined ? { trustProxy: options.trustProxy } : {}),
    ...(options.subscriptionLimits ? { subscriptionLimits: options.subscriptionLimits } : {}),
    services: apiServices(runtime, {
      log,
      authSecret,
      ...(options.signingKeys
        ? { accessTokens: new SigningKeyRing({ pool, authSecret, log, ...options.signingKeys }) }
        : {}),
      ai: options.ai ?? createAiProvider({}),
      readYourWritesTimeoutMs: options.readYourWritesTimeoutMs ?? 5_000,
      ...(options.media ? { media: options.media } : {}),
      ...(options.outbound ? { outbound: options.outbound } : {}),
      ...(options.vapid ? { vapid: options.vapid } : {}),
      ...(options.metrics ? { observeCommand: registerCommandMetrics(options.metrics) } : {}),
    }),
  });
  return {
    app,
    runtime,
    databaseUrl,
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
    async close() {
      await app.close();
      await projector.stop();
      await runtime.close();
    },
  };
}

/** The error codes of a response, as `CODE/REASON`, for compact assertions. */
export function errorCodes(response: GraphQLResponse): string[] {
  return (response.errors ?? []).map((e) =>
    [e.extensions?.code, e.extensions?.reason].filter(Boolean).join('/'),
  );
}

/** A field of a successful response, typed by the caller (tests know the query they sent). */
export function fieldOf<T>(response: GraphQLResponse, field: string): T {
  const value = response.data?.[field];
  if (response.errors || value === undefined || value === null) {
    throw new Error(`expected ${field} in ${JSON.stringify(response)}`);
  }
  return value as T;
}
