import type { EventCodec } from '../../commands/event-codec.ts';
import { chatConversationEventCatalogue } from '../../domain/chat/conversation-events.ts';
import { chatMemberEventCatalogue } from '../../domain/chat/member-events.ts';
import { chatMessageEventCatalogue } from '../../domain/chat/message-events.ts';
import { userEventCatalogue } from '../../domain/identity/user-events.ts';
import type { RecordedEvent } from '../../eventstore/port.ts';
import type { Projection, Row } from '../projection.ts';
import { applyChatConversationEvent } from './chat-conversations.ts';
import { applyChatMemberEvent } from './chat-members.ts';
import {
  applyChatMessageEvent,
  CHAT_SENDER_MESSAGES,
  CHAT_SENDERS,
  forgetChatSender,
} from './chat-messages.ts';
import { CHAT_CONVERSATIONS, CHAT_MEMBERS, CHAT_MESSAGES } from './chat-rows.ts';
import { occurredAt } from './occurred-at.ts';

export const CHAT_PROJECTION = 'chat';

/**
 * Conversations, their members (receipts and settings included), messages, reactions, what each
 * member hid for themselves, and a timeline of every conversation and message event in log order.
 *
 * Positions are the store's global positions (bigint, written as decimal text so nothing rounds):
 * a member's `joined_position` bounds the history they see, receipts are watermarks over message
 * positions, and the timeline's `(conversation_id, position)` is the resume token of live
 * subscriptions. Unread counts are not stored: they depend on hidden messages and moderation, so
 * readers count them. Everything, times included, comes from the events, so a rebuild writes the
 * same rows; a message's words decode as null once its key is destroyed (deleted for everyone, or
 * its sender forgotten), which is also what the live model holds after the deletion or the
 * sender's UserForgotten (see forgetChatSender).
 */
export function chatProjection(codec: Pick<EventCodec, 'decode'>): Projection {
  return {
    name: CHAT_PROJECTION,
    // 2: UserForgotten empties the sender's words (chat_senders, chat_sender_messages).
    version: 2,
    eventTypes: [
      ...Object.keys(chatConversationEventCatalogue),
      ...Object.keys(chatMessageEventCatalogue),
      ...Object.keys(chatMemberEventCatalogue),
      'UserForgotten',
    ],
    tables: {
      [CHAT_CONVERSATIONS]: {
        columns: `conversation_id uuid not null, kind text not null, title text, avatar_asset_id uuid,
          started_by uuid not null, started_at timestamptz not null, member_count int not null,
          last_message_id uuid, last_message_position bigint, last_activity_at timestamptz not null,
          last_activity_position bigint not null`,
        primaryKey: ['conversation_id'],
      },
      [CHAT_MEMBERS]: {
        columns: `conversation_id uuid not null, user_id uuid not null, role text not null,
          active boolean not null, joined_at timestamptz not null, joined_position bigint not null,
          left_at timestamptz, delivered_position bigint not null default 0,
          read_position bigint not null default 0, muted boolean not null, archived boolean not null,
          pinned boolean not null`,
        primaryKey: ['conversation_id', 'user_id'],
        indexes: ['(user_id, active)', '(conversation_id, active)'],
      },
      [CHAT_MESSAGES]: {
        // The unique constraint is declared with the columns: a table spec's indexes are plain ones.
        columns: `message_id uuid not null, conversation_id uuid not null, position bigint not null,
          sender_id uuid not null, text text, reply_to_id uuid, attachments jsonb not null,
          revisions int not null, edited_at timestamptz, deleted_at timestamptz,
          sent_at timestamptz not null,
          search tsvector generated always as (to_tsvector('simple', coalesce(text, ''))) stored,
          unique (conversation_id, position)`,
        primaryKey: ['message_id'],
        indexes: ['using gin (search)', '(sender_id)'],
      },
      [CHAT_SENDERS]: {
        columns: 'sender_id uuid not null, message_count int not null, forgotten boolean not null',
        primaryKey: ['sender_id'],
      },
      [CHAT_SENDER_MESSAGES]: {
        columns: 'sender_id uuid not null, bucket int not null, message_ids jsonb not null',
        primaryKey: ['sender_id', 'bucket'],
      },
      chat_reactions: {
        columns: `message_id uuid not null, user_id uuid not null, emoji text not null,
          conversation_id uuid not null, reacted_at timestamptz not null`,
        primaryKey: ['message_id', 'user_id', 'emoji'],
      },
      chat_hidden_messages: {
        columns: 'user_id uuid not null, message_id uuid not null, conversation_id uuid not null',
        primaryKey: ['user_id', 'message_id'],
      },
      chat_timeline: {
        columns: `conversation_id uuid not null, position bigint not null, kind text not null,
          message_id uuid, user_id uuid, at timestamptz not null`,
        primaryKey: ['conversation_id', 'position'],
        // Someone's updates across all their conversations are read after a position.
        indexes: ['(position)'],
      },
    },
    async apply(recorded, writer) {
      const at = occurredAt(recorded);
      const position = recorded.position.toString();
      if (recorded.type === 'UserForgotten') {
        const user = await codec.decode(userEventCatalogue, recorded);
        if (user?.event.type === 'UserForgotten') await forgetChatSender(writer, user.event.data.userId);
        return;
      }
      const conversation = await codec.decode(chatConversationEventCatalogue, recorded);
      if (conversation) return applyChatConversationEvent(conversation.event, writer, at, position);
      const message = await codec.decode(chatMessageEventCatalogue, recorded);
      if (message) return applyChatMessageEvent(message.event, writer, at, position);
      const member = await codec.decode(chatMemberEventCatalogue, recorded);
      if (member) return applyChatMemberEvent(member.event, writer);
    },
    prefetch: (events) => events.flatMap(prefetchOf),
  };
}

/**
 * The rows an event will read, from its raw data (ids are never encrypted): the conversation it
 * touches, the members it names, the message it changes. One query per table for a whole batch.
 */
function prefetchOf(recorded: RecordedEvent): { table: string; key: Row }[] {
  const data = recorded.data;
  if (typeof data !== 'object' || data === null) return [];
  const field = (name: string) => {
    const value = Reflect.get(data, name);
    return typeof value === 'string' ? value : null;
  };
  const sender = (userId: string | null) =>
    userId === null ? [] : [{ table: CHAT_SENDERS, key: { sender_id: userId.toLowerCase() } }];
  if (recorded.type === 'UserForgotten') return sender(field('userId'));
  const conversationId = field('conversationId');
  if (conversationId === null) return [];
  const keys: { table: string; key: Row }[] = [];
  const member = (userId: string | null) => {
    if (userId !== null)
      keys.push({ table: CHAT_MEMBERS, key: { conversation_id: conversationId, user_id: userId } });
  };
  if (recorded.type in chatMemberEventCatalogue) {
    member(field('userId'));
    return keys;
  }
  if (recorded.type !== 'ChatConversationStarted') {
    keys.push({ table: CHAT_CONVERSATIONS, key: { conversation_id: conversationId } });
  }
  const memberIds = Reflect.get(data, 'memberIds');
  if (recorded.type === 'ChatMembersAdded' && Array.isArray(memberIds)) {
    for (const id of memberIds) member(typeof id === 'string' ? id : null);
  }
  member(field('memberId'));
  if (recorded.type === 'ChatMessageSent') keys.push(...sender(field('senderId')));
  const messageId = field('messageId');
  if ((recorded.type === 'ChatMessageEdited' || recorded.type === 'ChatMessageDeleted') && messageId) {
    keys.push({ table: CHAT_MESSAGES, key: { message_id: messageId } });
  }
  return keys;
}
