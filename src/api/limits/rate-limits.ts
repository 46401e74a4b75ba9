import { once } from 'node:events';
import { setTimeout as sleep } from 'node:timers/promises';
import fastifyRateLimit, { normalizeIP } from '@fastify/rate-limit';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { Redis } from 'ioredis';
import type { Actor } from '../../domain/shared/decider.ts';
import type { Logger } from '../../logger.ts';
import { RejectedRequest } from '../rejected-request.ts';
import type { ApiLimits, RateLimit } from './api-limits.ts';

export interface RateLimiting {
  /** Counts `attempts` sign-ins from the request's IP address; throws RATE_LIMITED past the limit. */
  countLogins(request: FastifyRequest, reply: FastifyReply, attempts: number): Promise<void>;
  /**
   * Counts `extra` requests more against the caller's budget, for a request doing the work of
   * several (an NDJSON sync of thousands of changes); throws RATE_LIMITED past the limit.
   */
  countExtraRequests(request: FastifyRequest, reply: FastifyReply, extra: number): Promise<void>;
}

export interface RateLimitOptions {
  limits: ApiLimits;
  log: Logger;
  /** Counters shared by every API process; without it each process counts for itself. */
  redis?: Redis;
  /** Who is calling, for requests that carry credentials; unusable credentials count as anonymous. */
  identify?: (request: FastifyRequest) => Promise<Actor>;
}

/**
 * Only the ways in to the API's use cases are limited (GraphQL, and sync's NDJSON form): probes
 * and metrics scrapes must never be refused.
 */
const LIMITED_ROUTES = new Set(['/graphql', '/sync']);

/**
 * Per-caller request limits on the GraphQL endpoint (a user, an API key, or an IP address when
 * anonymous) and a stricter per-IP limit on sign-in attempts, counted in Redis when given so that
 * every replica shares one budget. When the counter store fails the request goes through (logged):
 * a Redis outage must not take the API down with it.
 */
export async function registerRateLimits(
  app: FastifyInstance,
  options: RateLimitOptions,
): Promise<RateLimiting> {
  const { limits, log, redis, identify } = options;
  await app.register(fastifyRateLimit, {
    global: false,
    ...(redis ? { redis, nameSpace: 'chronicle:rate-limit:' } : {}),
  });
  const health = storeHealth(log);
  const requests = limiter(app, limits.requests, async (request) => {
    const actor = identify ? await identify(request).catch(() => undefined) : undefined;
    if (actor?.kind === 'user') return `user:${actor.userId}`;
    if (actor?.kind === 'integration') return `api-key:${actor.keyId}`;
    return `ip:${normalizeIP(request.ip)}`;
  });
  const logins = limiter(app, limits.logins, (request) => `login:${normalizeIP(request.ip)}`);

  const check = async (
    count: ReturnType<typeof limiter>,
    request: FastifyRequest,
    reply: FastifyReply,
    reason: string,
  ) => {
    let result: Awaited<ReturnType<typeof count>>;
    try {
      result = await count(request);
      health.ok();
    } catch (error) {
      health.failed(error);
      return;
    }
    if (result.isAllowed) return;
    reply.header('ratelimit-limit', result.max);
    reply.header('ratelimit-remaining', result.remaining);
    reply.header('ratelimit-reset', result.ttlInSeconds);
    if (!result.isExceeded) return;
    const retryAfterSeconds = Math.max(1, result.ttlInSeconds);
    reply.header('retry-after', retryAfterSeconds);
    throw new RejectedRequest(
      429,
      'RATE_LIMITED',
      reason,
      `Too many requests; retry in ${retryAfterSeconds} s`,
      {
        retryAfterSeconds,
      },
    );
  };

  app.addHook('onRequest', async (request, reply) => {
    if (!LIMITED_ROUTES.has(request.routeOptions.url ?? '')) return;
    await check(requests, request, reply, 'TOO_MANY_REQUESTS');
  });

  return {
    async countLogins(request, reply, attempts) {
      for (let i = 0; i < attempts; i++) await check(logins, request, reply, 'TOO_MANY_LOGIN_ATTEMPTS');
    },
    async countExtraRequests(request, reply, extra) {
      for (let i = 0; i < extra; i++) await check(requests, request, reply, 'TOO_MANY_REQUESTS');
    },
  };
}

function limiter(
  app: FastifyInstance,
  limit: RateLimit,
  keyGenerator: (request: FastifyRequest) => string | Promise<string>,
) {
  return app.createRateLimit({ max: limit.max, timeWindow: limit.windowMs, keyGenerator });
}

/** Logs when counting starts failing and when it recovers, not once per request. */
function storeHealth(log: Logger) {
  let failing = false;
  return {
    ok() {
      if (!failing) return;
      failing = false;
      log.info('rate-limit counters reachable again');
    },
    failed(error: unknown) {
      if (failing) return;
      failing = true;
      log.warn({ err: error }, 'rate-limit counters unreachable; requests are not limited meanwhile');
    },
  };
}

/**
 * The Redis connection for the counters. Commands fail at once while it is down (no offline
 * queue), so a request never waits on Redis; start-up waits briefly for the first connection.
 */
export async function connectRateLimitRedis(url: string, log: Logger, waitMs = 2_000): Promise<Redis> {
  const redis = new Redis(url, { maxRetriesPerRequest: 1, enableOfflineQueue: false });
  redis.on('error', (error) => log.debug({ err: error }, 'rate-limit Redis connection error'));
  const ac = new AbortController();
  await Promise.race([
    once(redis, 'ready', { signal: ac.signal }),
    sleep(waitMs, undefined, { signal: ac.signal }),
  ])
    .catch(() => undefined)
    .finally(() => ac.abort());
  if (redis.status !== 'ready')
    log.warn({ status: redis.status }, 'rate-limit Redis not ready; limits count in it once it is');
  return redis;
}
