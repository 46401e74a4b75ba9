import { z } from 'zod';
import type { EventCatalogue } from '../shared/event-catalogue.ts';
import { chatAttachment, MAX_ATTACHMENTS, reactionEmoji, storedMessageText } from './chat-values.ts';
import { messageTextSubject } from './streams.ts';

const messageId = z.uuid();
const conversationId = z.uuid();

/** One message (`chatmsg-<id>`): sent once, then edited, deleted and reacted to. */
export const chatMessageEventSchemas = {
  /**
   * `text` is personal: encrypted with the message's own key (messageTextSubject), '' when the
   * message is only attachments, null once deleted for everyone (the key is gone).
   */
  ChatMessageSent: z.object({
    messageId,
    conversationId,
    senderId: z.uuid(),
    text: storedMessageText,
    replyToId: z.uuid().nullable(),
    attachments: z.array(chatAttachment).max(MAX_ATTACHMENTS),
  }),
  /** The earlier wording stays in the history, under the same key, until the message is deleted. */
  ChatMessageEdited: z.object({ messageId, conversationId, text: storedMessageText }),
  /** For everyone; the service then destroys the text key. */
  ChatMessageDeleted: z.object({ messageId, conversationId, deletedBy: z.uuid() }),
  ChatReactionAdded: z.object({ messageId, conversationId, userId: z.uuid(), emoji: reactionEmoji }),
  ChatReactionRemoved: z.object({ messageId, conversationId, userId: z.uuid(), emoji: reactionEmoji }),
};

type Schemas = typeof chatMessageEventSchemas;
export type ChatMessageEvent = {
  [Type in keyof Schemas]: { type: Type; data: z.infer<Schemas[Type]> };
}[keyof Schemas];
export type ChatMessageEventOf<Type extends ChatMessageEvent['type']> = Extract<
  ChatMessageEvent,
  { type: Type }
>;

const byMessage = (data: { messageId: string }) => messageTextSubject(data.messageId);

/** Integrators see that messages flow in a conversation, never their words nor who wrote them. */
export const chatMessageEventCatalogue: EventCatalogue<ChatMessageEvent> = {
  ChatMessageSent: {
    type: 'ChatMessageSent',
    schemaVersion: 1,
    schema: chatMessageEventSchemas.ChatMessageSent,
    personalFields: ['text'],
    subject: byMessage,
    publicFields: ['messageId', 'conversationId'],
  },
  ChatMessageEdited: {
    type: 'ChatMessageEdited',
    schemaVersion: 1,
    schema: chatMessageEventSchemas.ChatMessageEdited,
    personalFields: ['text'],
    subject: byMessage,
    publicFields: ['messageId', 'conversationId'],
  },
  ChatMessageDeleted: {
    type: 'ChatMessageDeleted',
    schemaVersion: 1,
    schema: chatMessageEventSchemas.ChatMessageDeleted,
    publicFields: ['messageId', 'conversationId'],
  },
  ChatReactionAdded: {
    type: 'ChatReactionAdded',
    schemaVersion: 1,
    schema: chatMessageEventSchemas.ChatReactionAdded,
    publicFields: ['messageId', 'conversationId'],
  },
  ChatReactionRemoved: {
    type: 'ChatReactionRemoved',
    schemaVersion: 1,
    schema: chatMessageEventSchemas.ChatReactionRemoved,
    publicFields: ['messageId', 'conversationId'],
  },
};
