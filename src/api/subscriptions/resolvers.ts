import type { FastifyBaseLogger } from 'fastify';
import type { IResolvers } from 'mercurius';
import type { GraphQLContext } from '../request-scope.ts';
import { meChanged } from './me-changed.ts';
import { guardedSubscribe } from './subscription-errors.ts';

export function subscriptionResolvers(log: FastifyBaseLogger): IResolvers {
  return {
    Subscription: {
      meChanged: {
        subscribe: guardedSubscribe(log, (_root: unknown, _args: unknown, context: GraphQLContext) =>
          meChanged(context),
        ),
        resolve: (user: unknown) => user,
      },
    },
  };
}
