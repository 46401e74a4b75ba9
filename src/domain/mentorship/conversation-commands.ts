import type { AiUsageValue } from './conversation-values.ts';

/**
 * Commands on an AI mentor conversation. The learner starts it and writes; the system (the API
 * process generating the reply) records the reply or its failure. Ids come from the service
 * (derived from command ids), so a retried command finds what it made.
 */
export type ConversationCommand =
  | { type: 'StartConversation'; conversationId: string; learnerId: string; persona: string }
  | { type: 'SendMentorMessage'; messageId: string; text: string; replyId: string }
  | { type: 'RetryMentorReply'; replyId: string }
  | {
      type: 'RecordMentorReply';
      replyTo: string;
      replyId: string;
      text: string;
      provider: string;
      model: string;
      label: 'model' | 'local-template';
      usage: AiUsageValue;
    }
  | { type: 'RecordMentorReplyFailed'; replyTo: string; replyId: string; code: string };
