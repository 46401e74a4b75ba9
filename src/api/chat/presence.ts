import type pg from 'pg';
import { z } from 'zod';
import { chatterOf } from '../../domain/chat/chat-actor.ts';
import { unauthenticated } from '../../domain/shared/domain-error.ts';
import { callerFor, type GraphQLContext, type RequestScope } from '../request-scope.ts';
import { Channel } from '../subscriptions/channel.ts';
import { counted } from '../subscriptions/counted.ts';
import { asGraphQLError } from '../subscriptions/subscription-errors.ts';
import { type EphemeralBus, type EphemeralNotice, presenceTopic } from './ephemeral-bus.ts';

/** Online for this long after a heartbeat; clients beat more often (every 15–20 s, say). */
export const PRESENCE_TTL_MS = 30_000;
/** People one `presence` or `presenceChanged` may ask about. */
export const MAX_PRESENCE_USERS = 100;

export interface ChatPresenceView {
  userId: string;
  online: boolean;
  /** The last heartbeat, ISO 8601; null when none is remembered. */
  lastSeenAt: string | null;
}

export const presenceUserIds = z
  .array(z.uuid())
  .max(MAX_PRESENCE_USERS)
  .transform((ids) => [...new Set(ids.map((id) => id.toLowerCase()))]);

const viewOf = (userId: string, lastSeen: number | undefined, now: number): ChatPresenceView => ({
  userId,
  online: lastSeen !== undefined && now - lastSeen < PRESENCE_TTL_MS,
  lastSeenAt: lastSeen === undefined ? null : new Date(lastSeen).toISOString(),
});

/**
 * Whose presence the caller may see among `userIds`: their own, and that of anyone they share a
 * conversation with now (both active members) unless either blocked the other — sharing a group
 * must not show someone to a person they blocked or who blocked them. Deliberately simple: no
 * contacts list, no privacy setting; others are left out without an error, so an answer never
 * says who exists (nor who blocked whom).
 */
export async function visiblePresence(pool: pg.Pool, me: string, userIds: readonly string[]) {
  const { rows } = await pool.query<{ user_id: string }>(
    `select distinct other.user_id
       from chat_members mine
       join chat_members other on other.conversation_id = mine.conversation_id and other.active
      where mine.user_id = $1::uuid and mine.active and other.user_id = any($2::uuid[])
        and not exists (
          select 1 from social_blocks b
           where (b.blocker_id = $1::uuid and b.blocked_id = other.user_id)
              or (b.blocker_id = other.user_id and b.blocked_id = $1::uuid))`,
    [me, userIds],
  );
  const visible = new Set(rows.map((row) => row.user_id));
  if (userIds.includes(me)) visible.add(me);
  return visible;
}

/**
 * `heartbeat`: the caller is online for PRESENCE_TTL_MS and their last-seen time moves to now.
 * Not an event (nothing reaches the event store): a last-seen time in Redis (or this process) and
 * one published notice; no timer is started — only subscriptions watching them keep one.
 */
export async function heartbeat(scope: RequestScope, bus: EphemeralBus): Promise<boolean> {
  const userId = chatterOf((await callerFor(scope, 'write')).actor);
  const at = Date.now();
  await bus.markSeen(userId, at);
  await bus.publish({ kind: 'presence', userId, lastSeenAt: at });
  return true;
}

/** `presence(userIds)`: each visible one's presence now, in the order asked. */
export async function presence(scope: RequestScope, bus: EphemeralBus, userIds: string[]) {
  const me = chatterOf((await callerFor(scope, 'read')).actor);
  const visible = await visiblePresence(scope.services.pool, me, userIds);
  const shown = userIds.filter((id) => visible.has(id));
  const seen = await bus.lastSeen(shown);
  const now = Date.now();
  return shown.map((id) => viewOf(id, seen.get(id), now));
}

/**
 * `presenceChanged(userIds)`: each visible person's presence at the start, then again whenever it
 * changes: a heartbeat after being offline, or PRESENCE_TTL_MS without one (a timer per person,
 * only while they are online). Who is visible is decided again when the memberships of the
 * subscriber or of one of them change: someone no longer sharing a conversation is dropped
 * silently, someone now sharing one is sent.
 */
