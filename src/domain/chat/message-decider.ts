import type { Decider } from '../shared/decider.ts';
import { conflict, forbidden, notFound, validation } from '../shared/domain-error.ts';
import { chatterOf } from './chat-actor.ts';
import {
  isValidEmoji,
  MAX_ATTACHMENTS,
  MAX_EMOJI_LENGTH,
  MAX_EMOJI_PER_MESSAGE,
  MAX_MESSAGE_LENGTH,
  MAX_REACTIONS_PER_MEMBER,
  normaliseMessageText,
  sameId,
} from './chat-values.ts';
import type { ChatMembershipFacts, ChatMessageCommand, ChatMessageCommandOf } from './message-commands.ts';
import { type ChatMessageEvent, chatMessageEventCatalogue } from './message-events.ts';
import {
  type ChatMessageState,
  evolveChatMessage,
  hasReaction,
  initialChatMessageState,
  type SentMessage,
} from './message-state.ts';

type Decision = ChatMessageEvent[];

export const chatMessageDecider: Decider<ChatMessageCommand, ChatMessageEvent, ChatMessageState> = {
  initialState: initialChatMessageState,
  evolve: evolveChatMessage,
  decide(command, state, context) {
    const actorId = chatterOf(context.actor);
    if (command.type === 'SendChatMessage') return send(command, state, actorId);
    if (state.status === 'none') throw notFound('MESSAGE_NOT_FOUND', 'No such message');
    requireMember(command.membership);
    switch (command.type) {
      case 'EditChatMessage':
        return edit(command, state, actorId);
      case 'DeleteChatMessage':
        return deleteForEveryone(command, state, actorId);
      case 'ReactToChatMessage':
        return react(command, state, actorId);
      case 'RemoveChatReaction':
        return removeReaction(command, state, actorId);
      default: {
        const unknown: never = command;
        throw new Error(`Unknown chat message command ${JSON.stringify(unknown)}`);
      }
    }
  },
};

export const chatMessageAggregate = { decider: chatMessageDecider, catalogue: chatMessageEventCatalogue };

/** A stranger, a former member and one the message is hidden from learn nothing of it. */
function requireMember(membership: ChatMembershipFacts | null): ChatMembershipFacts {
  if (membership === null || !membership.active) {
    throw notFound('CONVERSATION_NOT_FOUND', 'No such conversation');
  }
  return membership;
}

/**
 * Checked in this order: the words and the number of attachments (a bad request reveals nothing
 * about the conversation), the membership, a block, each attachment, emptiness, then the reply.
 */
function send(
  command: ChatMessageCommandOf<'SendChatMessage'>,
  state: ChatMessageState,
  senderId: string,
): Decision {
  if (state.status !== 'none') throw conflict('MESSAGE_EXISTS', 'This message was already sent');
  const text = validText(command.text);
  if (command.attachments.length > MAX_ATTACHMENTS) {
    throw validation('TOO_MANY_ATTACHMENTS', `At most ${MAX_ATTACHMENTS} attachments`, {
      limit: MAX_ATTACHMENTS,
    });
  }
  if (command.conversationKind === null) throw notFound('CONVERSATION_NOT_FOUND', 'No such conversation');
  requireMember(command.membership);
  if (command.conversationKind === 'direct' && command.blocked) {
    throw forbidden('BLOCKED', 'You cannot message this person');
  }
  const attachments = usableAttachments(command.attachments);
  if (text.length === 0 && attachments.length === 0) {
    throw validation('EMPTY_MESSAGE', 'A message needs some text or an attachment');
  }
  return [
    {
      type: 'ChatMessageSent',
      data: {
        messageId: command.messageId,
        conversationId: command.conversationId,
        senderId,
        text,
        replyToId: replyToIdOf(command),
        attachments,
      },
    },
  ];
}

/**
 * Someone else's asset is not there (nobody learns which asset ids exist); one of theirs that is
 * not ready to send (failed, deleted, rejected) is refused as such. The same asset twice is one.
 */
function usableAttachments(checked: ChatMessageCommandOf<'SendChatMessage'>['attachments']) {
  const seen = new Set<string>();
  return checked.flatMap(({ assetId, kind, usable, ownedBySender }) => {
    if (!ownedBySender) throw notFound('ATTACHMENT_NOT_FOUND', 'No such media asset of yours', { assetId });
    if (!usable) throw validation('ATTACHMENT_NOT_USABLE', 'This media asset cannot be sent', { assetId });
    if (seen.has(assetId.toLowerCase())) return [];
    seen.add(assetId.toLowerCase());
    return [{ assetId, kind }];
  });
}

/** A reply quotes a message of the same conversation that is still there. */
function replyToIdOf({ replyToId, replyTo, conversationId }: ChatMessageCommandOf<'SendChatMessage'>) {
  if (replyToId === null) return null;
  if (
    replyTo === null ||
    !sameId(replyTo.messageId, replyToId) ||
    !sameId(replyTo.conversationId, conversationId)
  ) {
    throw notFound('REPLY_NOT_FOUND', 'No such message in this conversation to reply to');
  }
  if (replyTo.deleted) throw conflict('MESSAGE_DELETED', 'This message was deleted; it takes no replies');
  return replyToId;
}

