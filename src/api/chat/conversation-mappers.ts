import type { ConversationRow, MemberRow } from './conversation-queries.ts';

const upper = <Value extends string>(value: Value) => value.toUpperCase() as Uppercase<Value>;

/** A position column as the API spells it: null for 0 (none yet). */
const positionOrNull = (position: string) => (position === '0' ? null : position);

/**
 * A conversation as one member sees it. `avatarUrl`, `members` and `unreadCount` are nested
 * resolvers (and a loader); the messages context adds `lastMessage` and `messages` from `id`.
 */
export function toChatConversation(row: ConversationRow) {
  return {
    id: row.conversation_id,
    kind: upper(row.kind),
    title: row.title,
    avatarAssetId: row.avatar_asset_id,
    myRole: upper(row.role),
    memberCount: row.member_count,
    lastActivityAt: row.last_activity_at.toISOString(),
    myDeliveredUpTo: positionOrNull(row.delivered_position),
    myReadUpTo: positionOrNull(row.read_position),
    muted: row.muted,
    archived: row.archived,
    pinned: row.pinned,
    /** Whose view this is (the reader), for the nested resolvers. */
    viewerId: row.user_id,
  };
}

export type ChatConversationView = ReturnType<typeof toChatConversation>;

export function toChatMember(row: MemberRow) {
  return {
    userId: row.user_id,
    role: upper(row.role),
    joinedAt: row.joined_at.toISOString(),
    deliveredUpTo: positionOrNull(row.delivered_position),
    readUpTo: positionOrNull(row.read_position),
  };
}

export type ChatMemberView = ReturnType<typeof toChatMember>;
