import { z } from 'zod';
import type { EventCatalogue } from '../shared/event-catalogue.ts';
import { storePosition } from './chat-values.ts';

const conversationId = z.uuid();
const userId = z.uuid();

/**
 * One member of one conversation (`chatmember-<id>`): how far they have received and read, their
 * settings and the messages they hid for themselves. Receipts are watermarks: `position` is the
 * global store position of the named message's ChatMessageSent, and only ever moves forward.
 */
export const chatMemberEventSchemas = {
  ChatMessagesDelivered: z.object({ conversationId, userId, messageId: z.uuid(), position: storePosition }),
  /** Read implies delivered: readers take the delivered mark as at least the read one. */
  ChatMessagesRead: z.object({ conversationId, userId, messageId: z.uuid(), position: storePosition }),
  ChatMemberSettingsChanged: z.object({
    conversationId,
    userId,
    muted: z.boolean(),
    archived: z.boolean(),
    pinned: z.boolean(),
  }),
  ChatMessageHiddenForMe: z.object({ conversationId, userId, messageId: z.uuid() }),
};

type Schemas = typeof chatMemberEventSchemas;
export type ChatMemberEvent = {
  [Type in keyof Schemas]: { type: Type; data: z.infer<Schemas[Type]> };
}[keyof Schemas];
export type ChatMemberEventOf<Type extends ChatMemberEvent['type']> = Extract<
  ChatMemberEvent,
  { type: Type }
>;

/** Nothing here is published: what someone read, muted or hid is theirs alone. */
export const chatMemberEventCatalogue: EventCatalogue<ChatMemberEvent> = {
  ChatMessagesDelivered: {
    type: 'ChatMessagesDelivered',
    schemaVersion: 1,
    schema: chatMemberEventSchemas.ChatMessagesDelivered,
  },
  ChatMessagesRead: {
    type: 'ChatMessagesRead',
    schemaVersion: 1,
    schema: chatMemberEventSchemas.ChatMessagesRead,
  },
  ChatMemberSettingsChanged: {
    type: 'ChatMemberSettingsChanged',
    schemaVersion: 1,
    schema: chatMemberEventSchemas.ChatMemberSettingsChanged,
  },
  ChatMessageHiddenForMe: {
    type: 'ChatMessageHiddenForMe',
    schemaVersion: 1,
    schema: chatMemberEventSchemas.ChatMessageHiddenForMe,
  },
};
