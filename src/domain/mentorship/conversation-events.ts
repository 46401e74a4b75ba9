import { z } from 'zod';
import type { EventCatalogue } from '../shared/event-catalogue.ts';
import { mentorPersona } from './personas.ts';

/**
 * A conversation between a learner and the AI mentor. Every message and every reply is an event;
 * their texts are the learner's personal data (encrypted with the learner's key, null once the
 * learner is forgotten), whoever wrote them: a reply quotes and answers what the learner said.
 */
const id = z.uuid();
const instant = z.iso.datetime();
const personalText = z.string().nullable();

export const AI_LABELS = ['model', 'local-template'] as const;

export const conversationEventSchemas = {
  ConversationStarted: z.object({ conversationId: id, learnerId: id, persona: mentorPersona, at: instant }),
  /** `replyId` names the reply the mentor now owes, so a client can watch for it at once. */
  LearnerMessageSent: z.object({
    conversationId: id,
    learnerId: id,
    messageId: id,
    text: personalText,
    replyId: id,
    at: instant,
  }),
  /** The learner asked again for a reply that failed or was abandoned: a new reply is owed. */
  MentorReplyRetried: z.object({ conversationId: id, learnerId: id, replyTo: id, replyId: id, at: instant }),
  MentorReplied: z.object({
    conversationId: id,
    learnerId: id,
    replyTo: id,
    replyId: id,
    text: personalText,
    provider: z.string().min(1).max(100),
    model: z.string().min(1).max(200),
    label: z.enum(AI_LABELS),
    usage: z.object({
      promptTokens: z.number().int().min(0),
      completionTokens: z.number().int().min(0),
      totalTokens: z.number().int().min(0),
    }),
    at: instant,
  }),
  /**
   * No reply came: the provider failed (an `AI_*` code), the API process generating it shut down
   * (`SHUTDOWN`), or it was pending so long that it counts as abandoned (`ABANDONED`).
   */
  MentorReplyFailed: z.object({
    conversationId: id,
    learnerId: id,
    replyTo: id,
    replyId: id,
    code: z.string().regex(/^[A-Z][A-Z_]{1,59}$/),
    at: instant,
  }),
};

type Schemas = typeof conversationEventSchemas;
export type ConversationEvent = {
  [Type in keyof Schemas]: { type: Type; data: z.infer<Schemas[Type]> };
}[keyof Schemas];
export type ConversationEventOf<Type extends ConversationEvent['type']> = Extract<
  ConversationEvent,
  { type: Type }
>;

const byLearner = (data: { learnerId: string }) => data.learnerId;

/** Integrators see that conversations happen, never what was said. */
export const conversationEventCatalogue: EventCatalogue<ConversationEvent> = {
  ConversationStarted: {
    type: 'ConversationStarted',
    schemaVersion: 1,
    schema: conversationEventSchemas.ConversationStarted,
  },
  LearnerMessageSent: {
    type: 'LearnerMessageSent',
    schemaVersion: 1,
    schema: conversationEventSchemas.LearnerMessageSent,
    personalFields: ['text'],
    subject: byLearner,
  },
  MentorReplyRetried: {
    type: 'MentorReplyRetried',
    schemaVersion: 1,
    schema: conversationEventSchemas.MentorReplyRetried,
  },
  MentorReplied: {
    type: 'MentorReplied',
    schemaVersion: 1,
    schema: conversationEventSchemas.MentorReplied,
    personalFields: ['text'],
    subject: byLearner,
  },
  MentorReplyFailed: {
    type: 'MentorReplyFailed',
    schemaVersion: 1,
    schema: conversationEventSchemas.MentorReplyFailed,
  },
};
