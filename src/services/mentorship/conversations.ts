import { z } from 'zod';
import { AiProviderError } from '../../ai/errors.ts';
import { CHRONICLE_NAMESPACE, uuidv5 } from '../../commands/event-ids.ts';
import { loadAggregate } from '../../commands/load-aggregate.ts';
import type { ConversationCommand } from '../../domain/mentorship/conversation-commands.ts';
import { conversationAggregate } from '../../domain/mentorship/conversation-decider.ts';
import type { ConversationEvent } from '../../domain/mentorship/conversation-events.ts';
import { MAX_MESSAGE_LENGTH, MAX_REPLY_LENGTH } from '../../domain/mentorship/conversation-values.ts';
import { MENTOR_PERSONAS, type MentorPersona, personaDefinition } from '../../domain/mentorship/personas.ts';
import { mentorConversationStream } from '../../domain/mentorship/streams.ts';
import type { Actor } from '../../domain/shared/decider.ts';
import { forbidden } from '../../domain/shared/domain-error.ts';
import { commandIdFor, envelope, execute, nowFrom, type RequestContext } from '../shared/command-context.ts';
import { buildMentorContext } from './conversation-context.ts';
import type { MentorshipDeps } from './deps.ts';

/**
 * The AI mentor's use cases. Sending a message records it and answers at once; the reply is
 * generated in this API process in the background: its pieces go out on the reply channel as the
 * provider produces them, then the whole reply (or the failure) is recorded as an event. The
 * replies in flight are tracked so that shutting down stops them and records why.
 */

const idempotencyKey = z.string().min(8).max(128).nullish();
const startInput = z.object({ persona: z.enum(MENTOR_PERSONAS), idempotencyKey });
const sendInput = z.object({
  conversationId: z.uuid(),
  // The decider trims and checks 1..4000; this only bounds what is read.
  text: z.string().max(MAX_MESSAGE_LENGTH * 2),
  idempotencyKey,
});
const retryInput = z.object({ conversationId: z.uuid(), idempotencyKey });

/** The reply being written: in which conversation, to which of the learner's messages. */
export interface PendingReply {
  conversationId: string;
  /** The learner's message the reply answers. */
  messageId: string;
  replyId: string;
}

/** What a learner gets back for a message or a retry: their message as stored, and the reply to watch for. */
export interface SentMessage extends PendingReply {
  message: { text: string | null; at: string };
}

const MENTOR: Actor = { kind: 'system', process: 'ai-mentor' };

export async function startConversation(deps: MentorshipDeps, context: RequestContext, raw: unknown) {
  const parsed = startInput.parse(raw);
  const { persona } = parsed;
  const learnerId = learnerOf(context.actor);
  const commandId = commandIdFor(context, 'startConversation', parsed);
  // The id derives from the command id, so a retried start finds the conversation it made.
  const conversationId = commandId;
  await issue(deps, context, conversationId, commandId, {
    type: 'StartConversation',
    conversationId,
    learnerId,
    persona,
  });
  return conversationId;
}

export async function sendMentorMessage(
  deps: MentorshipDeps,
  context: RequestContext,
  raw: unknown,
): Promise<SentMessage> {
  const parsed = sendInput.parse(raw);
  const { conversationId, text } = parsed;
  const commandId = commandIdFor(context, `sendMentorMessage:${conversationId}`, parsed);
  const messageId = commandId;
  const replyId = uuidv5(`mentor-reply:${commandId}`, CHRONICLE_NAMESPACE);
  const result = await issue(deps, context, conversationId, commandId, {
    type: 'SendMentorMessage',
    messageId,
    text,
    replyId,
  });
  const sent = result.events.find((event) => event.type === 'LearnerMessageSent');
  if (!sent) throw new Error(`SendMentorMessage on ${conversationId} recorded no message`);
  // A replayed command was answered (or is being answered) by the run that recorded it.
  if (!result.replayed) startReply(deps, context, { conversationId, messageId, replyId });
  return { conversationId, messageId, replyId, message: { text: sent.data.text, at: sent.data.at } };
}

