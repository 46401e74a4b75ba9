import { AiProviderError } from './errors.ts';
import type { AiCallOptions, AiResult } from './provider.ts';
import { shorten } from './text.ts';

/**
 * The AI mentor's chat call: a system prompt (the persona and what is known about the learner)
 * and the conversation so far, the learner's message last. The reply streams: each piece of text
 * goes to `onDelta` as it is produced, and the whole text comes back at the end.
 */
export interface MentorChatMessage {
  role: 'user' | 'assistant';
  content: string;
}

export interface MentorChatPersona {
  /** e.g. `fintech`. */
  key: string;
  /** e.g. `Fintech mentor`. */
  title: string;
  /** How the local templates open a reply in this persona's voice (a model reads `system`). */
  opening: string;
  /** Questions the local templates ask back, in this persona's domain. */
  questions: readonly string[];
}

export interface MentorChatInput {
  persona: MentorChatPersona;
  system: string;
  messages: readonly MentorChatMessage[];
}

export interface MentorReplyOptions extends AiCallOptions {
  /** Called with each piece of the reply, in order; the pieces joined are the whole reply. */
  onDelta(text: string): void;
}

export interface MentorReplyOutput {
  text: string;
}

export type MentorReplyResult = AiResult<MentorReplyOutput>;

/** How many pieces the local templates stream a reply in (at least). */
const LOCAL_CHUNKS = 4;

/**
 * The local (no model) mentor: a deterministic reply in the persona's voice that restates the
 * learner's last message and asks one of the persona's questions, chosen by the message's text
 * (same input, same reply). It begins by saying plainly that no AI model wrote it.
 */
export function localMentorReply(input: MentorChatInput): string {
  const last = [...input.messages].reverse().find((message) => message.role === 'user');
  const said = last ? shorten(last.content.replace(/\s+/g, ' ').trim(), 200, { ellipsis: true }) : '';
  const { questions } = input.persona;
  const question = questions.length > 0 ? questions[checksum(said) % questions.length] : undefined;
  return [
    `[${input.persona.title}, local template: no AI model is configured]`,
    input.persona.opening,
    said ? `You wrote: "${said}".` : 'You have not asked anything yet.',
    'Write down what you want to be true in four weeks and the one thing blocking it today.',
    question ? `Next step: ${question}` : undefined,
  ]
    .filter((part) => part !== undefined)
    .join(' ');
}

/** Streams `text` to `onDelta` in a few word-aligned pieces, yielding to the event loop between them. */
export async function streamLocally(text: string, options: MentorReplyOptions): Promise<void> {
  const words = text.split(/(?<=\s)/);
  const perChunk = Math.max(1, Math.ceil(words.length / LOCAL_CHUNKS));
  for (let start = 0; start < words.length; start += perChunk) {
    if (options.signal?.aborted) {
      throw new AiProviderError('AI_FAILED', 'The AI call was cancelled', { attempts: 1 });
    }
    options.onDelta(words.slice(start, start + perChunk).join(''));
    await new Promise<void>((resolve) => setImmediate(resolve));
  }
}

/** A small stable hash of a text (FNV-1a), for choosing among templates deterministically. */
function checksum(text: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    hash ^= text.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return hash;
}
