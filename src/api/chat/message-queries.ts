import type pg from 'pg';
import { z } from 'zod';
import type { ChatAttachment } from '../../domain/chat/chat-values.ts';
import { notFound } from '../../domain/shared/domain-error.ts';
import { membership } from '../../services/chat/chat-facts.ts';
import { DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE } from '../pagination.ts';

/** A message as the `chat` read model holds it; bigint positions arrive as strings. */
export interface ChatMessageRow {
  message_id: string;
  conversation_id: string;
  position: string;
  sender_id: string;
  text: string | null;
  reply_to_id: string | null;
  attachments: ChatAttachment[];
  revisions: number;
  edited_at: Date | null;
  deleted_at: Date | null;
  sent_at: Date;
}

/**
 * The reader's active membership, or NOT_FOUND: a former member and a stranger learn the same thing
 * (nothing), so nobody can probe which conversations exist.
 */
export async function requireMembership(pool: pg.Pool, conversationId: string, userId: string) {
  const found = await membership(pool, conversationId, userId);
  if (!found?.active) throw notFound('CONVERSATION_NOT_FOUND', 'No such conversation');
  return found;
}

/**
 * What a reader may see of a conversation's messages: sent since they joined (VISIBLE), not hidden
 * for themselves, and not hidden by moderators unless they wrote it (NOT_HIDDEN). `$1` is the
 * reader. Deleted messages stay (a tombstone in their place in the history); search leaves them
 * out itself.
 */
const NOT_HIDDEN = `
   not exists (select 1 from chat_hidden_messages h where h.user_id = $1::uuid and h.message_id = m.message_id)
   and (m.sender_id = $1::uuid or not exists (
         select 1 from social_hidden s where s.target_kind = 'message' and s.target_id = m.message_id))`;
const VISIBLE = `
  join chat_members me on me.conversation_id = m.conversation_id and me.user_id = $1::uuid and me.active
 where m.position >= me.joined_position and ${NOT_HIDDEN}`;

const COLUMNS = `m.message_id, m.conversation_id, m.position::text as position, m.sender_id, m.text,
  m.reply_to_id, m.attachments, m.revisions, m.edited_at, m.deleted_at, m.sent_at`;

/** Messages by id that `readerId` may see; others (and unknown ids) are simply absent. */
export async function findMessages(
  pool: pg.Pool,
  readerId: string,
  messageIds: readonly string[],
): Promise<Map<string, ChatMessageRow>> {
  if (messageIds.length === 0) return new Map();
  const { rows } = await pool.query<ChatMessageRow>(
    `select ${COLUMNS} from chat_messages m ${VISIBLE} and m.message_id = any($2::uuid[])`,
    [readerId, messageIds],
  );
  return new Map(rows.map((row) => [row.message_id, row]));
}

/**
 * The newest message `readerId` may see in each conversation (a tombstone counts: it was said),
 * one index seek per conversation, for a page of conversations at once.
 */
export async function lastMessages(
  pool: pg.Pool,
  readerId: string,
  conversationIds: readonly string[],
): Promise<Map<string, ChatMessageRow>> {
  if (conversationIds.length === 0) return new Map();
  const { rows } = await pool.query<ChatMessageRow>(
    `select last.* from unnest($2::uuid[]) as c(id)
      cross join lateral (
        select ${COLUMNS} from chat_messages m ${VISIBLE} and m.conversation_id = c.id
         order by m.position desc limit 1) as last`,
    [readerId, conversationIds],
  );
  return new Map(rows.map((row) => [row.conversation_id, row]));
}

const position = z.string().regex(/^\d{1,19}$/u, 'a message position');
const count = z.number().int().min(1).max(MAX_PAGE_SIZE);

/**
 * History is paged by position both ways, as Relay connections are: `first`/`after` reads forward
 * (older to newer), `last`/`before` reads backward from the newest. Without either, the newest
 * DEFAULT_PAGE_SIZE messages: what a chat screen opens on.
 */
export const historyArgs = z
  .object({
    first: count.nullish(),
    after: position.nullish(),
    last: count.nullish(),
    before: position.nullish(),
  })
  .refine((args) => !(args.first != null && args.last != null), {
    message: 'ask for first or last, not both',
  });

export type HistoryArgs = z.infer<typeof historyArgs>;

export interface HistoryPage {
  /** Oldest first, whichever way it was read. */
  rows: ChatMessageRow[];
  hasPreviousPage: boolean;
  hasNextPage: boolean;
}

/**
 * One page of a conversation's history for an active member. Each direction reads one row more
 * than asked (it says whether there is more that way); the other direction's flag is whether a
 * cursor was given, as Relay allows, since rows exist on the other side of a cursor the client holds.
 */
