import type { AttachmentKind, ConversationKind, MemberRole } from './chat-values.ts';

/**
 * The sender's (or actor's) place in the message's conversation, as the service read it. Null when
 * they are not a member, or the message is not theirs to see (sent before they joined, hidden by
 * moderators from anyone but its sender, hidden by them for themselves): all answered alike.
 */
export interface ChatMembershipFacts {
  active: boolean;
  role: MemberRole;
}

/** The message replied to, from the read model; null when there is none the sender can see. */
export interface RepliedMessage {
  messageId: string;
  conversationId: string;
  deleted: boolean;
}

/** An attachment as the service found it in the media read model. */
export interface CheckedAttachment {
  assetId: string;
  /** From the asset (audio → voice), never from the client. */
  kind: AttachmentKind;
  /** Uploaded or further, not failed, deleted nor rejected by moderation. */
  usable: boolean;
  ownedBySender: boolean;
}

export type ChatMessageCommand =
  | {
      type: 'SendChatMessage';
      messageId: string;
      conversationId: string;
      /** Whether the conversation is direct or a group; null when there is no such conversation. */
      conversationKind: ConversationKind | null;
      membership: ChatMembershipFacts | null;
      /** Direct conversations only: either of the two blocked the other. */
      blocked: boolean;
      /** As typed; trimmed here. May be blank when there are attachments. */
      text: string;
      replyToId: string | null;
      replyTo: RepliedMessage | null;
      attachments: readonly CheckedAttachment[];
    }
  | { type: 'EditChatMessage'; text: string; membership: ChatMembershipFacts | null }
  | {
      /** For everyone: the sender, or an owner or admin of a group. */
      type: 'DeleteChatMessage';
      membership: ChatMembershipFacts | null;
      /** Null when the conversation is not on record: refused, never taken for a group. */
      conversationKind: ConversationKind | null;
    }
  | { type: 'ReactToChatMessage'; emoji: string; membership: ChatMembershipFacts | null }
  | { type: 'RemoveChatReaction'; emoji: string; membership: ChatMembershipFacts | null };

export type ChatMessageCommandOf<Type extends ChatMessageCommand['type']> = Extract<
  ChatMessageCommand,
  { type: Type }
>;
