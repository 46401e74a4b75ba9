import { z } from 'zod';
import { validation } from '../../domain/shared/domain-error.ts';
import type { Queryable } from '../../services/social/blocks.ts';
import { type Page, pageOf } from '../pagination.ts';

/**
 * The `chat` read model's conversation reads, always from one member's side: a conversation is
 * read through the caller's own active membership row, so a stranger or a former member finds
 * nothing. Lists are keyset paginated; positions come back as decimal text (bigints never round).
 */

export interface ConversationRow {
  conversation_id: string;
  kind: 'direct' | 'group';
  title: string | null;
  avatar_asset_id: string | null;
  member_count: number;
  last_activity_at: Date;
  last_activity_position: string;
  /** The reader's own membership. */
  user_id: string;
  role: 'owner' | 'admin' | 'member';
  joined_position: string;
  delivered_position: string;
  read_position: string;
  muted: boolean;
  archived: boolean;
  pinned: boolean;
}

const CONVERSATION_COLUMNS = `c.conversation_id, c.kind, c.title, c.avatar_asset_id, c.member_count,
  c.last_activity_at,
  c.last_activity_position::text as last_activity_position, m.user_id, m.role,
  m.joined_position::text as joined_position, m.delivered_position::text as delivered_position,
  m.read_position::text as read_position,
  m.muted, m.archived, m.pinned`;
const CONVERSATION_FROM = `chat_members m join chat_conversations c on c.conversation_id = m.conversation_id`;

/** The conversation as `userId` sees it; undefined unless they are an active member. */
export async function conversationOf(
  pool: Queryable,
  userId: string,
  conversationId: string,
): Promise<ConversationRow | undefined> {
  const { rows } = await pool.query<ConversationRow>(
    `select ${CONVERSATION_COLUMNS} from ${CONVERSATION_FROM}
      where m.conversation_id = $1::uuid and m.user_id = $2::uuid and m.active`,
    [conversationId, userId],
  );
  return rows[0];
}

/** Pinned first, then the most recent activity; the id breaks ties so the order is total. */
export const conversationCursor = (row: ConversationRow) => [
  row.pinned ? '1' : '0',
  row.last_activity_position,
  row.conversation_id,
];

const cursorValues = z.tuple([z.enum(['0', '1']), z.string().regex(/^\d{1,19}$/u), z.uuid()]);

/** One page of the caller's active conversations, archived or not. */
export async function listMyConversations(
  pool: Queryable,
  userId: string,
  archived: boolean,
  raw: { first?: number | null; after?: string | null },
): Promise<{ rows: ConversationRow[]; page: Page }> {
  const page = pageOf(raw, 3);
  const after = page.after && cursorOf(cursorValues, page.after);
  const values: unknown[] = [userId, archived, page.first + 1];
  let keyset = '';
  if (after) {
    const [pinned, position, id] = after;
    values.push(pinned === '1', position, id);
    keyset = 'and (m.pinned, c.last_activity_position, c.conversation_id) < ($4, $5::bigint, $6::uuid)';
  }
  const { rows } = await pool.query<ConversationRow>(
    `select ${CONVERSATION_COLUMNS} from ${CONVERSATION_FROM}
      where m.user_id = $1::uuid and m.active and m.archived = $2 ${keyset}
      order by m.pinned desc, c.last_activity_position desc, c.conversation_id desc
      limit $3`,
    values,
  );
  return { rows, page };
}

/** A cursor's values as its list wrote them; anything else was not handed out by this API. */
function cursorOf<Values>(schema: z.ZodType<Values>, values: string[]): Values {
  const parsed = schema.safeParse(values);
  if (!parsed.success) throw validation('INVALID_CURSOR', 'after is not a cursor this list handed out');
  return parsed.data;
}

export interface MemberRow {
  user_id: string;
  role: 'owner' | 'admin' | 'member';
  joined_at: Date;
  joined_position: string;
  /** '0' for the one who started the conversation, '1' for everyone else: the tie-break. */
  later: '0' | '1';
  delivered_position: string;
  read_position: string;
}

