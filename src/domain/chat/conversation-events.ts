import { z } from 'zod';
import type { EventCatalogue } from '../shared/event-catalogue.ts';
import { CONVERSATION_KINDS, chatTitle, MAX_GROUP_MEMBERS, MEMBER_ROLES } from './chat-values.ts';

const conversationId = z.uuid();
const memberIds = z.array(z.uuid()).min(1).max(MAX_GROUP_MEMBERS);

/** One conversation (`chatconv-<id>`): who is in it, with which role, and what it is called. */
export const chatConversationEventSchemas = {
  /** `memberIds` includes the starter; a direct conversation has exactly its two people. */
  ChatConversationStarted: z
    .object({
      conversationId,
      kind: z.enum(CONVERSATION_KINDS),
      startedBy: z.uuid(),
      memberIds,
      title: chatTitle.nullable(),
    })
    .refine(
      (data) => data.kind === 'group' || data.memberIds.length === 2,
      'a direct conversation has two members',
    ),
  ChatMembersAdded: z.object({ conversationId, memberIds, addedBy: z.uuid() }),
  ChatMemberRemoved: z.object({ conversationId, memberId: z.uuid(), removedBy: z.uuid() }),
  ChatMemberLeft: z.object({ conversationId, memberId: z.uuid() }),
  /** `changedBy` is the owner's user id, or 'handover' when the owner went and the role passed on. */
  ChatMemberRoleChanged: z.object({
    conversationId,
    memberId: z.uuid(),
    role: z.enum(MEMBER_ROLES),
    changedBy: z.string().min(1),
  }),
  /** The whole details as they now are (a null clears the title or the avatar). */
  ChatConversationDetailsChanged: z.object({
    conversationId,
    title: chatTitle.nullable(),
    avatarAssetId: z.uuid().nullable(),
    changedBy: z.uuid(),
  }),
};

type Schemas = typeof chatConversationEventSchemas;
export type ChatConversationEvent = {
  [Type in keyof Schemas]: { type: Type; data: z.infer<Schemas[Type]> };
}[keyof Schemas];
export type ChatConversationEventOf<Type extends ChatConversationEvent['type']> = Extract<
  ChatConversationEvent,
  { type: Type }
>;

/**
 * Integrators may learn that a conversation exists and of which kind, never who talks to whom:
 * membership of a private conversation is itself private.
 */
export const chatConversationEventCatalogue: EventCatalogue<ChatConversationEvent> = {
  ChatConversationStarted: {
    type: 'ChatConversationStarted',
    schemaVersion: 1,
    schema: chatConversationEventSchemas.ChatConversationStarted,
    publicFields: ['conversationId', 'kind'],
  },
  ChatMembersAdded: {
    type: 'ChatMembersAdded',
    schemaVersion: 1,
    schema: chatConversationEventSchemas.ChatMembersAdded,
    publicFields: ['conversationId'],
  },
  ChatMemberRemoved: {
    type: 'ChatMemberRemoved',
    schemaVersion: 1,
    schema: chatConversationEventSchemas.ChatMemberRemoved,
    publicFields: ['conversationId'],
  },
  ChatMemberLeft: {
    type: 'ChatMemberLeft',
    schemaVersion: 1,
    schema: chatConversationEventSchemas.ChatMemberLeft,
    publicFields: ['conversationId'],
  },
  ChatMemberRoleChanged: {
    type: 'ChatMemberRoleChanged',
    schemaVersion: 1,
    schema: chatConversationEventSchemas.ChatMemberRoleChanged,
    publicFields: ['conversationId'],
  },
  ChatConversationDetailsChanged: {
    type: 'ChatConversationDetailsChanged',
    schemaVersion: 1,
    schema: chatConversationEventSchemas.ChatConversationDetailsChanged,
    publicFields: ['conversationId'],
  },
};
