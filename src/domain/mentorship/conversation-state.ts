import type { ConversationEvent } from './conversation-events.ts';
import type { MentorPersona } from './personas.ts';

/** The reply the mentor owes: to which message, under which id, since when. */
export interface AwaitedReply {
  replyTo: string;
  replyId: string;
  since: string;
}

export interface Conversation {
  status: 'active';
  conversationId: string;
  learnerId: string;
  persona: MentorPersona;
  /** At most one reply is owed at a time. */
  awaiting: AwaitedReply | null;
  /**
   * The learner's last message when its reply failed (a retry answers it); null once answered or
   * once the learner wrote again. So a reply always answers the learner's latest message.
   */
  unanswered: string | null;
  /** The last reply settled (recorded or failed), so recording it again decides nothing. */
  lastSettled: { replyId: string; outcome: 'replied' | 'failed' } | null;
}

export type ConversationState = { status: 'none' } | Conversation;

export const initialConversationState: ConversationState = { status: 'none' };

export function evolveConversation(state: ConversationState, event: ConversationEvent): ConversationState {
  if (event.type === 'ConversationStarted') {
    const { conversationId, learnerId, persona } = event.data;
    return {
      status: 'active',
      conversationId,
      learnerId,
      persona,
      awaiting: null,
      unanswered: null,
      lastSettled: null,
    };
  }
  if (state.status === 'none') return state;
  switch (event.type) {
    case 'LearnerMessageSent': {
      const { messageId, replyId, at } = event.data;
      // The learner moved on: a failed reply to an earlier message is no longer retried.
      return { ...state, awaiting: { replyTo: messageId, replyId, since: at }, unanswered: null };
    }
    case 'MentorReplyRetried': {
      const { replyTo, replyId, at } = event.data;
      return { ...state, awaiting: { replyTo, replyId, since: at } };
    }
    case 'MentorReplied':
      return {
        ...state,
        awaiting: null,
        unanswered: null,
        lastSettled: { replyId: event.data.replyId, outcome: 'replied' },
      };
    case 'MentorReplyFailed':
      return {
        ...state,
        awaiting: null,
        unanswered: event.data.replyTo,
        lastSettled: { replyId: event.data.replyId, outcome: 'failed' },
      };
    default:
      return state;
  }
}
