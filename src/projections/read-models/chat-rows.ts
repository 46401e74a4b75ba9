import type { ReadModelWriter } from '../projection.ts';

export const CHAT_CONVERSATIONS = 'chat_conversations';
export const CHAT_MEMBERS = 'chat_members';
export const CHAT_MESSAGES = 'chat_messages';
export const CHAT_REACTIONS = 'chat_reactions';
export const CHAT_HIDDEN_MESSAGES = 'chat_hidden_messages';
export const CHAT_TIMELINE = 'chat_timeline';

/** What a timeline row says happened; live subscriptions send it as the update's kind. */
export type ChatTimelineKind =
  | 'message_sent'
  | 'message_edited'
  | 'message_deleted'
  | 'reaction_changed'
  | 'members_changed'
  | 'details_changed';

/**
 * A stored bigint position as a bigint: the buffer holds the decimal text this projection wrote,
 * the table gives a JSON number back. Missing (no receipt yet) is 0.
 */
export function storedPosition(value: unknown): bigint {
  return typeof value === 'string' || typeof value === 'number' || typeof value === 'bigint'
    ? BigInt(value)
    : 0n;
}

/** One line of a conversation's history, at the event's own position (unique in the log). */
export function writeTimeline(
  writer: ReadModelWriter,
  conversationId: string,
  position: string,
  kind: ChatTimelineKind,
  at: string,
  ids: { messageId?: string; userId?: string } = {},
): void {
  writer.upsert(CHAT_TIMELINE, {
    conversation_id: conversationId,
    position,
    kind,
    message_id: ids.messageId ?? null,
    user_id: ids.userId ?? null,
    at,
  });
}

/**
 * A new line in the conversation (a message, a change of members or details): it moves up in
 * everyone's list. Edits, deletions and reactions change old lines, so they do not.
 */
export function touchConversation(
  writer: ReadModelWriter,
  conversationId: string,
  position: string,
  at: string,
  changes: Record<string, unknown> = {},
): Promise<void> {
  return writer.update(
    CHAT_CONVERSATIONS,
    { conversation_id: conversationId },
    { ...changes, last_activity_at: at, last_activity_position: position },
  );
}
