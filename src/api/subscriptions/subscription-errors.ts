import type { FastifyBaseLogger } from 'fastify';
import { GraphQLError, type GraphQLResolveInfo } from 'graphql';
import { unauthenticated } from '../../domain/shared/domain-error.ts';
import { formatError } from '../errors.ts';
import type { GraphQLContext } from '../request-scope.ts';
import { Channel } from './channel.ts';

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

type Subscribe<T extends object> = (
  root: unknown,
  args: unknown,
  context: GraphQLContext,
  info: GraphQLResolveInfo,
) => Promise<Channel<T>>;

/**
 * Every subscription's `subscribe`, guarded: admitted by its connection first (cost, slots, rate;
 * see subscription-admission.ts), holding its slot until its channel ends, and refused with codes
 * (the subscription's first and only message is the error).
 */
export function guardedSubscribe<T extends object>(
  log: FastifyBaseLogger,
  subscribe: Subscribe<T>,
): Subscribe<T> {
  return async (root, args, context, info) => {
    let release: (() => void) | undefined;
    try {
      const { live } = context;
      if (!live) throw unauthenticated('SIGN_IN_REQUIRED', 'Subscriptions need an authenticated WebSocket');
      release = live.admission.admit(info);
      const channel = await subscribe(root, args, context, info);
      if (channel.signal.aborted) release();
      else channel.signal.addEventListener('abort', release, { once: true });
      return channel;
    } catch (error) {
      release?.();
      // Refused as a stream that fails at once rather than thrown: Mercurius logs a thrown refusal
      // at error level (any client could fill the log with them), and sends both the same way.
      const refused = new Channel<T>();
      refused.fail(asGraphQLError(error, log));
      return refused;
    }
  };
}
