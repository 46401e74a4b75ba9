import type { ChatCompletionMessageParam } from 'openai/resources/chat/completions';
import { z } from 'zod';
import { extractKeywords, sentences, stopwordsFor, words } from './text.ts';

/** The module a checkpoint is drafted from: its own words only. */
export const checkpointDraftInputSchema = z.object({
  title: z.string().min(1).max(200),
  /** The module's text (at most 100,000 characters; only the first 12,000 are sent to a model). */
  body: z.string().min(1),
  /** BCP 47; the questions are written in it. */
  language: z.string().min(2).max(35),
  /** How many questions to draft (1–10). */
  questionCount: z.number().int().min(1).max(10),
});
export type CheckpointDraftInput = z.infer<typeof checkpointDraftInputSchema>;

export const GENERATED_PROMPT_MAX = 500;
export const GENERATED_OPTION_MAX = 200;

/**
 * One drafted question, flat so that OpenAI's strict structured output accepts it (every field
 * required; the ones a type does not use are empty or null). The communities context turns it
 * into a `CheckpointQuestion` and validates it like a mentor's.
 */
const draftedQuestion = z.object({
  type: z.enum(['single_choice', 'multiple_choice', 'short_answer', 'reflection']),
  prompt: z.string().min(1).max(GENERATED_PROMPT_MAX),
  options: z
    .array(z.object({ text: z.string().min(1).max(GENERATED_OPTION_MAX), correct: z.boolean() }))
    .max(6),
  acceptedAnswers: z.array(z.string().min(1).max(GENERATED_OPTION_MAX)).max(5),
  guidance: z.string().max(GENERATED_PROMPT_MAX).nullable(),
});
export type DraftedQuestion = z.infer<typeof draftedQuestion>;

export const checkpointDraftOutputSchema = (count: number) =>
  z.object({ questions: z.array(draftedQuestion).min(1).max(count) });
export type CheckpointDraftOutput = { questions: DraftedQuestion[] };

/** A model sees at most this much of a module: enough for ten questions, bounded in cost. */
const MODEL_BODY_MAX = 12_000;

export const checkpointDraftTask = {
  name: 'checkpoint_questions',
  messages: ({
    title,
    body,
    language,
    questionCount,
  }: CheckpointDraftInput): ChatCompletionMessageParam[] => [
    {
      role: 'system',
      content: [
        `You write quiz questions in ${language} that check a learner understood the module the user gives you.`,
        `Write at most ${questionCount} questions, each answerable from the module's text alone; never from outside knowledge.`,
        'Types: "single_choice" (exactly one option correct, 3–4 options), "multiple_choice" (at least one correct and one wrong option), "short_answer" (a one- or two-word answer; list the accepted spellings in acceptedAnswers), "reflection" (an open question a mentor grades; say what to look for in guidance).',
        'Unused fields: options and acceptedAnswers empty, guidance null. Options of one question never repeat.',
      ].join('\n'),
    },
    { role: 'user', content: `Module: ${title}\n\n${body.slice(0, MODEL_BODY_MAX)}` },
  ],
  schema: ({ questionCount }: CheckpointDraftInput) => checkpointDraftOutputSchema(questionCount),
  /** Models overshoot counts: keep the first `questionCount`. */
  fit: (raw: unknown, { questionCount }: CheckpointDraftInput): unknown => {
    if (
      typeof raw !== 'object' ||
      raw === null ||
      !Array.isArray((raw as { questions?: unknown }).questions)
    ) {
      return raw;
    }
    const { questions } = raw as { questions: unknown[] };
    return { ...raw, questions: questions.slice(0, questionCount) };
  },
};

/**
 * The local provider's honest questions, from the module's own sentences and nothing else: for
 * each of its most telling sentences, the sentence with its key word blanked out, asked as a short
 * answer (the key word accepted) or, when the module has enough other key words to offer as wrong
 * options, as a single choice; and last a reflection on the module as a whole. Deterministic.
 */
export function draftCheckpointLocally(input: CheckpointDraftInput): CheckpointDraftOutput {
  const { title, body, language, questionCount } = input;
  const stop = stopwordsFor(language);
  const keywords = extractKeywords(title, body, language, 30).filter((word) => word.length >= 4);
  const questions: DraftedQuestion[] = [];
  const used = new Set<string>();
  for (const sentence of sentences(body)) {
    if (questions.length >= questionCount - 1) break;
    if (sentence.length > GENERATED_PROMPT_MAX - 40 || words(sentence).length < 5) continue;
    const inSentence = new Set(words(sentence));
    const key = keywords.find((word) => inSentence.has(word) && !used.has(word) && !stop.has(word));
    if (!key) continue;
    used.add(key);
    const blanked = sentence.replace(
      new RegExp(`(?<![\\p{L}\\p{N}])${escapeRegExp(key)}(?![\\p{L}\\p{N}])`, 'giu'),
      '_____',
    );
    const distractors = keywords.filter((word) => word !== key && !inSentence.has(word)).slice(0, 3);
    if (questions.length % 2 === 1 && distractors.length >= 2) {
      const options = [key, ...distractors].sort().map((text) => ({ text, correct: text === key }));
      questions.push({
        type: 'single_choice',
        prompt: `Which word completes the sentence? ${blanked}`,
        options,
        acceptedAnswers: [],
        guidance: null,
      });
    } else {
      questions.push({
        type: 'short_answer',
        prompt: `Fill in the blank: ${blanked}`,
        options: [],
        acceptedAnswers: [key],
        guidance: null,
      });
    }
  }
  questions.push({
    type: 'reflection',
    prompt: `In your own words: what is the main idea of "${title.slice(0, 200)}", and where could you use it?`,
    options: [],
    acceptedAnswers: [],
    guidance: 'Look for the module’s main idea restated, not copied, and one concrete use.',
  });
  return { questions };
}

const escapeRegExp = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
