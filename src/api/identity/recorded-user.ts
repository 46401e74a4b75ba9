import { loadAggregate } from '../../commands/load-aggregate.ts';
import { userStream } from '../../domain/identity/streams.ts';
import { users } from '../../services/identity/aggregates.ts';
import type { SessionDeps } from '../../services/identity/context.ts';
import type { UserRow } from './read-model-queries.ts';

/**
 * A user as their own stream tells it, in the read model's shape: for answering a registration
 * whose read model has not caught up (the projector restarting). Telling a client its sign-up
 * failed when it was stored would send it round again for an address it now holds. Undefined when
 * the stream has no registration.
 */
export async function recordedUser(deps: SessionDeps, userId: string): Promise<UserRow | undefined> {
  const { state, events } = await loadAggregate(deps, users, userStream(userId));
  const registered = events[0];
  if (state.status === 'unregistered' || !registered) return undefined;
  const lastSignIn = events.findLast((loaded) => loaded.event.type === 'LoginSucceeded');
  return {
    user_id: state.userId,
    email: state.email,
    display_name: state.displayName,
    bio: state.bio,
    role: state.role,
    status: state.status,
    totp_enabled: state.totp?.enabled ?? false,
    registered_at: new Date(registered.metadata.occurredAt),
    last_sign_in_at: lastSignIn?.event.type === 'LoginSucceeded' ? new Date(lastSignIn.event.data.at) : null,
    email_verified_at: state.emailVerifiedAt ? new Date(state.emailVerifiedAt) : null,
    sort_key: '',
  };
}
