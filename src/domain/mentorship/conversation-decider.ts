import { validOr } from '../brands/validate.ts';
import type { Actor, Decider, DecisionContext } from '../shared/decider.ts';
import { conflict, forbidden, notFound } from '../shared/domain-error.ts';
import type { ConversationCommand } from './conversation-commands.ts';
import {
  type ConversationEvent,
  type ConversationEventOf,
  conversationEventCatalogue,
} from './conversation-events.ts';
import {
  type Conversation,
  type ConversationState,
  evolveConversation,
  initialConversationState,
} from './conversation-state.ts';
import { failureCode, messageText, REPLY_ABANDONED_AFTER_MS, replyText } from './conversation-values.ts';
import { mentorPersona } from './personas.ts';

type CommandOf<Type extends ConversationCommand['type']> = Extract<ConversationCommand, { type: Type }>;

/**
 * An AI mentor conversation: the learner writes, the mentor replies, one reply in flight at a
 * time. A reply pending longer than `REPLY_ABANDONED_AFTER_MS` (judged from the command's time)
 * counts as abandoned: its generator is gone, so the learner may write again or retry, and the
 * abandoned reply is recorded as failed first.
 */
export const conversationDecider: Decider<ConversationCommand, ConversationEvent, ConversationState> = {
  initialState: initialConversationState,
  evolve: evolveConversation,
  decide(command, state, context) {
    if (command.type === 'StartConversation') return startConversation(command, state, context);
    if (state.status === 'none') throw notFound('CONVERSATION_NOT_FOUND', 'No such conversation');
    switch (command.type) {
      case 'SendMentorMessage':
        return sendMessage(command, state, context);
      case 'RetryMentorReply':
        return retryReply(command, state, context);
      case 'RecordMentorReply':
        return recordReply(command, state, context);
      case 'RecordMentorReplyFailed':
        return recordFailure(command, state, context);
      default: {
        const unknown: never = command;
        throw new Error(`Unknown conversation command ${JSON.stringify(unknown)}`);
      }
    }
  },
};

/** The conversation aggregate as the command pipeline takes it (an `AggregateSpec`). */
export const conversationAggregate = { decider: conversationDecider, catalogue: conversationEventCatalogue };

function startConversation(
  command: CommandOf<'StartConversation'>,
  state: ConversationState,
  { actor, now }: DecisionContext,
): ConversationEvent[] {
  if (state.status !== 'none') throw conflict('CONVERSATION_EXISTS', 'This conversation already exists');
  requireLearner(actor, command.learnerId, 'start a conversation for them');
  const persona = validOr(mentorPersona, command.persona, 'INVALID_PERSONA', 'persona');
  return [
    {
      type: 'ConversationStarted',
      data: {
        conversationId: command.conversationId,
        learnerId: command.learnerId,
        persona,
        at: now.toISOString(),
      },
    },
  ];
}

function sendMessage(
  command: CommandOf<'SendMentorMessage'>,
  conversation: Conversation,
  { actor, now }: DecisionContext,
): ConversationEvent[] {
  requireLearner(actor, conversation.learnerId, 'write in it');
  const text = validOr(messageText, command.text, 'INVALID_MESSAGE', 'text');
  return [
    ...abandonStaleReply(conversation, now),
    {
      type: 'LearnerMessageSent',
      data: {
        conversationId: conversation.conversationId,
        learnerId: conversation.learnerId,
        messageId: command.messageId,
        text,
        replyId: command.replyId,
        at: now.toISOString(),
      },
    },
  ];
}

function retryReply(
  command: CommandOf<'RetryMentorReply'>,
  conversation: Conversation,
  { actor, now }: DecisionContext,
): ConversationEvent[] {
  requireLearner(actor, conversation.learnerId, 'ask for a reply in it');
  const abandoned = abandonStaleReply(conversation, now);
  const replyTo = abandoned[0]?.data.replyTo ?? conversation.unanswered;
  if (replyTo === null) {
    throw conflict('NOTHING_TO_RETRY', 'Every message in this conversation has its reply');
  }
  return [
    ...abandoned,
    {
      type: 'MentorReplyRetried',
      data: {
        conversationId: conversation.conversationId,
        learnerId: conversation.learnerId,
        replyTo,
        replyId: command.replyId,
        at: now.toISOString(),
      },
    },
  ];
}

