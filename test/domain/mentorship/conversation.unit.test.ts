import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { assembleMentorContext } from '../../../src/domain/mentorship/conversation-context.ts';
import { conversationDecider } from '../../../src/domain/mentorship/conversation-decider.ts';
import {
  type ConversationEvent,
  type ConversationEventOf,
  conversationEventCatalogue,
} from '../../../src/domain/mentorship/conversation-events.ts';
import { REPLY_ABANDONED_AFTER_MS } from '../../../src/domain/mentorship/conversation-values.ts';
import { MENTOR_PERSONAS, personaDefinition } from '../../../src/domain/mentorship/personas.ts';
import { anAdmin, anotherUser, asUser, by, shift, theSystem } from '../support/actors.ts';
import { deciderSpec } from '../support/decider-spec.ts';

const spec = deciderSpec(conversationDecider);

const NOW = new Date('2025-06-19T10:00:00.000Z');
const CONVERSATION = randomUUID();
const LEARNER = randomUUID();
const MESSAGE = randomUUID();
const REPLY = randomUUID();
const learner = by(asUser(LEARNER), NOW);
const mentor = (at = NOW) => by(theSystem('ai-mentor'), at);
const at = (date: Date) => date.toISOString();

const started: ConversationEventOf<'ConversationStarted'> = {
  type: 'ConversationStarted',
  data: { conversationId: CONVERSATION, learnerId: LEARNER, persona: 'fintech', at: at(NOW) },
};
const sent = (
  messageId = MESSAGE,
  replyId = REPLY,
  when = NOW,
  text = 'How do I find a sponsor bank?',
): ConversationEventOf<'LearnerMessageSent'> => ({
  type: 'LearnerMessageSent',
  data: { conversationId: CONVERSATION, learnerId: LEARNER, messageId, text, replyId, at: at(when) },
});
const replied = (replyTo = MESSAGE, replyId = REPLY): ConversationEventOf<'MentorReplied'> => ({
  type: 'MentorReplied',
  data: {
    conversationId: CONVERSATION,
    learnerId: LEARNER,
    replyTo,
    replyId,
    text: 'Start with the processors you already use.',
    provider: 'openai',
    model: 'gpt-test',
    label: 'model',
    usage: { promptTokens: 10, completionTokens: 8, totalTokens: 18 },
    at: at(NOW),
  },
});
const failed = (code: string, when = NOW, replyId = REPLY): ConversationEventOf<'MentorReplyFailed'> => ({
  type: 'MentorReplyFailed',
  data: { conversationId: CONVERSATION, learnerId: LEARNER, replyTo: MESSAGE, replyId, code, at: at(when) },
});
const record = {
  type: 'RecordMentorReply' as const,
  replyTo: MESSAGE,
  replyId: REPLY,
  text: 'Start with the processors you already use.',
  provider: 'openai',
  model: 'gpt-test',
  label: 'model' as const,
  usage: { promptTokens: 10, completionTokens: 8, totalTokens: 18 },
};

describe('starting a conversation', () => {
  it('starts one with a persona for the learner themself', () => {
    spec
      .given([])
      .when(
        { type: 'StartConversation', conversationId: CONVERSATION, learnerId: LEARNER, persona: 'fintech' },
        learner,
      )
      .then([started]);
  });

  it('refuses an unknown persona and anyone starting one for somebody else', () => {
    const start = { type: 'StartConversation' as const, conversationId: CONVERSATION, learnerId: LEARNER };
    spec
      .given([])
      .when({ ...start, persona: 'astrology' }, learner)
      .thenThrows('VALIDATION', 'INVALID_PERSONA');
    spec
      .given([])
      .when({ ...start, persona: 'general' }, by(anAdmin(), NOW))
      .thenThrows('FORBIDDEN', 'NOT_CONVERSATION_LEARNER');
    spec
      .given([started])
      .when({ ...start, persona: 'general' }, learner)
      .thenThrows('CONFLICT', 'CONVERSATION_EXISTS');
  });
});

