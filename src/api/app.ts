import { readFileSync } from 'node:fs';
import Fastify, { type FastifyBaseLogger, type FastifyInstance, type FastifyRequest } from 'fastify';
import { NoSchemaIntrospectionCustomRule } from 'graphql';
import mercurius, { type IResolvers, type MercuriusLoaders } from 'mercurius';
import type { Registry } from 'prom-client';
import type { Logger } from '../logger.ts';
import { setEmailChannel } from '../services/notifications/preferences.ts';
import { aiResolvers } from './ai/resolvers.ts';
import { auditResolvers } from './audit/resolvers.ts';
import { brandResolvers } from './brands/resolvers.ts';
import { chatConversationLoaders } from './chat/conversation-loaders.ts';
import { chatConversationResolvers } from './chat/conversation-resolvers.ts';
import { createEphemeralBus } from './chat/ephemeral-bus.ts';
import { liveChatResolvers } from './chat/live-resolvers.ts';
import { messageLoaders, messageResolvers } from './chat/message-resolvers.ts';
import { answerUnreadableRequests } from './client-errors.ts';
import { communityDataResolvers } from './communities/community-data-resolvers.ts';
import { communityLoaders } from './communities/community-loaders.ts';
import { communityResolvers } from './communities/community-resolvers.ts';
import { discussionLoaders, discussionResolvers } from './communities/discussion-resolvers.ts';
import { learningLoaders } from './communities/learning-loaders.ts';
import { learningResolvers } from './communities/learning-resolvers.ts';
import { progressLoaders } from './communities/progress-loaders.ts';
import { progressResolvers } from './communities/progress-resolvers.ts';
import { feedRoutes } from './content/feed-route.ts';
import { contentLoaders } from './content/loaders.ts';
import { contentResolvers } from './content/resolvers.ts';
import { formatErrors, withoutSuggestions } from './errors.ts';
import { integratorEventRoutes } from './events/routes.ts';
import type { SseLimits } from './events/sse-connection.ts';
import { eventWebhookResolvers } from './events/webhook-resolvers.ts';
import { closeConnectionsOnShutdown } from './graceful-close.ts';
import { graphiqlRoutes } from './graphiql/routes.ts';
import { validateGraphQLParameters } from './graphql-over-http.ts';
import { healthRoutes } from './health-routes.ts';
import { identityLoaders } from './identity/loaders.ts';
import { passkeyResolvers } from './identity/passkeys-resolvers.ts';
import { recoveryPageRoutes } from './identity/recovery-pages-route.ts';
import { recoveryResolvers } from './identity/recovery-resolvers.ts';
import { identityResolvers } from './identity/resolvers.ts';
import { jwksRoute } from './jwks-route.ts';
import { maxAliasesRule } from './limits/aliases.ts';
import { type ApiLimitsOverrides, apiLimits } from './limits/api-limits.ts';
import { operationLimits, subscriptionValidation } from './limits/operation-limits.ts';
import { maxDepthRule } from './limits/query-depth.ts';
import { connectRateLimitRedis, registerRateLimits } from './limits/rate-limits.ts';
import { closeConnectionsGently } from './lingering-close.ts';
import { mediaResolvers } from './media/resolvers.ts';
import { mediaRoutes } from './media/routes.ts';
import { conversationResolvers } from './mentorship/conversation-resolvers.ts';
import { matchingResolvers } from './mentorship/matching-resolvers.ts';
import { profileResolvers } from './mentorship/profile-resolvers.ts';
import { mentorshipSessionResolvers } from './mentorship/session-resolvers.ts';
import { registerGraphQLMetrics } from './metrics/graphql.ts';
import { registerSubscriptionMetrics } from './metrics/subscriptions.ts';
import { metricsRoute } from './metrics-route.ts';
import { deviceResolvers } from './notifications/device-resolvers.ts';
import { notificationResolvers } from './notifications/notification-resolvers.ts';
import { unsubscribeRoutes } from './notifications/unsubscribe-route.ts';
import { operationsResolvers } from './operations/resolvers.ts';
import { automaticPersistedQueries } from './persisted-queries.ts';
import type { DependencyChecks } from './readiness.ts';
import { REQUEST_ID_HEADER, requestIdFor } from './request-id.ts';
import { type ApiServices, authenticationOf, requestScope } from './request-scope.ts';
import { createResolvers } from './resolvers.ts';
import { engagementLoaders } from './social/engagement-loaders.ts';
import { engagementResolvers } from './social/engagement-resolvers.ts';
import { forYouResolvers } from './social/for-you-resolvers.ts';
import { socialGraphLoaders } from './social/graph-loaders.ts';
import { socialGraphResolvers } from './social/graph-resolvers.ts';
import { refuseSubscriptionsOverHttp } from './subscriptions/over-http.ts';
import { subscriptions } from './subscriptions/plugin-options.ts';
import { guardSockets } from './subscriptions/socket-guard.ts';
import { type SubscriptionLimits, subscriptionLimits } from './subscriptions/subscription-limits.ts';
import { syncNdjsonRoutes } from './sync/ndjson-route.ts';
import { syncDeviceLoaders, syncResolvers } from './sync/sync-resolvers.ts';
import { videoLoaders } from './videos/loaders.ts';
import { videoResolvers } from './videos/resolvers.ts';
import { answerWrittenNotYetReadable } from './written-not-readable.ts';

