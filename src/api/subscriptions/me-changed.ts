import { unauthenticated } from '../../domain/shared/domain-error.ts';
import { selfId } from '../../services/identity/account.ts';
import { toUser } from '../identity/mappers.ts';
import { findUser } from '../identity/read-model-queries.ts';
import { callerFor, type GraphQLContext } from '../request-scope.ts';
import { Channel } from './channel.ts';
import { counted } from './counted.ts';
import { asGraphQLError } from './subscription-errors.ts';

type User = ReturnType<typeof toUser>;

/**
 * `meChanged`: the caller's user row now, then again each time the projector reports a write to it.
 * Changes that arrive while the client has not taken the last row are folded into one read, so a
 * slow client gets the latest state, never a growing backlog.
 */
export async function meChanged(context: GraphQLContext): Promise<Channel<User>> {
  const { scope, live } = context;
  if (!live) throw unauthenticated('SIGN_IN_REQUIRED', 'Subscriptions need an authenticated WebSocket');
  const caller = await callerFor(scope, 'read');
  const userId = selfId(caller.actor);
  const { bus, pool } = scope.services;
  const channel = new Channel<User>(live.signal);
  let reading = false;
  let dirty = false;
  const refresh = async (): Promise<void> => {
    dirty = true;
    if (reading) return;
    reading = true;
    try {
      while (dirty && !channel.signal.aborted) {
        await channel.room(1);
        dirty = false;
        const row = await findUser(pool, userId);
        if (row) channel.push(toUser(row, live.authenticated.actor));
      }
    } catch (error) {
      context.app.log.error({ err: error }, 'meChanged could not read the user');
      channel.fail(asGraphQLError(error, context.app.log));
    } finally {
      reading = false;
    }
  };
  const unsubscribe = bus.subscribe((change) => {
    const mine = change.truncated || change.keys.some(({ key }) => key.user_id === userId);
    if (change.projection === 'users' && mine) void refresh();
  });
  channel.signal.addEventListener('abort', unsubscribe, { once: true });
  // The current row first: a client needs no separate query, and misses no change made meanwhile.
  void refresh();
  return counted(channel);
}
