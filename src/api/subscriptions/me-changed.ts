import { unauthenticated } from '../../domain/shared/domain-error.ts';
import { selfId } from '../../services/identity/account.ts';
import { toUser } from '../identity/mappers.ts';
import { findUser } from '../identity/read-model-queries.ts';
import { callerFor, type GraphQLContext } from '../request-scope.ts';
import type { Channel } from './channel.ts';
import { watchReadModel } from './read-model-watch.ts';

type User = ReturnType<typeof toUser>;

/** `meChanged`: the caller's user row now, then again each time the projector reports a write to it. */
export async function meChanged(context: GraphQLContext): Promise<Channel<User>> {
  const { scope, live } = context;
  if (!live) throw unauthenticated('SIGN_IN_REQUIRED', 'Subscriptions need an authenticated WebSocket');
  const caller = await callerFor(scope, 'read');
  const userId = selfId(caller.actor);
  return watchReadModel(context, live, {
    concerns: (change) =>
      change.projection === 'users' &&
      (change.truncated || change.keys.some(({ key }) => key.user_id === userId)),
    // The connection's own user: its session watch closes the socket when that access ends.
    async read(actor) {
      const row = await findUser(scope.services.pool, userId);
      return row ? [toUser(row, actor)] : [];
    },
  });
}
