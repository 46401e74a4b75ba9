import type pg from 'pg';
import { chatterOf } from '../../domain/chat/chat-actor.ts';
import { forbidden, notFound, unauthenticated } from '../../domain/shared/domain-error.ts';
import type { Change } from '../../projections/change-bus.ts';
import { callerFor, type GraphQLContext } from '../request-scope.ts';
import type { Channel } from '../subscriptions/channel.ts';
import type { LiveConnection } from '../subscriptions/live-connection.ts';
import { watchReadModel } from '../subscriptions/read-model-watch.ts';
import type { ChatMessageView } from './message-mappers.ts';
import { chatMessagesFor } from './message-resolvers.ts';

/** The read model the timeline lives in (its name in projection_state too). */
const CHAT_PROJECTION = 'chat';
/** Timeline rows read per statement; a longer backlog is read again at once, after the client took these. */
export const UPDATE_BATCH = 500;

const TIMELINE_KINDS = {
  message_sent: 'MESSAGE_SENT',
  message_edited: 'MESSAGE_EDITED',
  message_deleted: 'MESSAGE_DELETED',
  reaction_changed: 'REACTION_CHANGED',
  members_changed: 'MEMBERS_CHANGED',
  details_changed: 'DETAILS_CHANGED',
} as const;

/** One row of `chat_timeline` as the API shows it; `position` is the resume token. */
export interface ChatUpdateView {
  conversationId: string;
  position: string;
  kind: (typeof TIMELINE_KINDS)[keyof typeof TIMELINE_KINDS];
  messageId: string | null;
  userId: string | null;
  at: string;
  /** The message as the subscriber sees it when asked (`ChatUpdate.message`); null for other kinds. */
  loadMessage: (() => Promise<ChatMessageView | null>) | null;
}

interface TimelineRow {
  conversation_id: string | null;
  position: string | null;
  kind: keyof typeof TIMELINE_KINDS | null;
  message_id: string | null;
  user_id: string | null;
  at: Date | null;
}

/**
 * Whether the timeline row `t` may reach `reader`: a row about a message follows what the reader
 * may see of that message (message-queries.ts `VISIBLE`): not hidden for them, and not hidden by
 * moderators unless they sent it. Otherwise an update would still say that a hidden message was
 * sent, edited or reacted to, and by its id. Rows of other kinds (members, details) always pass.
 */
const visibleRow = (reader: string) => `(t.message_id is null or (
  not exists (select 1 from chat_hidden_messages h where h.user_id = ${reader} and h.message_id = t.message_id)
  and not exists (
    select 1 from social_hidden s
     where s.target_kind = 'message' and s.target_id = t.message_id
       and not exists (select 1 from chat_messages sent
                        where sent.message_id = t.message_id and sent.sender_id = ${reader}))))`;

const conversationNotFound = () => notFound('CONVERSATION_NOT_FOUND', 'No such conversation of yours');

/**
 * One read's rows as updates. Their messages are read together, once, when the first update's
 * `message` is resolved (and not at all when the subscription does not select it): each update is
 * executed on its own, so a per-field resolver (or a loader, which batches within one execution)
 * would read a 500-row backlog with a few queries per row.
 */
function toUpdates(context: GraphQLContext, readerId: string, rows: TimelineRow[]): ChatUpdateView[] {
  const messageIds = [...new Set(rows.flatMap((row) => (row.message_id ? [row.message_id] : [])))];
  let messages: Promise<Map<string, ChatMessageView>> | undefined;
  const load = (messageId: string) => async () => {
    messages ??= chatMessagesFor(context.scope, readerId, messageIds);
    return (await messages).get(messageId) ?? null;
  };
  return rows.flatMap((row) => {
    if (row.conversation_id === null || row.position === null || row.kind === null || row.at === null) {
      return [];
    }
    return [
      {
        conversationId: row.conversation_id,
        position: row.position,
        kind: TIMELINE_KINDS[row.kind],
        messageId: row.message_id,
        userId: row.user_id,
        at: row.at.toISOString(),
        loadMessage: row.message_id ? load(row.message_id) : null,
      },
    ];
  });
}

/**
 * The position a new subscription starts after: `after` when given (a resume token), else the
 * `chat` read model's checkpoint now, so only what happens from now on is sent.
 */
async function startingPoint(pool: pg.Pool, after: string | undefined): Promise<bigint> {
  if (after !== undefined) return BigInt(after);
  const { rows } = await pool.query<{ checkpoint: string }>(
    'select checkpoint::text as checkpoint from projection_state where name = $1',
    [CHAT_PROJECTION],
  );
  return BigInt(rows[0]?.checkpoint ?? '0');
}

/** Whether they are a member of the conversation now (a former member is not). */
export async function isActiveMember(
  pool: pg.Pool,
  conversationId: string,
  userId: string,
): Promise<boolean> {
  const { rows } = await pool.query(
    'select 1 from chat_members where conversation_id = $1::uuid and user_id = $2::uuid and active',
    [conversationId, userId],
  );
  return rows.length > 0;
}

function openLive(context: GraphQLContext): LiveConnection {
  if (!context.live)
    throw unauthenticated('SIGN_IN_REQUIRED', 'Subscriptions need an authenticated WebSocket');
  return context.live;
}

