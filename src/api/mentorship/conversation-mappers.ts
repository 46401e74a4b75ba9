import type { MentorPersona } from '../../domain/mentorship/personas.ts';
import type { ConversationRow, MessageRow } from './conversation-queries.ts';

/** GraphQL enum values cannot hold '-': `b2b-saas` is `b2b_saas` there. */
export const personaToGraphQL = (persona: string) => persona.replaceAll('-', '_');
export const personaFromGraphQL = (value: unknown): MentorPersona | unknown =>
  typeof value === 'string' ? value.replaceAll('_', '-') : value;

export interface ConversationView {
  id: string;
  learnerId: string;
  persona: string;
  pendingReplyId: string | null;
  createdAt: string;
  updatedAt: string;
  lastMessageAt: string | null;
}

export function toConversation(row: ConversationRow): ConversationView {
  return {
    id: row.conversation_id,
    learnerId: row.learner_id,
    persona: personaToGraphQL(row.persona),
    pendingReplyId: row.pending_reply_id,
    createdAt: row.created_at.toISOString(),
    updatedAt: row.updated_at.toISOString(),
    lastMessageAt: row.last_message_at?.toISOString() ?? null,
  };
}

export function toMessage(row: MessageRow) {
  return {
    id: row.message_id,
    role: row.role,
    text: row.text,
    createdAt: row.created_at.toISOString(),
    replyId: row.role === 'learner' ? row.reply_id : null,
    replyStatus: row.reply_status,
    failureCode: row.failure_code,
    replyTo: row.reply_to,
    provider: row.provider,
    model: row.model,
    label: row.label?.replace('-', '_') ?? null,
    totalTokens: row.total_tokens,
  };
}
