import { chatterOf } from '../../domain/chat/chat-actor.ts';
import { forbidden, notFound, unauthenticated } from '../../domain/shared/domain-error.ts';
import { callerFor, type GraphQLContext, type RequestScope } from '../request-scope.ts';
import { Channel } from '../subscriptions/channel.ts';
import { counted } from '../subscriptions/counted.ts';
import { asGraphQLError } from '../subscriptions/subscription-errors.ts';
import { isActiveMember } from './conversation-updates.ts';
import { type EphemeralBus, type EphemeralNotice, typingTopic } from './ephemeral-bus.ts';

/** How long one `setTyping` shows someone as typing; clients send it again while they type. */
export const TYPING_TTL_MS = 5_000;

/** Who is typing in a conversation now (the subscriber left out), as `conversationTyping` yields it. */
export interface ChatTypingView {
  conversationId: string;
  userIds: string[];
}

const conversationNotFound = () => notFound('CONVERSATION_NOT_FOUND', 'No such conversation of yours');

/**
 * `setTyping(conversationId)`: tells the conversation's watchers, for TYPING_TTL_MS, that the caller
 * types. Nothing is stored (no event, no row, no timer here): a notice is published, and only the
 * subscriptions that hear it keep state. Someone who is not a member is told NOT_FOUND, as a
 * stranger is everywhere in chat.
 */
export async function setTyping(scope: RequestScope, bus: EphemeralBus, conversationId: string) {
  const userId = chatterOf((await callerFor(scope, 'write')).actor);
  if (!(await isActiveMember(scope.services.pool, conversationId, userId))) throw conversationNotFound();
  await bus.publish({ kind: 'typing', conversationId, userId, expiresAt: Date.now() + TYPING_TTL_MS });
  return true;
}

/**
 * `conversationTyping(conversationId)`: the set of people typing (not the subscriber), sent each
 * time it changes — someone starts, or someone's TYPING_TTL_MS runs out without another
 * `setTyping`. Typing from before the subscription started is not known (it lasts seconds). One
 * timer, for the next expiry, runs only while someone types. Membership is checked at the start and
 * again when the subscriber's membership row changes: a member removed is ended with
 * FORBIDDEN/ACCESS_REVOKED.
 */
export async function conversationTyping(
  context: GraphQLContext,
  bus: EphemeralBus,
  conversationId: string,
): Promise<Channel<ChatTypingView>> {
  const { live, scope } = context;
  if (!live) throw unauthenticated('SIGN_IN_REQUIRED', 'Subscriptions need an authenticated WebSocket');
  const { pool } = scope.services;
  const me = chatterOf((await callerFor(scope, 'read')).actor);
  if (!(await isActiveMember(pool, conversationId, me))) throw conversationNotFound();

  const channel = new Channel<ChatTypingView>(live.signal);
  const typists = new Map<string, number>();
  let timer: NodeJS.Timeout | undefined;
  const send = () => channel.push({ conversationId, userIds: [...typists.keys()].sort() });
  const expire = () => {
    timer = undefined;
    const now = Date.now();
    let changed = false;
    for (const [userId, expiresAt] of typists) {
      if (expiresAt <= now) {
        typists.delete(userId);
        changed = true;
      }
    }
    if (changed) send();
    schedule();
  };
  const schedule = () => {
    clearTimeout(timer);
    timer = undefined;
    if (typists.size === 0 || channel.signal.aborted) return;
    const next = Math.min(...typists.values());
    timer = setTimeout(expire, Math.max(0, next - Date.now()));
  };
  const heard = (notice: EphemeralNotice) => {
    if (notice.kind !== 'typing' || notice.userId === me) return;
    // Another process's clock, or a forged notice, never keeps someone "typing" longer than the TTL.
    const expiresAt = Math.min(notice.expiresAt, Date.now() + TYPING_TTL_MS);
    if (expiresAt <= Date.now()) return;
    const isNew = !typists.has(notice.userId);
    typists.set(notice.userId, Math.max(expiresAt, typists.get(notice.userId) ?? 0));
    if (isNew) send();
    schedule();
  };

  // Changes that arrive while a check runs are folded into one more check, never skipped.
  let checking = false;
  let dirty = false;
  const recheck = async () => {
    dirty = true;
    if (checking) return;
    checking = true;
    try {
      while (dirty && !channel.signal.aborted) {
        dirty = false;
        const userId = chatterOf(live.authenticated.actor);
        if (!(await isActiveMember(pool, conversationId, userId))) {
          throw forbidden('ACCESS_REVOKED', 'You are no longer a member of this conversation');
        }
      }
    } catch (error) {
      if (!channel.signal.aborted) channel.fail(asGraphQLError(error, context.app.log));
    } finally {
      checking = false;
    }
  };
  const cleanups = [
    bus.subscribe(typingTopic(conversationId), heard),
    scope.services.bus.subscribe((change) => {
      if (change.projection !== 'chat') return;
      const mine = change.keys.some(
        ({ table, key }) =>
          table === 'chat_members' && key.conversation_id === conversationId && key.user_id === me,
      );
      if (change.truncated || mine) void recheck();
    }),
    live.onUpdate(() => void recheck()),
  ];
  channel.signal.addEventListener(
    'abort',
    () => {
      clearTimeout(timer);
      for (const cleanup of cleanups) cleanup();
    },
    { once: true },
  );
  return counted(channel);
}
