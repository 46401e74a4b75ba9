import type { ChatMembershipFacts } from './message-commands.ts';

/**
 * A message as the service found it for a receipt or a hide: null when there is none the member
 * can see. `position` is the global store position of its ChatMessageSent, in decimal digits.
 */
export interface MarkedMessage {
  messageId: string;
  conversationId: string;
  position: string;
}

/**
 * Commands on one member's own stream (`chatMemberStream(conversationId, actor)`): the actor is the
 * member. `membership` is theirs in `conversationId`, as the service read it.
 */
export type ChatMemberCommand =
  | {
      type: 'MarkChatDelivered';
      conversationId: string;
      membership: ChatMembershipFacts | null;
      messageId: string;
      message: MarkedMessage | null;
    }
  | {
      type: 'MarkChatRead';
      conversationId: string;
      membership: ChatMembershipFacts | null;
      messageId: string;
      message: MarkedMessage | null;
    }
  | {
      /** An absent setting stays as it is. */
      type: 'ChangeChatMemberSettings';
      conversationId: string;
      membership: ChatMembershipFacts | null;
      muted?: boolean;
      archived?: boolean;
      pinned?: boolean;
    }
  | {
      /** `message` here is found even when the member already hid it, so hiding twice is a no-op. */
      type: 'HideChatMessageForMe';
      conversationId: string;
      membership: ChatMembershipFacts | null;
      messageId: string;
      message: MarkedMessage | null;
    };

export type ChatMemberCommandOf<Type extends ChatMemberCommand['type']> = Extract<
  ChatMemberCommand,
  { type: Type }
>;