describe('sending a message', () => {
  it('records the trimmed message and the reply it is owed', () => {
    spec
      .given([started])
      .when(
        {
          type: 'SendMentorMessage',
          messageId: MESSAGE,
          text: '  How do I find a sponsor bank?\n',
          replyId: REPLY,
        },
        learner,
      )
      .then([sent()]);
  });

  it('accepts only the learner, and 1..4000 characters', () => {
    const send = { type: 'SendMentorMessage' as const, messageId: MESSAGE, replyId: REPLY };
    spec
      .given([started])
      .when({ ...send, text: 'hi' }, by(anotherUser(), NOW))
      .thenThrows('FORBIDDEN', 'NOT_CONVERSATION_LEARNER');
    spec
      .given([started])
      .when({ ...send, text: '   ' }, learner)
      .thenThrows('VALIDATION', 'INVALID_MESSAGE');
    spec
      .given([started])
      .when({ ...send, text: 'x'.repeat(4_001) }, learner)
      .thenThrows('VALIDATION', 'INVALID_MESSAGE');
    spec
      .given([])
      .when({ ...send, text: 'hi' }, learner)
      .thenThrows('NOT_FOUND', 'CONVERSATION_NOT_FOUND');
  });

  it('refuses a second message while the reply to the first is being written', () => {
    spec
      .given([started, sent()])
      .when(
        { type: 'SendMentorMessage', messageId: randomUUID(), text: 'Hello?', replyId: randomUUID() },
        by(asUser(LEARNER), shift(NOW, REPLY_ABANDONED_AFTER_MS - 1)),
      )
      .thenThrows('CONFLICT', 'MENTOR_REPLY_PENDING');
  });

  it('goes on once the pending reply counts as abandoned, recording it as failed first', () => {
    const later = shift(NOW, REPLY_ABANDONED_AFTER_MS);
    const next = randomUUID();
    const nextReply = randomUUID();
    spec
      .given([started, sent()])
      .when(
        { type: 'SendMentorMessage', messageId: next, text: 'Still there?', replyId: nextReply },
        by(asUser(LEARNER), later),
      )
      .then([failed('ABANDONED', later), sent(next, nextReply, later, 'Still there?')]);
  });

  it('goes on after a reply, and after a failed one', () => {
    const send = {
      type: 'SendMentorMessage' as const,
      messageId: randomUUID(),
      text: 'Next',
      replyId: randomUUID(),
    };
    expect(() => conversationDecider.decide(send, fold([started, sent(), replied()]), learner)).not.toThrow();
    expect(() =>
      conversationDecider.decide(send, fold([started, sent(), failed('AI_TIMEOUT')]), learner),
    ).not.toThrow();
  });
});

describe('recording the reply', () => {
  it('records the awaited reply, once', () => {
    spec.given([started, sent()]).when(record, mentor()).then([replied()]);
    spec.given([started, sent(), replied()]).when(record, mentor()).thenNothing();
  });

  it('is for the system only, and only for the reply awaited', () => {
    spec.given([started, sent()]).when(record, learner).thenThrows('FORBIDDEN', 'SYSTEM_ONLY');
    spec
      .given([started, sent()])
      .when({ ...record, replyId: randomUUID() }, mentor())
      .thenThrows('CONFLICT', 'REPLY_NOT_AWAITED');
    spec
      .given([started, sent()])
      .when({ ...record, text: '' }, mentor())
      .thenThrows('VALIDATION', 'INVALID_REPLY');
  });

  it('records a failure with its code; a late outcome of an abandoned reply changes nothing', () => {
    spec
      .given([started, sent()])
      .when(
        { type: 'RecordMentorReplyFailed', replyTo: MESSAGE, replyId: REPLY, code: 'AI_TIMEOUT' },
        mentor(),
      )
      .then([failed('AI_TIMEOUT')]);
    const next = randomUUID();
    spec
      .given([started, sent(), failed('ABANDONED'), sent(next, randomUUID(), NOW, 'Again')])
      .when(record, mentor())
      .thenNothing();
    spec
      .given([started, sent(), failed('ABANDONED'), sent(next, randomUUID(), NOW, 'Again')])
      .when({ type: 'RecordMentorReplyFailed', replyTo: MESSAGE, replyId: REPLY, code: 'SHUTDOWN' }, mentor())
      .thenNothing();
  });
});

describe('retrying a reply', () => {
  const retry = (replyId = randomUUID()) => ({ type: 'RetryMentorReply' as const, replyId });

  it('asks again for the reply to a failed message', () => {
    const replyId = randomUUID();
    spec
      .given([started, sent(), failed('AI_UNAVAILABLE')])
      .when(retry(replyId), learner)
      .then([
        {
          type: 'MentorReplyRetried',
          data: { conversationId: CONVERSATION, learnerId: LEARNER, replyTo: MESSAGE, replyId, at: at(NOW) },
        },
      ]);
  });

  it('abandons a reply pending too long, then asks again', () => {
    const later = shift(NOW, REPLY_ABANDONED_AFTER_MS + 1);
    const replyId = randomUUID();
    spec
      .given([started, sent()])
      .when(retry(replyId), by(asUser(LEARNER), later))
      .then([
        failed('ABANDONED', later),
        {
          type: 'MentorReplyRetried',
          data: {
            conversationId: CONVERSATION,
            learnerId: LEARNER,
            replyTo: MESSAGE,
            replyId,
            at: at(later),
          },
        },
      ]);
  });

  it('refuses while a reply is on its way, and when every message has its reply', () => {
    spec.given([started, sent()]).when(retry(), learner).thenThrows('CONFLICT', 'MENTOR_REPLY_PENDING');
    spec
      .given([started, sent(), replied()])
      .when(retry(), learner)
      .thenThrows('CONFLICT', 'NOTHING_TO_RETRY');
    spec.given([started]).when(retry(), learner).thenThrows('CONFLICT', 'NOTHING_TO_RETRY');
  });
});