const schemaFile = (name: string) => readFileSync(new URL(name, import.meta.url), 'utf8');

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
  /** With it, `GET /metrics` wants `Authorization: Bearer <token>`; without it, it is open. */
  metricsToken?: string;
  /**
   * Introspection and "Did you mean …?" suggestions in validation errors (default on). Production
   * turns both off unless GRAPHQL_INTROSPECTION=on: they hand a prober the schema.
   */
  introspection?: boolean;
  /** The bounded contexts' GraphQL API; without it only `version` is served (health checks, tests). */
  services?: ApiServices;
  /** Overrides of the `GET /events` stream limits (heartbeat, pending events); tests make them small. */
  eventStreamLimits?: Partial<SseLimits>;
  /** Query depth / complexity, body size and rate limits; unset ones keep their defaults. */
  limits?: ApiLimitsOverrides;
  /**
   * Rate-limit counters live here when set, shared by every API process, and chat's typing and
   * presence travel through it; else both stay in this process.
   */
  redisUrl?: string;
  /** Proxies whose X-Forwarded-For gives the client's address (hop count or addresses/CIDRs). */
  trustProxy?: number | string[];
  /** Overrides of the WebSocket subscriptions' limits (re-check interval, slow consumers); tests make them small. */
  subscriptionLimits?: Partial<SubscriptionLimits>;
}

