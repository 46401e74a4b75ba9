import type { ChatMessageEvent } from '../../domain/chat/message-events.ts';
import type { ReadModelWriter } from '../projection.ts';
import { CHAT_MESSAGES, CHAT_REACTIONS, touchConversation, writeTimeline } from './chat-rows.ts';

/**
 * Messages and reactions. A message's position is that of its ChatMessageSent: the order of the
 * conversation, the bound of what a member sees, and what receipts point at. Deleting for everyone
 * keeps the row as a tombstone (no words, no attachments) so replies and the conversation's last
 * message still point at something that reads as deleted.
 */
export async function applyChatMessageEvent(
  event: ChatMessageEvent,
  writer: ReadModelWriter,
  at: string,
  position: string,
): Promise<void> {
  const { messageId, conversationId } = event.data;
  const message = { message_id: messageId };
  switch (event.type) {
    case 'ChatMessageSent': {
      const { senderId, text, replyToId, attachments } = event.data;
      writer.upsert(CHAT_MESSAGES, {
        ...message,
        conversation_id: conversationId,
        position,
        sender_id: senderId,
        // Null when the key was destroyed before this event was read (a rebuild after a deletion).
        text,
        reply_to_id: replyToId,
        attachments,
        revisions: 0,
        edited_at: null,
        deleted_at: null,
        sent_at: at,
      });
      await touchConversation(writer, conversationId, position, at, {
        last_message_id: messageId,
        last_message_position: position,
      });
      writeTimeline(writer, conversationId, position, 'message_sent', at, { messageId });
      return;
    }
    case 'ChatMessageEdited': {
      const current = await writer.get(CHAT_MESSAGES, message);
      if (current) {
        writer.upsert(CHAT_MESSAGES, {
          ...current,
          // A deleted message stays without words even if an edit is read after its deletion.
          text: current.deleted_at === null ? event.data.text : null,
          revisions: Number(current.revisions) + 1,
          edited_at: at,
        });
      }
      writeTimeline(writer, conversationId, position, 'message_edited', at, { messageId });
      return;
    }
    case 'ChatMessageDeleted': {
      await writer.update(CHAT_MESSAGES, message, { text: null, attachments: [], deleted_at: at });
      writeTimeline(writer, conversationId, position, 'message_deleted', at, { messageId });
      return;
    }
    case 'ChatReactionAdded':
    case 'ChatReactionRemoved': {
      const { userId, emoji } = event.data;
      const key = { ...message, user_id: userId, emoji };
      if (event.type === 'ChatReactionAdded') {
        writer.upsert(CHAT_REACTIONS, { ...key, conversation_id: conversationId, reacted_at: at });
      } else {
        writer.delete(CHAT_REACTIONS, key);
      }
      writeTimeline(writer, conversationId, position, 'reaction_changed', at, { messageId });
      return;
    }
  }
}
