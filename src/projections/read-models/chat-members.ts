import type { ChatMemberEvent } from '../../domain/chat/member-events.ts';
import type { ReadModelWriter } from '../projection.ts';
import { CHAT_HIDDEN_MESSAGES, CHAT_MEMBERS, storedPosition } from './chat-rows.ts';

/**
 * One member's receipts, settings and hidden messages. These are nobody else's business, so they
 * make no timeline rows. Receipts are watermarks: the decider already drops one that does not move
 * forward, and the max here keeps a mark from moving back whatever reaches the projection.
 */
export async function applyChatMemberEvent(event: ChatMemberEvent, writer: ReadModelWriter): Promise<void> {
  const { conversationId, userId } = event.data;
  const key = { conversation_id: conversationId, user_id: userId };
  switch (event.type) {
    case 'ChatMessagesDelivered':
    case 'ChatMessagesRead': {
      const current = await writer.get(CHAT_MEMBERS, key);
      if (!current) return;
      const position = BigInt(event.data.position);
      const delivered = max(storedPosition(current.delivered_position), position);
      const read =
        event.type === 'ChatMessagesRead'
          ? max(storedPosition(current.read_position), position)
          : storedPosition(current.read_position);
      // Read implies delivered.
      writer.upsert(CHAT_MEMBERS, {
        ...current,
        delivered_position: max(delivered, read).toString(),
        read_position: read.toString(),
      });
      return;
    }
    case 'ChatMemberSettingsChanged': {
      const { muted, archived, pinned } = event.data;
      await writer.update(CHAT_MEMBERS, key, { muted, archived, pinned });
      return;
    }
    case 'ChatMessageHiddenForMe': {
      const { messageId } = event.data;
      writer.upsert(CHAT_HIDDEN_MESSAGES, {
        user_id: userId,
        message_id: messageId,
        conversation_id: conversationId,
      });
      return;
    }
  }
}

const max = (a: bigint, b: bigint) => (a > b ? a : b);