/**
 * `conversationUpdates(conversationId, after)`: the conversation's timeline rows after `after`, in
 * position order, each once. Gap-free because every read takes the rows and the `chat` read
 * model's checkpoint in one statement (one snapshot) and stops at that checkpoint: a row of a batch
 * the projector has not committed yet cannot be skipped past, since its position is above the
 * checkpoint until it is there. The cursor then moves to the last row sent, so a client that
 * resumes with the last position it received gets the rest, nothing twice. Membership is checked
 * in the same statement: a member removed (or gone) ends the subscription with
 * FORBIDDEN/ACCESS_REVOKED, and nothing from after that point is sent.
 */
export async function conversationUpdates(
  context: GraphQLContext,
  conversationId: string,
  after: string | undefined,
): Promise<Channel<ChatUpdateView>> {
  const live = openLive(context);
  const { pool } = context.scope.services;
  const userId = chatterOf((await callerFor(context.scope, 'read')).actor);
  if (!(await isActiveMember(pool, conversationId, userId))) throw conversationNotFound();
  let cursor = await startingPoint(pool, after);
  let again: (() => void) | undefined;
  return watchReadModel<ChatUpdateView>(context, live, {
    concerns: (change) =>
      change.projection === CHAT_PROJECTION &&
      (change.truncated ||
        change.keys.some(
          ({ table, key }) =>
            key.conversation_id === conversationId &&
            (table === 'chat_timeline' || (table === 'chat_members' && key.user_id === userId)),
        )),
    wake: (refresh) => {
      again = refresh;
      return () => {
        again = undefined;
      };
    },
    async read(actor) {
      const { rows } = await pool.query<TimelineRow & { member: boolean }>(
        `select m.user_id is not null as member, t.conversation_id, t.position::text as position, t.kind,
                t.message_id, t.user_id, t.at
           from projection_state s
           left join chat_members m
             on m.conversation_id = $1::uuid and m.user_id = $2::uuid and m.active
           left join lateral (
             select * from chat_timeline t
              where t.conversation_id = $1::uuid and t.position > $3::bigint
                and t.position <= s.checkpoint and t.position >= m.joined_position
                and ${visibleRow('$2::uuid')}
              order by t.position
              limit $4) t on true
          where s.name = $5
          order by t.position`,
        [conversationId, chatterOf(actor), cursor.toString(), UPDATE_BATCH, CHAT_PROJECTION],
      );
      if (!rows[0]?.member)
        throw forbidden('ACCESS_REVOKED', 'You are no longer a member of this conversation');
      const updates = toUpdates(context, chatterOf(actor), rows);
      const last = updates.at(-1);
      if (last) cursor = BigInt(last.position);
      // A full batch leaves more behind: read again once the client has taken these.
      if (updates.length === UPDATE_BATCH) again?.();
      return updates;
    },
  });
}

/**
 * `myConversationUpdates(after)`: the same, across every conversation the caller is an active
 * member of now (each from the position they joined it at). A conversation they leave or are
 * removed from simply stops appearing; one they are added to appears from its members_changed row.
 * Which changes concern the subscription is decided without I/O from the set of their
 * conversations, read again whenever their own membership rows change.
 */
export async function myConversationUpdates(
  context: GraphQLContext,
  after: string | undefined,
): Promise<Channel<ChatUpdateView>> {
  const live = openLive(context);
  const { pool } = context.scope.services;
  const userId = chatterOf((await callerFor(context.scope, 'read')).actor);
  let cursor = await startingPoint(pool, after);
  let conversations = await activeConversations(pool, userId);
  let membershipChanged = false;
  let again: (() => void) | undefined;
  const concerns = (change: Change) => {
    if (change.projection !== CHAT_PROJECTION) return false;
    if (change.truncated) {
      membershipChanged = true;
      return true;
    }
    let concerned = false;
    for (const { table, key } of change.keys) {
      if (table === 'chat_members' && key.user_id === userId) {
        membershipChanged = true;
        concerned = true;
      } else if (table === 'chat_timeline' && conversations.has(String(key.conversation_id))) {
        concerned = true;
      }
    }
    return concerned;
  };
  return watchReadModel<ChatUpdateView>(context, live, {
    concerns,
    wake: (refresh) => {
      again = refresh;
      return () => {
        again = undefined;
      };
    },
    async read(actor) {
      const me = chatterOf(actor);
      if (membershipChanged) {
        membershipChanged = false;
        conversations = await activeConversations(pool, me);
      }
      const { rows } = await pool.query<TimelineRow>(
        // Driven by their memberships, each conversation's rows read through its (conversation, position) key.
        `select t.conversation_id, t.position::text as position, t.kind, t.message_id, t.user_id, t.at
           from projection_state s
           join chat_members m on m.user_id = $1::uuid and m.active
           cross join lateral (
             select * from chat_timeline t
              where t.conversation_id = m.conversation_id and t.position > $2::bigint
                and t.position <= s.checkpoint and t.position >= m.joined_position
                and ${visibleRow('$1::uuid')}
              order by t.position
              limit $3) t
          where s.name = $4
          order by t.position
          limit $3`,
        [me, cursor.toString(), UPDATE_BATCH, CHAT_PROJECTION],
      );
      const updates = toUpdates(context, me, rows);
      const last = updates.at(-1);
      if (last) cursor = BigInt(last.position);
      if (updates.length === UPDATE_BATCH) again?.();
      return updates;
    },
  });
}

async function activeConversations(pool: pg.Pool, userId: string): Promise<Set<string>> {
  const { rows } = await pool.query<{ conversation_id: string }>(
    'select conversation_id from chat_members where user_id = $1::uuid and active',
    [userId],
  );
  return new Set(rows.map((row) => row.conversation_id));
}
