import type { FastifyBaseLogger } from 'fastify';
import type { IResolvers } from 'mercurius';
import { z } from 'zod';
import { unauthenticated } from '../../domain/shared/domain-error.ts';
import { callerFor, type GraphQLContext } from '../request-scope.ts';
import { watchReadModel } from '../subscriptions/read-model-watch.ts';
import { guardedSubscribe } from '../subscriptions/subscription-errors.ts';
import { matchViewerOf } from './matching-queries.ts';
import { visibleMatchRequest } from './matching-resolvers.ts';

const requestArgs = z.object({ requestId: z.uuid() });

/** `matchUpdates(requestId)`, fed by the matching read model; who may see it is checked each read. */
export function matchingSubscriptionResolvers(log: FastifyBaseLogger): IResolvers {
  return {
    Subscription: {
      matchUpdates: {
        subscribe: guardedSubscribe(log, (_root: unknown, args: unknown, context: GraphQLContext) =>
          matchUpdates(context, requestArgs.parse(args).requestId),
        ),
        resolve: (update: unknown) => update,
      },
    },
  };
}

/**
 * The request now, then each time the matching read model writes one of its rows (the request or
 * one of its offers). Reads that show nothing new are not pushed again.
 */
async function matchUpdates(context: GraphQLContext, requestId: string) {
  const { live, scope } = context;
  if (!live) throw unauthenticated('SIGN_IN_REQUIRED', 'Subscriptions need an authenticated WebSocket');
  const viewer = matchViewerOf((await callerFor(scope, 'read')).actor);
  // Refused at once (NOT_FOUND) rather than as the first message, when there is nothing to watch.
  let first: Awaited<ReturnType<typeof visibleMatchRequest>> | undefined = await visibleMatchRequest(
    scope,
    viewer,
    requestId,
  );
  let last = '';
  return watchReadModel(context, live, {
    concerns: (change) =>
      change.projection === 'mentorship_matching' &&
      (change.truncated || change.keys.some(({ key }) => key.request_id === requestId)),
    async read(actor) {
      const request = first ?? (await visibleMatchRequest(scope, matchViewerOf(actor), requestId));
      first = undefined;
      const seen = JSON.stringify(request);
      if (seen === last) return [];
      last = seen;
      return [request];
    },
  });
}
