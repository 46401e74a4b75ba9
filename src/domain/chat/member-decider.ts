import type { Decider } from '../shared/decider.ts';
import { notFound } from '../shared/domain-error.ts';
import { chatterOf } from './chat-actor.ts';
import { comparePositions, sameId } from './chat-values.ts';
import type { ChatMemberCommand, ChatMemberCommandOf, MarkedMessage } from './member-commands.ts';
import { type ChatMemberEvent, chatMemberEventCatalogue } from './member-events.ts';
import { type ChatMemberState, evolveChatMember, initialChatMemberState } from './member-state.ts';
import type { ChatMembershipFacts } from './message-commands.ts';

type Decision = ChatMemberEvent[];

/**
 * One member's receipts, settings and hidden messages. Receipts are watermarks: marking a message
 * at or below the current mark decides nothing, so receipts arriving out of order never go back.
 */
export const chatMemberDecider: Decider<ChatMemberCommand, ChatMemberEvent, ChatMemberState> = {
  initialState: initialChatMemberState,
  evolve: evolveChatMember,
  decide(command, state, context) {
    const userId = chatterOf(context.actor);
    requireMember(command.membership);
    switch (command.type) {
      case 'MarkChatDelivered':
        return markDelivered(command, state, userId);
      case 'MarkChatRead':
        return markRead(command, state, userId);
      case 'ChangeChatMemberSettings':
        return changeSettings(command, state, userId);
      case 'HideChatMessageForMe':
        return hide(command, state, userId);
      default: {
        const unknown: never = command;
        throw new Error(`Unknown chat member command ${JSON.stringify(unknown)}`);
      }
    }
  },
};

export const chatMemberAggregate = { decider: chatMemberDecider, catalogue: chatMemberEventCatalogue };

/** A former member keeps their stream but may no longer act on the conversation. */
function requireMember(membership: ChatMembershipFacts | null): void {
  if (membership === null || !membership.active) {
    throw notFound('CONVERSATION_NOT_FOUND', 'No such conversation');
  }
}

/** The message marked, which must be one of this conversation the member can see. */
function messageIn(command: {
  conversationId: string;
  messageId: string;
  message: MarkedMessage | null;
}): MarkedMessage {
  const { message } = command;
  if (
    message === null ||
    !sameId(message.messageId, command.messageId) ||
    !sameId(message.conversationId, command.conversationId)
  ) {
    throw notFound('MESSAGE_NOT_FOUND', 'No such message in this conversation');
  }
  return message;
}

function markDelivered(
  command: ChatMemberCommandOf<'MarkChatDelivered'>,
  state: ChatMemberState,
  userId: string,
): Decision {
  const { messageId, position } = messageIn(command);
  if (comparePositions(position, state.deliveredPosition) <= 0) return [];
  return [
    {
      type: 'ChatMessagesDelivered',
      data: { conversationId: command.conversationId, userId, messageId, position },
    },
  ];
}

function markRead(
  command: ChatMemberCommandOf<'MarkChatRead'>,
  state: ChatMemberState,
  userId: string,
): Decision {
  const { messageId, position } = messageIn(command);
  if (comparePositions(position, state.readPosition) <= 0) return [];
  return [
    {
      type: 'ChatMessagesRead',
      data: { conversationId: command.conversationId, userId, messageId, position },
    },
  ];
}

function changeSettings(
  command: ChatMemberCommandOf<'ChangeChatMemberSettings'>,
  state: ChatMemberState,
  userId: string,
): Decision {
  const current = state.settings;
  const muted = command.muted ?? current.muted;
  const archived = command.archived ?? current.archived;
  const pinned = command.pinned ?? current.pinned;
  if (muted === current.muted && archived === current.archived && pinned === current.pinned) return [];
  return [
    {
      type: 'ChatMemberSettingsChanged',
      data: { conversationId: command.conversationId, userId, muted, archived, pinned },
    },
  ];
}

/** Hiding a message again decides nothing. */
function hide(
  command: ChatMemberCommandOf<'HideChatMessageForMe'>,
  state: ChatMemberState,
  userId: string,
): Decision {
  const { messageId } = messageIn(command);
  if (state.hiddenMessageIds.includes(messageId)) return [];
  return [
    { type: 'ChatMessageHiddenForMe', data: { conversationId: command.conversationId, userId, messageId } },
  ];
}