/** Only the sender edits, never a deleted message; the same words again decide nothing. */
function edit(
  command: ChatMessageCommandOf<'EditChatMessage'>,
  message: SentMessage,
  actorId: string,
): Decision {
  if (!sameId(actorId, message.senderId)) throw forbidden('NOT_SENDER', 'Only the sender edits a message');
  if (message.status === 'deleted') throw conflict('MESSAGE_DELETED', 'This message was deleted');
  const text = validText(command.text);
  if (text.length === 0 && message.attachments.length === 0) {
    throw validation('EMPTY_MESSAGE', 'A message needs some text or an attachment');
  }
  if (text === message.text) return [];
  return [
    {
      type: 'ChatMessageEdited',
      data: { messageId: message.messageId, conversationId: message.conversationId, text },
    },
  ];
}

/** The sender, or an owner or admin of a group; deleting twice decides nothing. */
function deleteForEveryone(
  command: ChatMessageCommandOf<'DeleteChatMessage'>,
  message: SentMessage,
  actorId: string,
): Decision {
  const { role } = requireMember(command.membership);
  if (command.conversationKind === null) throw notFound('CONVERSATION_NOT_FOUND', 'No such conversation');
  const groupAdmin = command.conversationKind === 'group' && (role === 'owner' || role === 'admin');
  if (!sameId(actorId, message.senderId) && !groupAdmin) {
    throw forbidden('NOT_SENDER', 'Only the sender or a group admin deletes a message for everyone');
  }
  if (message.status === 'deleted') return [];
  return [
    {
      type: 'ChatMessageDeleted',
      data: { messageId: message.messageId, conversationId: message.conversationId, deletedBy: actorId },
    },
  ];
}

/**
 * One reaction per emoji per member (again decides nothing), at most MAX_REACTIONS_PER_MEMBER
 * emoji per member and MAX_EMOJI_PER_MESSAGE distinct emoji per message: each reaction is shown to
 * every member, so neither one member nor all of them together can grow a message without bound.
 * An emoji already on the message may always be added to (it adds a count, not a new entry).
 */
function react(
  command: ChatMessageCommandOf<'ReactToChatMessage'>,
  message: SentMessage,
  userId: string,
): Decision {
  const emoji = validEmoji(command.emoji);
  if (message.status === 'deleted') throw conflict('MESSAGE_DELETED', 'This message was deleted');
  if (hasReaction(message, { userId, emoji })) return [];
  const mine = message.reactions.filter((reaction) => sameId(reaction.userId, userId)).length;
  if (mine >= MAX_REACTIONS_PER_MEMBER) {
    throw conflict(
      'TOO_MANY_REACTIONS',
      `At most ${MAX_REACTIONS_PER_MEMBER} reactions of yours on a message`,
      {
        limit: MAX_REACTIONS_PER_MEMBER,
        per: 'member',
      },
    );
  }
  const emojiOnMessage = new Set(message.reactions.map((reaction) => reaction.emoji));
  if (!emojiOnMessage.has(emoji) && emojiOnMessage.size >= MAX_EMOJI_PER_MESSAGE) {
    throw conflict(
      'TOO_MANY_REACTIONS',
      `At most ${MAX_EMOJI_PER_MESSAGE} different reactions on a message`,
      {
        limit: MAX_EMOJI_PER_MESSAGE,
        per: 'message',
      },
    );
  }
  return [
    {
      type: 'ChatReactionAdded',
      data: { messageId: message.messageId, conversationId: message.conversationId, userId, emoji },
    },
  ];
}

/**
 * Taking back a reaction that is not there decides nothing, on a deleted message too. The emoji is
 * not judged by today's rules: a reaction stored before they tightened can still be taken back.
 */
function removeReaction(
  command: ChatMessageCommandOf<'RemoveChatReaction'>,
  message: SentMessage,
  userId: string,
): Decision {
  const { emoji } = command;
  if (!hasReaction(message, { userId, emoji })) return [];
  return [
    {
      type: 'ChatReactionRemoved',
      data: { messageId: message.messageId, conversationId: message.conversationId, userId, emoji },
    },
  ];
}

function validText(raw: string): string {
  const normalised = normaliseMessageText(raw);
  if ('error' in normalised) {
    throw validation('MESSAGE_TOO_LONG', `A message has at most ${MAX_MESSAGE_LENGTH} characters`, {
      limit: MAX_MESSAGE_LENGTH,
    });
  }
  return normalised.text;
}

function validEmoji(emoji: string): string {
  if (!isValidEmoji(emoji)) {
    throw validation(
      'INVALID_EMOJI',
      `A reaction is one emoji: 1 to ${MAX_EMOJI_LENGTH} characters, no letters, digits or spaces`,
    );
  }
  return emoji;
}