function recordReply(
  command: CommandOf<'RecordMentorReply'>,
  conversation: Conversation,
  { actor, now }: DecisionContext,
): ConversationEvent[] {
  requireSystem(actor);
  if (alreadySettled(conversation, command.replyId)) return [];
  const awaited = requireAwaited(conversation, command.replyTo, command.replyId);
  return [
    {
      type: 'MentorReplied',
      data: {
        conversationId: conversation.conversationId,
        learnerId: conversation.learnerId,
        replyTo: awaited.replyTo,
        replyId: awaited.replyId,
        text: validOr(replyText, command.text, 'INVALID_REPLY', 'text'),
        provider: command.provider,
        model: command.model,
        label: command.label,
        usage: command.usage,
        at: now.toISOString(),
      },
    },
  ];
}

function recordFailure(
  command: CommandOf<'RecordMentorReplyFailed'>,
  conversation: Conversation,
  { actor, now }: DecisionContext,
): ConversationEvent[] {
  requireSystem(actor);
  if (alreadySettled(conversation, command.replyId)) return [];
  const awaited = requireAwaited(conversation, command.replyTo, command.replyId);
  return [
    {
      type: 'MentorReplyFailed',
      data: {
        conversationId: conversation.conversationId,
        learnerId: conversation.learnerId,
        replyTo: awaited.replyTo,
        replyId: awaited.replyId,
        code: validOr(failureCode, command.code, 'INVALID_FAILURE_CODE', 'code'),
        at: now.toISOString(),
      },
    },
  ];
}

/**
 * Nothing when no reply is owed; a MentorReplyFailed (ABANDONED) when the owed one is older than
 * the bound; otherwise the learner must wait for it.
 */
function abandonStaleReply(
  conversation: Conversation,
  now: Date,
): ConversationEventOf<'MentorReplyFailed'>[] {
  const { awaiting } = conversation;
  if (!awaiting) return [];
  const pendingMs = now.getTime() - Date.parse(awaiting.since);
  if (pendingMs < REPLY_ABANDONED_AFTER_MS) {
    throw conflict('MENTOR_REPLY_PENDING', 'The mentor is still replying to your last message', {
      replyId: awaiting.replyId,
      retryInMs: REPLY_ABANDONED_AFTER_MS - pendingMs,
    });
  }
  return [
    {
      type: 'MentorReplyFailed',
      data: {
        conversationId: conversation.conversationId,
        learnerId: conversation.learnerId,
        replyTo: awaiting.replyTo,
        replyId: awaiting.replyId,
        code: 'ABANDONED',
        at: now.toISOString(),
      },
    },
  ];
}

function alreadySettled(conversation: Conversation, replyId: string): boolean {
  return conversation.lastSettled?.replyId === replyId;
}

function requireAwaited(conversation: Conversation, replyTo: string, replyId: string) {
  const { awaiting } = conversation;
  if (!awaiting || awaiting.replyId !== replyId || awaiting.replyTo !== replyTo) {
    throw conflict('REPLY_NOT_AWAITED', 'This conversation is not waiting for that reply', { replyId });
  }
  return awaiting;
}

/** Only the learner themself: a conversation is private, even from admins (they may read it). */
function requireLearner(actor: Actor, learnerId: string, action: string): void {
  if (actor.kind === 'user' && actor.userId === learnerId) return;
  throw forbidden('NOT_CONVERSATION_LEARNER', `Only the learner may ${action}`);
}

function requireSystem(actor: Actor): void {
  if (actor.kind !== 'system') {
    throw forbidden('SYSTEM_ONLY', 'Mentor replies are recorded by the system');
  }
}
