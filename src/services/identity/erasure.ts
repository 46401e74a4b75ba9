import { loadAggregate } from '../../commands/load-aggregate.ts';
import { releaseUnique } from '../../commands/reservations.ts';
import { EMAIL_SCOPE, userStream } from '../../domain/identity/streams.ts';
import type { UserEventOf } from '../../domain/identity/user-events.ts';
import { notFound } from '../../domain/shared/domain-error.ts';
import { destroyChatTextOf } from '../chat/erasure.ts';
import { destroyCommunityTextOf } from '../communities/erasure.ts';
import { commandIdFor, envelope, execute, nowFrom, type RequestContext } from '../shared/command-context.ts';
import { selfId } from './account.ts';
import { users } from './aggregates.ts';
import type { IdentityDeps } from './context.ts';
import { optionalUserIdInput } from './inputs.ts';

/** What the person who asked for erasure gets back. */
export interface ErasureReceipt {
  userId: string;
  erasedFields: string[];
  /** When the UserForgotten event was recorded. */
  erasedAt: string;
  /** The destroyed key: every field it encrypted is now unreadable, in every copy of the history. */
  keyId: string | null;
  keyDestroyedAt: string;
  /** Global position of the UserForgotten event. */
  position: bigint | null;
}

/**
 * Erasure without rewriting history: record `UserForgotten` (read models drop the fields as they
 * apply it), free the e-mail address, then destroy the user's key so no replay can decrypt the
 * personal fields again, the text keys of every chat message they sent (encrypted per message,
 * not with the user's key: see destroyChatTextOf) and their key in every community they belonged
 * to (their posts, answers and reflections there: see destroyCommunityTextOf). Each step is
 * idempotent, so an interrupted erasure is finished by asking again; the address is released
 * before the key goes because releasing needs the address. All of it is done before answering: the receipt means it is done.
 */
export async function forgetUser(
  deps: IdentityDeps,
  context: RequestContext,
  raw: unknown,
): Promise<ErasureReceipt> {
  const input = optionalUserIdInput.parse(raw);
  const userId = input.userId ?? selfId(context.actor);
  const stream = userStream(userId);
  const { state } = await loadAggregate(deps, users, stream);
  if (state.status === 'unregistered') throw notFound('USER_NOT_FOUND', 'No such user');
  const now = nowFrom(deps);
  const keyId = state.status === 'forgotten' ? null : (await deps.keys.keyFor(userId)).keyId;
  const command = envelope(context, commandIdFor(context, `forgetUser:${userId}`, input), now, {
    type: 'ForgetUser' as const,
    keyId,
  });
  const result = await execute(deps, users, stream, command);
  if (state.email) {
    await releaseUnique(deps, { scope: EMAIL_SCOPE, value: state.email, ownerId: userId }, command);
  }
  const destroyed = await deps.keys.destroy(userId);
  const readSide = { store: deps.store, keys: deps.keys, ...(deps.pool ? { pool: deps.pool } : {}) };
  const chatMessages = await destroyChatTextOf(readSide, userId);
  const communities = await destroyCommunityTextOf(readSide, userId);
  deps.log.info(
    { userId, chatMessages, communities },
    'user forgotten; chat message text keys and community text keys destroyed',
  );
  const forgotten = await forgottenEvent(deps, stream);
  return {
    userId,
    erasedFields: forgotten.data.erasedFields,
    erasedAt: forgotten.data.at,
    keyId: forgotten.data.keyId ?? destroyed.keyId,
    keyDestroyedAt: destroyed.destroyedAt.toISOString(),
    position: result.position,
  };
}

async function forgottenEvent(deps: IdentityDeps, stream: string): Promise<UserEventOf<'UserForgotten'>> {
  const { events } = await loadAggregate(deps, users, stream);
  const found = events
    .map((e) => e.event)
    .find((e): e is UserEventOf<'UserForgotten'> => e.type === 'UserForgotten');
  if (!found) throw new Error(`${stream} has no UserForgotten event after forgetting`);
  return found;
}