export async function retryMentorReply(
  deps: MentorshipDeps,
  context: RequestContext,
  raw: unknown,
): Promise<SentMessage> {
  const parsed = retryInput.parse(raw);
  const { conversationId } = parsed;
  const commandId = commandIdFor(context, `retryMentorReply:${conversationId}`, parsed);
  const replyId = uuidv5(`mentor-reply:${commandId}`, CHRONICLE_NAMESPACE);
  const result = await issue(deps, context, conversationId, commandId, { type: 'RetryMentorReply', replyId });
  const retried = result.events.find((event) => event.type === 'MentorReplyRetried');
  if (!retried) throw new Error(`RetryMentorReply on ${conversationId} recorded no retry`);
  const pending = { conversationId, messageId: retried.data.replyTo, replyId };
  if (!result.replayed) startReply(deps, context, pending);
  const { events } = await loadAggregate(
    deps,
    conversationAggregate,
    mentorConversationStream(conversationId),
  );
  const sent = events
    .map((loaded) => loaded.event)
    .find((event) => event.type === 'LearnerMessageSent' && event.data.messageId === pending.messageId);
  const message =
    sent?.type === 'LearnerMessageSent'
      ? { text: sent.data.text, at: sent.data.at }
      : { text: null, at: retried.data.at };
  return { ...pending, message };
}

function learnerOf(actor: Actor): string {
  if (actor.kind === 'user') return actor.userId;
  throw forbidden('LEARNERS_ONLY', 'Only a signed-in learner talks with the AI mentor');
}

async function issue(
  deps: MentorshipDeps,
  context: RequestContext,
  conversationId: string,
  commandId: string,
  command: ConversationCommand,
  actor?: Actor,
) {
  return execute(
    deps,
    conversationAggregate,
    mentorConversationStream(conversationId),
    envelope(context, commandId, nowFrom(deps), command, actor),
  );
}

// ---- generating the reply ----------------------------------------------------------------------

/**
 * The replies this process is generating. `close()` (the API shutting down) aborts them and waits
 * until each has recorded its failure (`SHUTDOWN`), so no reply is left pending by a clean stop;
 * after a crash, the decider's abandonment bound frees the conversation instead.
 */
export class MentorReplyGenerations {
  private readonly running = new Map<string, { abort: AbortController; done: Promise<void> }>();
  private closed = false;

  get size(): number {
    return this.running.size;
  }

  /** Runs `generate` unless closing; false if refused. */
  start(replyId: string, generate: (signal: AbortSignal) => Promise<void>): boolean {
    if (this.closed || this.running.has(replyId)) return false;
    const abort = new AbortController();
    const done = generate(abort.signal).finally(() => this.running.delete(replyId));
    this.running.set(replyId, { abort, done });
    return true;
  }

  /** Resolves when no reply is being generated (tests and shutdown use it). */
  async idle(): Promise<void> {
    while (this.running.size > 0) await Promise.allSettled([...this.running.values()].map((r) => r.done));
  }

  async close(): Promise<void> {
    this.closed = true;
    for (const { abort } of this.running.values()) abort.abort(new ShutdownError());
    await this.idle();
  }
}

class ShutdownError extends Error {
  constructor() {
    super('The API is shutting down');
    this.name = 'ShutdownError';
  }
}

function startReply(deps: MentorshipDeps, context: RequestContext, pending: PendingReply): void {
  const started = deps.mentorReplies.start(pending.replyId, (signal) =>
    generateReply(deps, context, pending, signal),
  );
  if (!started) {
    // Shutting down: say so now rather than leave the reply pending until it counts as abandoned.
    void recordFailure(deps, context, pending, 'SHUTDOWN');
  }
}

