import type { ChatMessageEvent } from '../../domain/chat/message-events.ts';
import type { ReadModelWriter } from '../projection.ts';
import { CHAT_MESSAGES, CHAT_REACTIONS, touchConversation, writeTimeline } from './chat-rows.ts';

/** Per sender: how many messages they sent, and whether they were forgotten. */
export const CHAT_SENDERS = 'chat_senders';
/** Per sender, their message ids in sending order, SENDER_BUCKET_SIZE to a row. */
export const CHAT_SENDER_MESSAGES = 'chat_sender_messages';
/**
 * Ids per row of chat_sender_messages. The projection writes rows by key only, so forgetting a
 * sender needs their message ids listed under keys it can name; in buckets, so a prolific sender's
 * next message rewrites one short list, not their whole history.
 */
export const SENDER_BUCKET_SIZE = 500;

/** Ids as the sender tables key them: one spelling per person, whichever an event used. */
const senderKey = (userId: string) => ({ sender_id: userId.toLowerCase() });

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
      const sender = await listSent(writer, senderId, messageId);
      writer.upsert(CHAT_MESSAGES, {
        ...message,
        conversation_id: conversationId,
        position,
        sender_id: senderId,
        // Null when the key was destroyed before this event was read (a rebuild after a deletion
        // or an erasure), and for a sender already forgotten (a send that raced their erasure).
        text: sender.forgotten === true ? null : text,
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
        const sender = await writer.get(CHAT_SENDERS, senderKey(String(current.sender_id)));
        writer.upsert(CHAT_MESSAGES, {
          ...current,
          // A deleted message, or a forgotten sender's, stays without words whatever edit follows.
          text: current.deleted_at === null && sender?.forgotten !== true ? event.data.text : null,
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

/**
 * Adds a sent message to its sender's list; answers the sender's row as it was (`forgotten` says
 * whether the words may be kept).
 */
async function listSent(writer: ReadModelWriter, senderId: string, messageId: string) {
  const key = senderKey(senderId);
  const sender = (await writer.get(CHAT_SENDERS, key)) ?? { ...key, message_count: 0, forgotten: false };
  const count = Number(sender.message_count);
  const bucket = { ...key, bucket: Math.floor(count / SENDER_BUCKET_SIZE) };
  // A full bucket's next one starts empty: nothing to read.
  const listed =
    count % SENDER_BUCKET_SIZE === 0 ? undefined : await writer.get(CHAT_SENDER_MESSAGES, bucket);
  const ids = Array.isArray(listed?.message_ids) ? listed.message_ids : [];
  writer.upsert(CHAT_SENDER_MESSAGES, { ...bucket, message_ids: [...ids, messageId] });
  writer.upsert(CHAT_SENDERS, { ...sender, message_count: count + 1 });
  return sender;
}

/**
 * A forgotten person's words leave every conversation: each message they sent keeps its row
 * (position, receipts, replies and reactions still point at it) with its text, and so its search
 * vector, emptied; the erasure destroys the messages' keys, so a rebuild decodes the same nulls.
 * Messages read after this (a send that raced the erasure) come in without words. Their
 * memberships stay as they are: a forgotten member is an id with no name (the identity read model
 * has none left), and whether they are still in a conversation is the conversation's history.
 */
export async function forgetChatSender(writer: ReadModelWriter, userId: string): Promise<void> {
  const key = senderKey(userId);
  const sender = await writer.get(CHAT_SENDERS, key);
  const count = Number(sender?.message_count ?? 0);
  writer.upsert(CHAT_SENDERS, { ...key, message_count: count, forgotten: true });
  for (let bucket = 0; bucket * SENDER_BUCKET_SIZE < count; bucket += 1) {
    const listed = await writer.get(CHAT_SENDER_MESSAGES, { ...key, bucket });
    const ids = Array.isArray(listed?.message_ids) ? listed.message_ids : [];
    for (const id of ids) {
      if (typeof id === 'string') await writer.update(CHAT_MESSAGES, { message_id: id }, { text: null });
    }
  }
}