export async function presenceChanged(
  context: GraphQLContext,
  bus: EphemeralBus,
  userIds: string[],
): Promise<Channel<ChatPresenceView>> {
  const { live, scope } = context;
  if (!live) throw unauthenticated('SIGN_IN_REQUIRED', 'Subscriptions need an authenticated WebSocket');
  const { pool } = scope.services;
  const me = chatterOf((await callerFor(scope, 'read')).actor);
  const channel = new Channel<ChatPresenceView>(live.signal);
  /** The watched: online or not as last sent, their last heartbeat, and their offline timer. */
  const watched = new Map<
    string,
    { online: boolean; primed: boolean; lastSeen?: number; timer?: NodeJS.Timeout }
  >();
  const asked = new Set(userIds);

  /** Sends their presence when it changed since last sent (or `always`), and re-arms their offline timer. */
  const update = (userId: string, always = false) => {
    const state = watched.get(userId);
    if (!state) return;
    const view = viewOf(userId, state.lastSeen, Date.now());
    const changed = view.online !== state.online;
    state.online = view.online;
    if (changed || always) channel.push(view);
    clearTimeout(state.timer);
    state.timer = undefined;
    if (view.online && state.lastSeen !== undefined) {
      // Fires only if no heartbeat came in the meantime (each one re-arms it).
      state.timer = setTimeout(() => update(userId), state.lastSeen + PRESENCE_TTL_MS - Date.now());
    }
  };
  const heard = (notice: EphemeralNotice) => {
    if (notice.kind !== 'presence') return;
    const state = watched.get(notice.userId);
    if (!state || notice.lastSeenAt <= (state.lastSeen ?? 0)) return;
    state.lastSeen = notice.lastSeenAt;
    // Before their first value is sent, a heartbeat only moves what that value will say.
    if (state.primed) update(notice.userId);
  };
  const unsubscribes = new Map<string, () => void>();
  const unwatch = (userId: string) => {
    clearTimeout(watched.get(userId)?.timer);
    watched.delete(userId);
    unsubscribes.get(userId)?.();
    unsubscribes.delete(userId);
  };

  const decide = async () => {
    const visible = await visiblePresence(pool, chatterOf(live.authenticated.actor), [...asked]);
    for (const userId of [...watched.keys()]) if (!visible.has(userId)) unwatch(userId);
    const added = [...asked].filter((id) => visible.has(id) && !watched.has(id));
    // Listening before reading the last-seen times, so a heartbeat in between is not missed.
    for (const userId of added) {
      watched.set(userId, { online: false, primed: false });
      unsubscribes.set(userId, bus.subscribe(presenceTopic(userId), heard));
    }
    const seen = await bus.lastSeen(added);
    for (const userId of added) {
      const state = watched.get(userId);
      if (!state || channel.signal.aborted) continue;
      const at = Math.max(seen.get(userId) ?? 0, state.lastSeen ?? 0);
      if (at > 0) state.lastSeen = at;
      state.primed = true;
      update(userId, true);
    }
  };
  // Changes arriving while a decision runs are folded into one more.
  let deciding = false;
  let dirty = false;
  const redecide = async () => {
    dirty = true;
    if (deciding) return;
    deciding = true;
    try {
      while (dirty && !channel.signal.aborted) {
        dirty = false;
        await decide();
      }
    } catch (error) {
      if (!channel.signal.aborted) {
        context.app.log.error({ err: error }, 'presenceChanged could not decide who is visible');
        channel.fail(asGraphQLError(error, context.app.log));
      }
    } finally {
      deciding = false;
    }
  };
  // Memberships and blocks decide who is visible: a block made while watching drops the person.
  const unsubscribeChanges = scope.services.bus.subscribe((change) => {
    if (change.projection !== 'chat' && change.projection !== 'social_graph') return;
    const involved = (id: unknown) => id === me || asked.has(String(id));
    const concerned = change.keys.some(
      ({ table, key }) =>
        (table === 'chat_members' && involved(key.user_id)) ||
        (table === 'social_blocks' && (involved(key.blocker_id) || involved(key.blocked_id))),
    );
    if (change.truncated || concerned) void redecide();
  });
  channel.signal.addEventListener(
    'abort',
    () => {
      unsubscribeChanges();
      for (const userId of [...watched.keys()]) unwatch(userId);
    },
    { once: true },
  );
  try {
    await decide();
  } catch (error) {
    // Refused: what the first decision started listening to stops with the channel.
    channel.end();
    throw error;
  }
  return counted(channel);
}
