import type { Queryable } from '../social/blocks.ts';

/**
 * Reads of the `chat` read model that every chat use case and resolver shares. Positions are global
 * store positions as decimal strings (as the events and the API spell them); 0 means none.
 */

export type ChatMemberRole = 'owner' | 'admin' | 'member';

/** One person's place in a conversation; a former member is `active: false` (never deleted). */
export interface Membership {
  active: boolean;
  role: ChatMemberRole;
  /** Where their history begins: they see messages from this position on. */
  joinedPosition: string;
}

export interface MessageFacts {
  conversationId: string;
  /** The position of the message's ChatMessageSent, its place in the conversation. */
  position: string;
  senderId: string;
  deleted: boolean;
}

export interface ConversationFacts {
  conversationId: string;
  kind: 'direct' | 'group';
  title: string | null;
  avatarAssetId: string | null;
  startedBy: string;
  memberCount: number;
}

/** The person's membership as the read model shows it; null when they never were a member. */
export async function membership(
  pool: Queryable,
  conversationId: string,
  userId: string,
): Promise<Membership | null> {
  const { rows } = await pool.query<{ active: boolean; role: ChatMemberRole; joined_position: string }>(
    `select active, role, joined_position::text as joined_position from chat_members
      where conversation_id = $1::uuid and user_id = $2::uuid`,
    [conversationId, userId],
  );
  const row = rows[0];
  return row ? { active: row.active, role: row.role, joinedPosition: row.joined_position } : null;
}

export async function messageFacts(pool: Queryable, messageId: string): Promise<MessageFacts | null> {
  const { rows } = await pool.query<{
    conversation_id: string;
    position: string;
    sender_id: string;
    deleted: boolean;
  }>(
    `select conversation_id, position::text as position, sender_id, deleted_at is not null as deleted
       from chat_messages where message_id = $1::uuid`,
    [messageId],
  );
  const row = rows[0];
  return row
    ? {
        conversationId: row.conversation_id,
        position: row.position,
        senderId: row.sender_id,
        deleted: row.deleted,
      }
    : null;
}

export async function conversationFacts(
  pool: Queryable,
  conversationId: string,
): Promise<ConversationFacts | null> {
  const { rows } = await pool.query<{
    conversation_id: string;
    kind: 'direct' | 'group';
    title: string | null;
    avatar_asset_id: string | null;
    started_by: string;
    member_count: number;
  }>(
    `select conversation_id, kind, title, avatar_asset_id, started_by, member_count
       from chat_conversations where conversation_id = $1::uuid`,
    [conversationId],
  );
  const row = rows[0];
  return row
    ? {
        conversationId: row.conversation_id,
        kind: row.kind,
        title: row.title,
        avatarAssetId: row.avatar_asset_id,
        startedBy: row.started_by,
        memberCount: row.member_count,
      }
    : null;
}

/**
 * Whether `userId` may see the message: an active member of its conversation who joined at or
 * before it, and, unless they sent it, one moderators have not hidden nor they hid for themselves.
 * Deleted messages stay visible (as deleted) — their text is what is gone.
 */
export async function messageVisibleTo(pool: Queryable, messageId: string, userId: string): Promise<boolean> {
  const { rows } = await pool.query<{ visible: boolean }>(
    `select exists (
       select 1 from chat_messages m
         join chat_members cm on cm.conversation_id = m.conversation_id and cm.user_id = $2::uuid
        where m.message_id = $1::uuid and cm.active and m.position >= cm.joined_position
          and not exists (select 1 from chat_hidden_messages h where h.user_id = $2::uuid and h.message_id = m.message_id)
          and (m.sender_id = $2::uuid or not exists (
                select 1 from social_hidden s where s.target_kind = 'message' and s.target_id = m.message_id))
     ) as visible`,
    [messageId, userId],
  );
  return rows[0]?.visible === true;
}
