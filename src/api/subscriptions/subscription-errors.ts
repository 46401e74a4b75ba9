import type { FastifyBaseLogger } from 'fastify';
import { GraphQLError } from 'graphql';
import { formatError } from '../errors.ts';

/**
 * Mercurius sends the errors of a subscription (refused at `subscribe`, or ending its stream)
 * without passing them through the app's error formatter, so they get their codes here, from the
 * same catalogue: what a client sees does not depend on the transport.
 */
export function asGraphQLError(error: unknown, log: FastifyBaseLogger): GraphQLError {
  const originalError = error instanceof Error ? error : new Error(String(error));
  const [formatted] = formatError(new GraphQLError(originalError.message, { originalError }), log);
  return new GraphQLError(formatted?.message ?? 'Internal server error', {
    extensions: formatted?.extensions ?? { code: 'INTERNAL' },
  });
}

/** A subscription's `subscribe` whose refusals carry their codes. */
export function withCodes<Args extends unknown[], Result>(
  log: FastifyBaseLogger,
  subscribe: (...args: Args) => Promise<Result>,
): (...args: Args) => Promise<Result> {
  return async (...args) => {
    try {
      return await subscribe(...args);
    } catch (error) {
      throw asGraphQLError(error, log);
    }
  };
}