export const memberCursor = (row: MemberRow) => [row.joined_position, row.later, row.user_id];

const memberCursorValues = z.tuple([z.string().regex(/^\d{1,19}$/u), z.enum(['0', '1']), z.uuid()]);

/**
 * A page of each conversation's active members, longest-standing first, for a page of
 * conversations in one statement (a lateral read per conversation): everyone a conversation
 * started with joined at the same position, its starter comes first among them, then by id.
 * `after` (a member cursor) makes sense for one conversation; given for several, it applies to each.
 */
export async function listMembersOf(
  pool: Queryable,
  conversationIds: readonly string[],
  raw: { first?: number | null; after?: string | null },
): Promise<{ rows: Map<string, MemberRow[]>; page: Page }> {
  const page = pageOf(raw, 3);
  const after = page.after && cursorOf(memberCursorValues, page.after);
  const found = new Map<string, MemberRow[]>(conversationIds.map((id) => [id, []]));
  if (conversationIds.length === 0) return { rows: found, page };
  const values: unknown[] = [conversationIds, page.first + 1];
  let keyset = '';
  if (after) {
    values.push(...after);
    keyset = 'where (joined_position, later, user_id) > ($3::bigint, $4, $5::uuid)';
  }
  const { rows } = await pool.query<MemberRow & { conversation_id: string }>(
    // Reading implies receiving, so the delivered mark is never shown behind the read one.
    `select c.id as conversation_id, page.user_id, page.role, page.joined_at,
            page.joined_position::text as joined_position, page.later,
            greatest(page.delivered_position, page.read_position)::text as delivered_position,
            page.read_position::text as read_position
       from unnest($1::uuid[]) as c(id)
       cross join lateral (
         select * from (select m.*, case when m.user_id = conv.started_by then '0' else '1' end as later
                          from chat_members m
                          join chat_conversations conv on conv.conversation_id = m.conversation_id
                         where m.conversation_id = c.id and m.active) as members
          ${keyset}
          order by joined_position, later, user_id
          limit $2) as page
      order by c.id, page.joined_position, page.later, page.user_id`,
    values,
  );
  for (const { conversation_id, ...row } of rows) found.get(conversation_id)?.push(row);
  return { rows: found, page };
}

/** Unread messages are counted up to this many: a badge says "99+", and the work stays bounded. */
export const MAX_UNREAD_COUNT = 100;

/**
 * Unread counts of several of the reader's conversations in one statement, counted from the
 * messages themselves (nothing stored to drift): after their read mark and since they joined,
 * sent by others, not deleted, not hidden for them nor by moderators — at most MAX_UNREAD_COUNT
 * each, so a member who never reads a busy conversation costs 100 index rows, not its history.
 */
export async function unreadCounts(
  pool: Queryable,
  userId: string,
  conversationIds: readonly string[],
): Promise<Map<string, number>> {
  if (conversationIds.length === 0) return new Map();
  const { rows } = await pool.query<{ conversation_id: string; unread: number }>(
    `select cm.conversation_id,
            (select count(*)::int from (select 1 from chat_messages msg
              where msg.conversation_id = cm.conversation_id
                and msg.position > cm.read_position
                and msg.position >= cm.joined_position
                and msg.sender_id <> cm.user_id
                and msg.deleted_at is null
                and not exists (select 1 from chat_hidden_messages h
                                 where h.user_id = cm.user_id and h.message_id = msg.message_id)
                and not exists (select 1 from social_hidden s
                                 where s.target_kind = 'message' and s.target_id = msg.message_id)
              order by msg.position
              limit $3) as capped
            ) as unread
       from chat_members cm
      where cm.user_id = $1::uuid and cm.conversation_id = any($2::uuid[]) and cm.active`,
    [userId, conversationIds, MAX_UNREAD_COUNT],
  );
  return new Map(rows.map((row) => [row.conversation_id, row.unread]));
}
