import type { FastifyBaseLogger } from 'fastify';
import { GraphQLScalarType } from 'graphql';
import type { IResolvers } from 'mercurius';
import { unauthenticated } from '../../domain/shared/domain-error.ts';
import type { GraphQLContext } from '../request-scope.ts';
import { guardedSubscribe } from '../subscriptions/subscription-errors.ts';
import { AudienceGuard, audienceOf, filterForAudience } from './event-audience.ts';
import { type EventStreamLimits, openEventStream } from './event-subscription.ts';
import { requireEventReader } from './stream-access.ts';
import { parseEventsSubscription } from './subscription-input.ts';

const JSONObject = new GraphQLScalarType({
  name: 'JSONObject',
  description: 'A JSON object.',
  serialize: (value) => value,
});

/** `subscription { events(filter, after) }`: the integrator event stream over a WebSocket. */
export function eventSubscriptionResolvers(log: FastifyBaseLogger, limits: EventStreamLimits): IResolvers {
  return {
    JSONObject,
    Subscription: {
      events: {
        subscribe: guardedSubscribe(log, async (_root: unknown, args: unknown, context: GraphQLContext) => {
          const { live, scope } = context;
          if (!live)
            throw unauthenticated('SIGN_IN_REQUIRED', 'Subscriptions need an authenticated WebSocket');
          requireEventReader(live.authenticated.actor);
          const parsed = parseEventsSubscription(args);
          const { pool } = scope.services;
          const audience = await audienceOf(pool, live.authenticated.actor);
          const input = { ...parsed, filter: filterForAudience(parsed.filter, audience) };
          const guard = new AudienceGuard(pool, () => live.authenticated.actor);
          const { store, codec } = scope.services.identity;
          return openEventStream({ store, codec, log, guard }, live, input, limits);
        }),
        resolve: (event: unknown) => event,
      },
    },
  };
}
