import { type ChatAttachment, sameId } from './chat-values.ts';
import type { ChatMessageEvent } from './message-events.ts';

export interface Reaction {
  userId: string;
  emoji: string;
}

export interface SentMessage {
  status: 'sent' | 'deleted';
  messageId: string;
  conversationId: string;
  senderId: string;
  /** The latest words; null once deleted for everyone (or read back after the key is gone). */
  text: string | null;
  attachments: readonly ChatAttachment[];
  /** Who reacted with what, in the order they did. */
  reactions: readonly Reaction[];
}

export type ChatMessageState = { status: 'none' } | SentMessage;

export const initialChatMessageState: ChatMessageState = { status: 'none' };

export function evolveChatMessage(state: ChatMessageState, event: ChatMessageEvent): ChatMessageState {
  if (event.type === 'ChatMessageSent') {
    const { messageId, conversationId, senderId, text, attachments } = event.data;
    return { status: 'sent', messageId, conversationId, senderId, text, attachments, reactions: [] };
  }
  if (state.status === 'none') return state;
  switch (event.type) {
    case 'ChatMessageEdited':
      return { ...state, text: event.data.text };
    case 'ChatMessageDeleted':
      return { ...state, status: 'deleted', text: null };
    case 'ChatReactionAdded':
      return hasReaction(state, event.data)
        ? state
        : {
            ...state,
            reactions: [...state.reactions, { userId: event.data.userId, emoji: event.data.emoji }],
          };
    case 'ChatReactionRemoved':
      return {
        ...state,
        reactions: state.reactions.filter(
          (reaction) => !sameId(reaction.userId, event.data.userId) || reaction.emoji !== event.data.emoji,
        ),
      };
    default:
      return state;
  }
}

export const hasReaction = (message: SentMessage, { userId, emoji }: Reaction) =>
  message.reactions.some((reaction) => sameId(reaction.userId, userId) && reaction.emoji === emoji);
