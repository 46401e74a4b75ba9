import type { FastifyBaseLogger } from 'fastify';
import type { IResolvers } from 'mercurius';
import { aiSubscriptionResolvers } from '../ai/resolvers.ts';
import { contentSubscriptionResolvers } from '../content/subscriptions.ts';
import { eventSubscriptionResolvers } from '../events/subscription-resolvers.ts';
import { mediaSubscriptionResolvers } from '../media/subscriptions.ts';
import { conversationSubscriptionResolvers } from '../mentorship/conversation-subscription.ts';
import { matchingSubscriptionResolvers } from '../mentorship/matching-subscription.ts';
import type { ApiServices } from '../request-scope.ts';
import { engagementSubscriptionResolvers } from '../social/engagement-subscriptions.ts';
import { connectionInit } from './connection-init.ts';
import { subscriptionResolvers } from './resolvers.ts';
import type { SubscriptionLimits } from './subscription-limits.ts';

/** Pings on quiet connections, so proxies do not take them for idle and cut them. */
const KEEP_ALIVE_MS = 15_000;

/** What buildApp needs to serve subscriptions: the schema files, resolvers and mercurius options. */
export function subscriptions(
  services: ApiServices,
  limits: SubscriptionLimits & { maxComplexity: number },
  log: FastifyBaseLogger,
) {
  const resolvers: IResolvers[] = [
    subscriptionResolvers(log),
    eventSubscriptionResolvers(log, limits),
    contentSubscriptionResolvers(log),
    aiSubscriptionResolvers(log),
    mediaSubscriptionResolvers(log),
    conversationSubscriptionResolvers(log),
    matchingSubscriptionResolvers(log),
    engagementSubscriptionResolvers(log),
  ];
  return {
    schemas: [
      new URL('./schema.graphql', import.meta.url),
      new URL('../events/schema.graphql', import.meta.url),
      new URL('../content/subscriptions.graphql', import.meta.url),
      new URL('../ai/subscriptions.graphql', import.meta.url),
      new URL('../media/subscriptions.graphql', import.meta.url),
      new URL('../mentorship/conversation-subscriptions.graphql', import.meta.url),
      new URL('../mentorship/matching-subscriptions.graphql', import.meta.url),
      new URL('../social/engagement-subscriptions.graphql', import.meta.url),
    ],
    resolvers,
    options: {
      onConnect: connectionInit(
        services,
        {
          recheckIntervalMs: limits.recheckIntervalMs,
          maxSocketsPerUser: limits.maxSocketsPerUser,
          admission: {
            maxComplexity: limits.maxComplexity,
            maxSubscriptionsPerSocket: limits.maxSubscriptionsPerSocket,
            subscribesPerMinute: limits.subscribesPerMinute,
          },
        },
        log,
      ),
      keepAlive: KEEP_ALIVE_MS,
    },
  };
}
