import type { EventCodec } from '../../commands/event-codec.ts';
import type { UserEvent } from '../../domain/identity/user-events.ts';
import { userEventCatalogue } from '../../domain/identity/user-events.ts';
import {
  type ConversationEvent,
  conversationEventCatalogue,
} from '../../domain/mentorship/conversation-events.ts';
import type { Projection, ReadModelWriter } from '../projection.ts';

/**
 * AI mentor conversations: one row per conversation, one per message (the learner's and the
 * mentor's, numbered `seq` from 1 in order). A learner message carries the state of the reply it
 * is owed (`pending`, `replied`, `failed` with a code). Texts are decrypted on the way in and
 * nulled when the learner is forgotten (`mentor_chat_learners` lists whose conversations
 * to visit); a rebuild after that reads them as null because the key is gone.
 */
export const MENTORSHIP_CONVERSATIONS_PROJECTION = 'mentorship_conversations';

export function mentorshipConversationsProjection(codec: Pick<EventCodec, 'decode'>): Projection {
  return {
    name: MENTORSHIP_CONVERSATIONS_PROJECTION,
    version: 1,
    eventTypes: [...Object.keys(conversationEventCatalogue), 'UserForgotten'],
    tables: {
      mentor_conversations: {
        columns: `conversation_id uuid not null, learner_id uuid not null, persona text not null,
          message_count int not null, last_learner_seq int, pending_reply_id uuid, pending_since timestamptz,
          last_message_at timestamptz, created_at timestamptz not null, updated_at timestamptz not null`,
        primaryKey: ['conversation_id'],
        indexes: ['(learner_id, created_at desc, conversation_id desc)'],
      },
      mentor_messages: {
        columns: `conversation_id uuid not null, seq int not null, message_id uuid not null,
          role text not null, text text, reply_to uuid, reply_id uuid, reply_status text,
          failure_code text, provider text, model text, label text, prompt_tokens int,
          completion_tokens int, total_tokens int, created_at timestamptz not null`,
        primaryKey: ['conversation_id', 'seq'],
        indexes: ['(message_id)', '(reply_id)'],
      },
      mentor_chat_learners: {
        columns: 'learner_id uuid not null, conversation_ids jsonb not null',
        primaryKey: ['learner_id'],
      },
    },
    async apply(recorded, writer) {
      if (recorded.type === 'UserForgotten') {
        const decoded = await codec.decode(userEventCatalogue, recorded);
        if (decoded) await forgetLearner(decoded.event, writer);
        return;
      }
      const decoded = await codec.decode(conversationEventCatalogue, recorded);
      if (decoded) await applyConversationEvent(decoded.event, writer);
    },
  };
}

const CONVERSATIONS = 'mentor_conversations';
const MESSAGES = 'mentor_messages';
const BY_LEARNER = 'mentor_chat_learners';

async function applyConversationEvent(event: ConversationEvent, writer: ReadModelWriter): Promise<void> {
  const key = { conversation_id: event.data.conversationId };
  switch (event.type) {
    case 'ConversationStarted': {
      const { conversationId, learnerId, persona, at } = event.data;
      writer.upsert(CONVERSATIONS, {
        conversation_id: conversationId,
        learner_id: learnerId,
        persona,
        message_count: 0,
        last_learner_seq: null,
        pending_reply_id: null,
        pending_since: null,
        last_message_at: null,
        created_at: at,
        updated_at: at,
      });
      const listed = await writer.get(BY_LEARNER, { learner_id: learnerId });
      const ids = Array.isArray(listed?.conversation_ids) ? listed.conversation_ids : [];
      if (!ids.includes(conversationId)) {
        writer.upsert(BY_LEARNER, { learner_id: learnerId, conversation_ids: [...ids, conversationId] });
      }
      return;
    }
    case 'LearnerMessageSent': {
      const conversation = await writer.get(CONVERSATIONS, key);
      if (!conversation) return;
      const { messageId, text, replyId, at } = event.data;
      const seq = Number(conversation.message_count) + 1;
      writer.upsert(MESSAGES, {
        ...key,
        seq,
        message_id: messageId,
        role: 'learner',
        text,
        reply_id: replyId,
        reply_status: 'pending',
        created_at: at,
      });
      await writer.update(CONVERSATIONS, key, {
        message_count: seq,
        last_learner_seq: seq,
        pending_reply_id: replyId,
        pending_since: at,
        last_message_at: at,
        updated_at: at,
      });
      return;
    }
    case 'MentorReplyRetried': {
      const { replyTo, replyId, at } = event.data;
      await updateLearnerMessage(writer, key, replyTo, {
        reply_id: replyId,
        reply_status: 'pending',
        failure_code: null,
      });
      await writer.update(CONVERSATIONS, key, {
        pending_reply_id: replyId,
        pending_since: at,
        updated_at: at,
      });
      return;
    }
    case 'MentorReplied': {
      const conversation = await writer.get(CONVERSATIONS, key);
      if (!conversation) return;
      const { replyTo, replyId, text, provider, model, label, usage, at } = event.data;
      const seq = Number(conversation.message_count) + 1;
      writer.upsert(MESSAGES, {
        ...key,
        seq,
        message_id: replyId,
        role: 'mentor',
        text,
        reply_to: replyTo,
        reply_id: replyId,
        provider,
        model,
        label,
        prompt_tokens: usage.promptTokens,
        completion_tokens: usage.completionTokens,
        total_tokens: usage.totalTokens,
        created_at: at,
      });
      await updateLearnerMessage(writer, key, replyTo, { reply_status: 'replied' });
      await writer.update(CONVERSATIONS, key, {
        message_count: seq,
        pending_reply_id: null,
        pending_since: null,
        last_message_at: at,
        updated_at: at,
      });
      return;
    }
    case 'MentorReplyFailed': {
      const { replyTo, code, at } = event.data;
      await updateLearnerMessage(writer, key, replyTo, { reply_status: 'failed', failure_code: code });
      await writer.update(CONVERSATIONS, key, {
        pending_reply_id: null,
        pending_since: null,
        updated_at: at,
      });
      return;
    }
  }
}

/** A reply always answers the learner's latest message (the decider sees to it). */
async function updateLearnerMessage(
  writer: ReadModelWriter,
  key: { conversation_id: string },
  messageId: string,
  changes: Record<string, unknown>,
): Promise<void> {
  const conversation = await writer.get(CONVERSATIONS, key);
  const seq = conversation?.last_learner_seq;
  if (typeof seq !== 'number') return;
  const message = await writer.get(MESSAGES, { ...key, seq });
  if (message?.message_id !== messageId) return;
  await writer.update(MESSAGES, { ...key, seq }, changes);
}

/** Every text of the learner's conversations goes, whoever wrote it. */
async function forgetLearner(event: UserEvent, writer: ReadModelWriter): Promise<void> {
  if (event.type !== 'UserForgotten') return;
  const listed = await writer.get(BY_LEARNER, { learner_id: event.data.userId });
  const ids = Array.isArray(listed?.conversation_ids) ? listed.conversation_ids : [];
  for (const conversationId of ids) {
    if (typeof conversationId !== 'string') continue;
    const key = { conversation_id: conversationId };
    const conversation = await writer.get(CONVERSATIONS, key);
    const count = Number(conversation?.message_count ?? 0);
    for (let seq = 1; seq <= count; seq++) await writer.update(MESSAGES, { ...key, seq }, { text: null });
  }
}