export async function messageHistory(
  pool: pg.Pool,
  readerId: string,
  conversationId: string,
  args: HistoryArgs,
): Promise<HistoryPage> {
  const backward = args.last != null || (args.before != null && args.first == null);
  const limit = (backward ? args.last : args.first) ?? DEFAULT_PAGE_SIZE;
  const params: unknown[] = [readerId, conversationId, limit + 1];
  const bounds: string[] = [];
  if (args.after != null) bounds.push(`m.position > $${params.push(args.after)}::bigint`);
  if (args.before != null) bounds.push(`m.position < $${params.push(args.before)}::bigint`);
  const { rows } = await pool.query<ChatMessageRow>(
    `select ${COLUMNS} from chat_messages m ${VISIBLE} and m.conversation_id = $2::uuid
       ${bounds.map((bound) => `and ${bound}`).join(' ')}
      order by m.position ${backward ? 'desc' : 'asc'} limit $3`,
    params,
  );
  const more = rows.length > limit;
  const page = rows.slice(0, limit);
  if (backward) {
    return { rows: page.reverse(), hasPreviousPage: more, hasNextPage: args.before != null };
  }
  return { rows: page, hasPreviousPage: args.after != null, hasNextPage: more };
}

export const searchArgs = z.object({
  query: z.string().trim().min(1).max(200),
  conversationId: z.uuid().nullish(),
  first: count.nullish(),
  after: position.nullish(),
});

/**
 * Full-text search over the messages `readerId` may see in every conversation they are an active
 * member of (or one of them), newest first, paged by position. Driven by their memberships: each
 * conversation is searched on its own (its (conversation, position) index, newest first, at most a
 * page), so the work follows the reader's conversations, never every conversation's matches.
 * `websearch_to_tsquery` takes what people type (quotes, `-word`, `or`) and never fails on syntax.
 * Deleted messages have no words.
 */
export async function searchMessages(
  pool: pg.Pool,
  readerId: string,
  args: z.infer<typeof searchArgs>,
): Promise<{ rows: ChatMessageRow[]; hasNextPage: boolean }> {
  const limit = args.first ?? DEFAULT_PAGE_SIZE;
  const params: unknown[] = [readerId, args.query, limit + 1];
  const conversation =
    args.conversationId != null ? `and me.conversation_id = $${params.push(args.conversationId)}::uuid` : '';
  const after = args.after != null ? `and m.position < $${params.push(args.after)}::bigint` : '';
  const { rows } = await pool.query<ChatMessageRow>(
    `select found.* from chat_members me
      cross join lateral (
        select ${COLUMNS} from chat_messages m
         where m.conversation_id = me.conversation_id
           and m.position >= me.joined_position
           and m.deleted_at is null
           and m.search @@ websearch_to_tsquery('simple', $2)
           and ${NOT_HIDDEN}
           ${after}
         order by m.position desc limit $3) as found
      where me.user_id = $1::uuid and me.active ${conversation}
      order by found.position::bigint desc limit $3`,
    params,
  );
  return { rows: rows.slice(0, limit), hasNextPage: rows.length > limit };
}

export interface ReactionCount {
  emoji: string;
  count: number;
  reactedByMe: boolean;
}

/** Reactions per message, each emoji once with its count, in the order they were first used. */
export async function reactionsOf(
  pool: pg.Pool,
  readerId: string,
  messageIds: readonly string[],
): Promise<Map<string, ReactionCount[]>> {
  const found = new Map<string, ReactionCount[]>();
  if (messageIds.length === 0) return found;
  const { rows } = await pool.query<{ message_id: string } & ReactionCount>(
    `select message_id, emoji, count(*)::int as count, bool_or(user_id = $1::uuid) as "reactedByMe"
       from chat_reactions where message_id = any($2::uuid[])
      group by message_id, emoji order by min(reacted_at), emoji`,
    [readerId, messageIds],
  );
  for (const { message_id, ...reaction } of rows) {
    found.set(message_id, [...(found.get(message_id) ?? []), reaction]);
  }
  return found;
}

/**
 * How far each active member of the conversations has received and read, and where they joined
 * (positions as bigint): a member who joined after a message never saw it, whatever their marks say.
 */
export interface MemberReceipt {
  userId: string;
  joined: bigint;
  delivered: bigint;
  read: bigint;
}

export async function receiptsOf(
  pool: pg.Pool,
  conversationIds: readonly string[],
): Promise<Map<string, MemberReceipt[]>> {
  const found = new Map<string, MemberReceipt[]>();
  if (conversationIds.length === 0) return found;
  const { rows } = await pool.query<{
    conversation_id: string;
    user_id: string;
    joined: string;
    delivered: string;
    read: string;
  }>(
    // Read implies delivered, whichever of the two marks the projector applied last.
    `select conversation_id, user_id, joined_position::text as joined,
            greatest(delivered_position, read_position)::text as delivered,
            read_position::text as read
       from chat_members where conversation_id = any($1::uuid[]) and active`,
    [conversationIds],
  );
  for (const row of rows) {
    const receipt = {
      userId: row.user_id,
      joined: BigInt(row.joined),
      delivered: BigInt(row.delivered),
      read: BigInt(row.read),
    };
    found.set(row.conversation_id, [...(found.get(row.conversation_id) ?? []), receipt]);
  }
  return found;
}