async function generateReply(
  deps: MentorshipDeps,
  context: RequestContext,
  pending: PendingReply,
  signal: AbortSignal,
): Promise<void> {
  const log = deps.log.child({ conversationId: pending.conversationId, replyId: pending.replyId });
  let seq = 0;
  let publishing = Promise.resolve();
  try {
    const input = await chatInput(deps, pending);
    const result = await deps.ai.mentorReply(input, {
      signal,
      onDelta: (delta) => {
        const notice = { kind: 'delta' as const, ...idsOf(pending), seq: seq++, delta };
        // In order, without holding the provider's stream up.
        publishing = publishing.then(() =>
          deps.replies.publish(notice).catch((error) => log.warn({ err: error }, 'a reply piece was lost')),
        );
      },
    });
    await publishing;
    await issueAsMentor(deps, context, pending, 'reply', {
      type: 'RecordMentorReply',
      replyTo: pending.messageId,
      replyId: pending.replyId,
      text: bounded(result.output.text),
      provider: result.provider,
      model: result.model,
      label: result.label,
      usage: result.usage,
    });
    log.info(
      {
        provider: result.provider,
        model: result.model,
        tokens: result.usage.totalTokens,
        ms: result.durationMs,
      },
      'AI mentor replied',
    );
  } catch (error) {
    await publishing;
    const code = failureCodeOf(error, signal);
    log.warn({ err: error, code }, 'AI mentor reply failed');
    await recordFailure(deps, context, pending, code);
  }
}

async function chatInput(deps: MentorshipDeps, pending: PendingReply) {
  const { state, events } = await loadAggregate(
    deps,
    conversationAggregate,
    mentorConversationStream(pending.conversationId),
  );
  if (state.status === 'none') throw new Error(`Conversation ${pending.conversationId} does not exist`);
  const persona: MentorPersona = state.persona;
  const context = await buildMentorContext(deps.pool, {
    persona,
    learnerId: state.learnerId,
    events: events.map((loaded): ConversationEvent => loaded.event),
    replyTo: pending.messageId,
  });
  const definition = personaDefinition(persona);
  return {
    persona: {
      key: persona,
      title: definition.title,
      opening: definition.localOpening,
      questions: definition.localQuestions,
    },
    system: context.system,
    messages: context.messages,
  };
}

async function recordFailure(
  deps: MentorshipDeps,
  context: RequestContext,
  pending: PendingReply,
  code: string,
): Promise<void> {
  try {
    await issueAsMentor(deps, context, pending, 'failure', {
      type: 'RecordMentorReplyFailed',
      replyTo: pending.messageId,
      replyId: pending.replyId,
      code,
    });
  } catch (error) {
    // E.g. the learner already moved on after the reply counted as abandoned.
    deps.log.warn({ err: error, replyId: pending.replyId, code }, 'could not record a failed mentor reply');
  }
}

/**
 * The system records the outcome; the command id derives from the reply id, so recording it twice
 * (a retried write) appends nothing new. It does not wait for the read models: nobody waits on it.
 */
async function issueAsMentor(
  deps: MentorshipDeps,
  context: RequestContext,
  pending: PendingReply,
  outcome: 'reply' | 'failure',
  command: ConversationCommand,
) {
  const { settle: _skipped, ...withoutSettle } = deps;
  const commandId = uuidv5(`mentor-reply-${outcome}:${pending.replyId}`, CHRONICLE_NAMESPACE);
  return issue(withoutSettle, context, pending.conversationId, commandId, command, MENTOR);
}

function failureCodeOf(error: unknown, signal: AbortSignal): string {
  if (signal.aborted && signal.reason instanceof ShutdownError) return 'SHUTDOWN';
  if (error instanceof AiProviderError) return error.code;
  return 'MENTOR_REPLY_FAILED';
}

const idsOf = (pending: PendingReply) => ({
  conversationId: pending.conversationId,
  replyId: pending.replyId,
});

/** A reply longer than the stored maximum is cut (rare: models answer well below it). */
function bounded(text: string): string {
  return text.length <= MAX_REPLY_LENGTH ? text : `${text.slice(0, MAX_REPLY_LENGTH - 1)}…`;
}