describe('the conversation events', () => {
  it('hold the texts as the learner’s personal data', () => {
    const { LearnerMessageSent, MentorReplied } = conversationEventCatalogue;
    expect(LearnerMessageSent.personalFields).toEqual(['text']);
    expect(MentorReplied.personalFields).toEqual(['text']);
    expect(LearnerMessageSent.subject?.(sent().data)).toBe(LEARNER);
    expect(MentorReplied.subject?.(replied().data)).toBe(LEARNER);
  });
});

describe('personas', () => {
  it('each has a system prompt written for its domain', () => {
    const prompts = MENTOR_PERSONAS.map((persona) => personaDefinition(persona).systemPrompt);
    expect(new Set(prompts).size).toBe(4);
    expect(personaDefinition('fintech').systemPrompt).toMatch(/KYC\/AML/);
    expect(personaDefinition('healthtech').systemPrompt).toMatch(/HIPAA/);
    expect(personaDefinition('b2b-saas').systemPrompt).toMatch(/net revenue retention/);
  });
});

describe('the context sent to the model', () => {
  const learnerFacts = {
    goals: ['Launch a payments MVP by September', 'Find a sponsor bank'],
    subjects: ['payments'],
    preferredStyle: 'hands-on',
    languages: ['en', 'pt-br'],
    timeZone: 'Europe/Lisbon',
  };

  it('carries the persona, the learner’s goals and recent sessions, then the conversation', () => {
    const context = assembleMentorContext({
      persona: 'fintech',
      learner: learnerFacts,
      sessions: [
        {
          startsAt: '2025-06-01T09:00:00.000Z',
          status: 'ended',
          durationSeconds: 2_700,
          subject: 'payments',
          learnerRating: 5,
        },
      ],
      history: [
        { role: 'learner', text: 'Hi' },
        { role: 'mentor', text: 'Hello! What are you building?' },
        { role: 'learner', text: 'A card product.' },
      ],
    });
    expect(context.system).toContain(personaDefinition('fintech').systemPrompt);
    expect(context.system).toContain('- Launch a payments MVP by September');
    expect(context.system).toContain('2025-06-01, payments, ended, 45 min, rated 5/5 by the learner');
    expect(context.messages).toEqual([
      { role: 'user', content: 'Hi' },
      { role: 'assistant', content: 'Hello! What are you building?' },
      { role: 'user', content: 'A card product.' },
    ]);
    expect(context.droppedTurns).toBe(0);
  });

  it('never exceeds its bound: the oldest turns go first, the last message always stays', () => {
    const history = Array.from({ length: 60 }, (_, index) => ({
      role: index % 2 === 0 ? ('learner' as const) : ('mentor' as const),
      text: `turn ${index} ${'words '.repeat(80)}`,
    }));
    for (const maxChars of [4_000, 12_000]) {
      const context = assembleMentorContext({
        persona: 'general',
        learner: learnerFacts,
        sessions: [],
        history,
        maxChars,
      });
      const size = context.system.length + context.messages.reduce((sum, m) => sum + m.content.length, 0);
      expect(size).toBeLessThanOrEqual(maxChars);
      expect(context.chars).toBe(size);
      expect(context.droppedTurns).toBeGreaterThan(0);
      expect(context.messages.at(-1)?.content).toBe(history.at(-1)?.text);
      // What is kept is the latest turns, in order.
      const kept = history.slice(history.length - context.messages.length).map((turn) => turn.text);
      expect(context.messages.map((m) => m.content)).toEqual(kept);
    }
  });

  it('cuts the facts and even the last message rather than break the bound', () => {
    const context = assembleMentorContext({
      persona: 'healthtech',
      learner: { ...learnerFacts, goals: Array.from({ length: 50 }, () => 'g'.repeat(400)) },
      sessions: [],
      history: [{ role: 'learner', text: 'q'.repeat(4_000) }],
      maxChars: 3_000,
    });
    const size = context.system.length + context.messages.reduce((sum, m) => sum + m.content.length, 0);
    expect(size).toBeLessThanOrEqual(3_000);
    expect(context.messages).toHaveLength(1);
    expect(context.messages[0]?.content.endsWith('…')).toBe(true);
  });
});

function fold(events: readonly ConversationEvent[]) {
  return events.reduce(conversationDecider.evolve, conversationDecider.initialState);
}