/** The HTTP + GraphQL app. Nothing listens until the caller calls `listen`; `close()` drains. */
export async function buildApp(deps: AppDeps): Promise<FastifyInstance> {
  // Widened so the app is a plain FastifyInstance that plugins and tests accept.
  const loggerInstance: FastifyBaseLogger = deps.log;
  const limits = apiLimits(deps.limits);
  const app = Fastify({
    loggerInstance,
    genReqId: requestIdFor,
    bodyLimit: limits.bodyLimitBytes,
    // Unset, `request.ip` is the socket's: behind a proxy every anonymous caller would share one budget.
    ...(deps.trustProxy !== undefined ? { trustProxy: trustedProxies(deps.trustProxy) } : {}),
    // Oversized headers, malformed requests and timeouts get the API's JSON error, not Node's.
    clientErrorHandler: answerUnreadableRequests(loggerInstance),
    // Let in-flight requests finish on close(), but do not wait on idle keep-alive sockets.
    forceCloseConnections: 'idle',
    // Slow clients (headers or body trickled byte by byte) are cut off with 408, not served forever:
    // Fastify's default requestTimeout is 0 (none). Node checks the deadlines every
    // connectionsCheckingInterval (30 s by default), so the check runs often enough to honour them.
    requestTimeout: limits.requestTimeoutMs,
    http: {
      headersTimeout: limits.headersTimeoutMs,
      connectionsCheckingInterval: Math.max(
        100,
        Math.min(1_000, limits.headersTimeoutMs / 4, limits.requestTimeoutMs / 4),
      ),
    },
  });
  closeConnectionsOnShutdown(app);
  closeConnectionsGently(app);

  app.addHook('onRequest', async (request, reply) => {
    reply.header(REQUEST_ID_HEADER, request.id);
  });

  await app.register(healthRoutes, {
    checks: deps.readinessChecks,
    checkTimeoutMs: deps.readinessTimeoutMs ?? 2_000,
  });
  if (deps.metrics) {
    await app.register(metricsRoute, {
      registry: deps.metrics,
      ...(deps.metricsToken ? { token: deps.metricsToken } : {}),
    });
  }
  const graphqlMetrics = deps.metrics && registerGraphQLMetrics(deps.metrics, '/graphql');
  if (deps.metrics) registerSubscriptionMetrics(deps.metrics);
  if (graphqlMetrics) app.addHook('onResponse', graphqlMetrics.onResponse);
  validateGraphQLParameters(app, '/graphql');
  const { services } = deps;
  const redis = deps.redisUrl ? await connectRateLimitRedis(deps.redisUrl, deps.log) : undefined;
  if (redis) app.addHook('onClose', async () => void (await redis.quit().catch(() => redis.disconnect())));
  const rateLimiting = await registerRateLimits(app, {
    limits,
    log: deps.log,
    ...(redis ? { redis } : {}),
    ...(services
      ? { identify: (request: FastifyRequest) => authenticationOf(services, request).then((a) => a.actor) }
      : {}),
  });
  // Replies the AI mentor is writing in this process are stopped, and recorded as failed, on close.
  if (services) app.addHook('onClose', () => services.mentorship.mentorReplies.close());
  if (services) {
    await app.register(integratorEventRoutes, {
      services,
      version: deps.version,
      ...(deps.eventStreamLimits ? { limits: deps.eventStreamLimits } : {}),
    });
    await app.register(jwksRoute, {
      keys: services.identity.accessTokens,
      now: () => services.identity.clock?.() ?? new Date(),
    });
    await app.register(feedRoutes, { pool: services.pool });
    await app.register(mediaRoutes, { media: services.media, pool: services.pool });
    await app.register(recoveryPageRoutes, { identity: services.identity, log: deps.log });
    // In its own plugin: its NDJSON body parser and error replies stay with it.
    await app.register(syncNdjsonRoutes, { services, rateLimiting });
    await app.register(unsubscribeRoutes, {
      authSecret: services.identity.authSecret,
      disableEmail: (userId, type) => setEmailChannel(services.notifications, userId, type, false),
      log: deps.log,
    });
  }
  // Chat's typing and presence: Redis pub/sub with REDIS_URL (as the rate limits), else this process.
  const chatLive = createEphemeralBus(deps.redisUrl, deps.log);
  app.addHook('onClose', () => chatLive.close());
  const contexts = services
    ? [
        {
          schema: schemaFile('./identity/schema.graphql'),
          resolvers: identityResolvers(),
          loaders: identityLoaders(),
        },
        // After identity's schema: it extends LoginInput with the passkey second factor.
        { schema: schemaFile('./identity/passkeys.graphql'), resolvers: passkeyResolvers() },
        { schema: schemaFile('./identity/recovery.graphql'), resolvers: recoveryResolvers() },
        { schema: schemaFile('./operations/schema.graphql'), resolvers: operationsResolvers() },
        { schema: schemaFile('./brands/schema.graphql'), resolvers: brandResolvers() },
        {
          schema: schemaFile('./content/schema.graphql'),
          resolvers: contentResolvers(),
          loaders: contentLoaders(),
        },
        { schema: schemaFile('./ai/schema.graphql'), resolvers: aiResolvers() },
        { schema: schemaFile('./media/schema.graphql'), resolvers: mediaResolvers() },
        {
          schema: schemaFile('./videos/schema.graphql'),
          resolvers: videoResolvers(),
          loaders: videoLoaders(),
        },
        {
          schema: schemaFile('./social/graph.graphql'),
          resolvers: socialGraphResolvers(),
          loaders: socialGraphLoaders(),
        },
        {
          schema: schemaFile('./social/engagement.graphql'),
          resolvers: engagementResolvers(),
          loaders: engagementLoaders(),
        },
        { schema: schemaFile('./social/for-you.graphql'), resolvers: forYouResolvers() },
        {
          schema: schemaFile('./chat/conversations.graphql'),
          resolvers: chatConversationResolvers(),
          loaders: chatConversationLoaders(),
        },
        {
          schema: schemaFile('./chat/messages.graphql'),
          resolvers: messageResolvers(),
          loaders: messageLoaders(),
        },
        { schema: schemaFile('./audit/schema.graphql'), resolvers: auditResolvers() },
        { schema: schemaFile('./events/webhooks.graphql'), resolvers: eventWebhookResolvers() },
        { schema: schemaFile('./mentorship/profiles.graphql'), resolvers: profileResolvers() },
        { schema: schemaFile('./mentorship/matching.graphql'), resolvers: matchingResolvers() },
        { schema: schemaFile('./mentorship/sessions.graphql'), resolvers: mentorshipSessionResolvers() },
        { schema: schemaFile('./mentorship/conversations.graphql'), resolvers: conversationResolvers() },
        { schema: schemaFile('./chat/live.graphql'), resolvers: liveChatResolvers(chatLive, deps.log) },
        {
          schema: schemaFile('./communities/progress.graphql'),
          resolvers: progressResolvers(),
          loaders: progressLoaders(),
        },
        {
          schema: schemaFile('./communities/communities.graphql'),
          resolvers: communityResolvers(),
          loaders: communityLoaders(),
        },
        {
          schema: schemaFile('./communities/discussions.graphql'),
          resolvers: discussionResolvers(),
          loaders: discussionLoaders(),
        },
        {
          schema: schemaFile('./communities/learning.graphql'),
          resolvers: learningResolvers(),
          loaders: learningLoaders(),
        },
        { schema: schemaFile('./communities/community-data.graphql'), resolvers: communityDataResolvers() },
        { schema: schemaFile('./notifications/devices.graphql'), resolvers: deviceResolvers() },
        // After devices' schema: it extends Device with the last sync.
        {
          schema: schemaFile('./sync/sync.graphql'),
          resolvers: syncResolvers(),
          loaders: syncDeviceLoaders(),
        },
        {
          schema: schemaFile('./notifications/notifications.graphql'),
          resolvers: notificationResolvers(deps.log),
        },
      ]
    : [];
  const introspection = deps.introspection !== false;
  const formatter = introspection ? formatErrors : withoutSuggestions(formatErrors);
  const validationRules = [
    maxDepthRule(limits.maxDepth),
    maxAliasesRule(limits.maxAliases),
    ...(introspection ? [] : [NoSchemaIntrospectionCustomRule]),
  ];
  const liveLimits = subscriptionLimits(deps.subscriptionLimits);
  const live =
    services && subscriptions(services, { ...liveLimits, maxComplexity: limits.maxComplexity }, deps.log);
  if (deps.graphiql) await app.register(graphiqlRoutes);
  if (live) guardSockets(app, '/graphql', liveLimits);
  await app.register(mercurius, {
    schema: [
      schemaFile('./schema.graphql'),
      ...contexts.map((c) => c.schema),
      ...(live?.schemas ?? []).map((url) => readFileSync(url, 'utf8')),
    ],
    resolvers: mergeResolvers([
      createResolvers({ version: deps.version }),
      ...contexts.map((c) => c.resolvers),
      ...(live?.resolvers ?? []),
    ]),
    subscription: live ? live.options : false,
    ...(services
      ? { context: (request: FastifyRequest) => ({ scope: requestScope(services, request) }) }
      : {}),
    loaders: mergeLoaders(contexts.map((c) => c.loaders ?? {})),
    errorFormatter: graphqlMetrics ? graphqlMetrics.countingErrors(formatter) : formatter,
    persistedQueryProvider: automaticPersistedQueries(),
    path: '/graphql',
    validationRules,
    // Each query text is compiled to JavaScript (graphql-jit) on its second use: executing the
    // compiled query took a small read's GraphQL work from an eighth of its CPU to a fraction.
    // Validation, the preExecution limits and the error formatter apply exactly as before.
    jit: 1,
  });
  // First, so that an operation the limits refuse is still labelled in the metrics.
  if (graphqlMetrics) app.graphql.addHook('preExecution', graphqlMetrics.preExecution);
  app.graphql.addHook('preExecution', refuseSubscriptionsOverHttp);
  app.graphql.addHook('preExecution', operationLimits(limits, rateLimiting));
  app.graphql.addHook('preSubscriptionExecution', subscriptionValidation(validationRules, introspection));
  // A mutation whose wait for the read models timed out says so instead of looking up to date.
  app.graphql.addHook('onResolution', async (execution, context) => {
    const stale = context.scope?.stalePosition();
    if (stale === undefined) return;
    execution.extensions = {
      ...execution.extensions,
      readYourWrites: { reached: false, position: stale.toString() },
    };
    answerWrittenNotYetReadable(execution, stale);
  });
  return app;
}

/** Each context contributes fields to Query and Mutation; their resolver maps are merged per type. */
function mergeResolvers(all: IResolvers[]): IResolvers {
  const merged: Record<string, Record<string, unknown>> = {};
  for (const resolvers of all) {
    for (const [type, fields] of Object.entries(resolvers)) merged[type] = { ...merged[type], ...fields };
  }
  return merged as IResolvers;
}

/** Fastify trusts a hop count at run time but its types take only addresses or a function. */
function trustedProxies(trust: number | string[]): string[] | ((address: string, hop: number) => boolean) {
  return typeof trust === 'number' ? (_address, hop) => hop < trust : trust;
}

/**
 * The contexts' loaders by type and field: two contexts may each batch fields of one type (chat's
 * conversations count unread messages, chat's messages read the last one), so a type's fields are
 * merged rather than the later context's replacing the earlier's.
 */
function mergeLoaders(all: readonly MercuriusLoaders[]): MercuriusLoaders {
  const merged: MercuriusLoaders = {};
  for (const loaders of all) {
    for (const [type, fields] of Object.entries(loaders)) merged[type] = { ...merged[type], ...fields };
  }
  return merged;
}
