import { z } from 'zod';
import { validation } from '../shared/domain-error.ts';

/**
 * A checkpoint's questions, with their correct answers: the write side's and scoring's view.
 * Learners only ever see `learnerQuestion(question)`, which leaves every answer out.
 */
export const QUESTION_TYPES = ['single_choice', 'multiple_choice', 'short_answer', 'reflection'] as const;
export type QuestionType = (typeof QUESTION_TYPES)[number];

export const MAX_QUESTIONS = 50;
export const MAX_OPTIONS = 10;
export const MAX_ACCEPTED_ANSWERS = 20;
export const MAX_PROMPT_LENGTH = 2_000;
export const MAX_OPTION_LENGTH = 500;
export const MAX_POINTS = 100;
export const MAX_ATTEMPTS_LIMIT = 100;
/** A week: a longer cool-down is a closed checkpoint, which is not what a cool-down is for. */
export const MAX_COOLDOWN_SECONDS = 7 * 24 * 3600;

export interface ChoiceOption {
  id: string;
  text: string;
  correct: boolean;
}

interface QuestionBase {
  /** Stable within the checkpoint (answers name it); 1–40 letters, digits, '-' or '_'. */
  id: string;
  prompt: string;
  /** What the question is worth (1–100). */
  points: number;
}

export type CheckpointQuestion =
  | (QuestionBase & { type: 'single_choice'; options: ChoiceOption[] })
  | (QuestionBase & { type: 'multiple_choice'; options: ChoiceOption[] })
  | (QuestionBase & {
      type: 'short_answer';
      /** Compared after `normaliseAnswer` on both sides. */
      acceptedAnswers: string[];
    })
  | (QuestionBase & {
      type: 'reflection';
      /** What the grading mentor looks for; shown to learners too (it is a prompt, not an answer). */
      guidance: string | null;
    });

/** A question as a learner sees it: the same, minus which options are correct and the accepted answers. */
export type LearnerQuestion =
  | (QuestionBase & { type: 'single_choice' | 'multiple_choice'; options: { id: string; text: string }[] })
  | (QuestionBase & { type: 'short_answer' })
  | (QuestionBase & { type: 'reflection'; guidance: string | null });

const questionId = z
  .string()
  .regex(/^[A-Za-z0-9_-]{1,40}$/, 'a question or option id is 1–40 letters, digits, "-" or "_"');
const text = (max: number) => z.string().trim().min(1).max(max);
const points = z.number().int().min(1).max(MAX_POINTS);
const option = z.object({ id: questionId, text: text(MAX_OPTION_LENGTH), correct: z.boolean() });
const choice = {
  id: questionId,
  prompt: text(MAX_PROMPT_LENGTH),
  points,
  options: z.array(option).max(MAX_OPTIONS),
};

/** The shape (types, lengths); `validateQuestions` then checks what makes a question answerable. */
export const checkpointQuestionSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('single_choice'), ...choice }),
  z.object({ type: z.literal('multiple_choice'), ...choice }),
  z.object({
    type: z.literal('short_answer'),
    id: questionId,
    prompt: text(MAX_PROMPT_LENGTH),
    points,
    acceptedAnswers: z.array(text(MAX_OPTION_LENGTH)).max(MAX_ACCEPTED_ANSWERS),
  }),
  z.object({
    type: z.literal('reflection'),
    id: questionId,
    prompt: text(MAX_PROMPT_LENGTH),
    points,
    guidance: text(MAX_PROMPT_LENGTH).nullable(),
  }),
]);

/** Pass mark and attempt rules of a checkpoint. */
export interface CheckpointRules {
  /** Percent of the points needed to pass (0–100). */
  passMark: number;
  /** Attempts a learner has (1–100). */
  maxAttempts: number;
  /** Seconds a learner waits between attempts (0 – a week). */
  cooldownSeconds: number;
}

export const checkpointRulesSchema = z.object({
  passMark: z.number().int().min(0).max(100),
  maxAttempts: z.number().int().min(1).max(MAX_ATTEMPTS_LIMIT),
  cooldownSeconds: z.number().int().min(0).max(MAX_COOLDOWN_SECONDS),
});

/**
 * How a short answer is compared: case, accents, punctuation and spacing do not matter
 * ("  Photo-synthesis! " is "photo synthesis"), so a learner is not failed for typography.
 */
export function normaliseAnswer(answer: string): string {
  return answer
    .normalize('NFKD')
    .replace(/\p{M}/gu, '')
    .toLowerCase()
    .replace(/[^\p{L}\p{N}]+/gu, ' ')
    .trim();
}

/**
 * The questions if every one can be answered and graded; otherwise VALIDATION with the first
 * reason and the question's id, so nothing is stored. Shape errors (types, lengths) come first as
 * INVALID_QUESTION.
 */
export function validateQuestions(input: unknown): CheckpointQuestion[] {
  const parsed = z.array(z.unknown()).safeParse(input);
  if (!parsed.success) throw validation('INVALID_QUESTIONS', 'Questions are a list');
  if (parsed.data.length === 0) throw validation('NO_QUESTIONS', 'A checkpoint has at least one question');
  if (parsed.data.length > MAX_QUESTIONS) {
    throw validation('TOO_MANY_QUESTIONS', `A checkpoint has at most ${MAX_QUESTIONS} questions`, {
      max: MAX_QUESTIONS,
    });
  }
  const questions = parsed.data.map((raw, index) => {
    const question = checkpointQuestionSchema.safeParse(raw);
    if (!question.success) {
      throw validation('INVALID_QUESTION', `Question ${index + 1} is malformed`, {
        index,
        issues: question.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`),
      });
    }
    return question.data as CheckpointQuestion;
  });
  const ids = new Set<string>();
  for (const question of questions) {
    if (ids.has(question.id)) {
      throw validation('DUPLICATE_QUESTION_ID', 'Two questions share an id', { questionId: question.id });
    }
    ids.add(question.id);
    checkAnswerable(question);
  }
  return questions;
}

function checkAnswerable(question: CheckpointQuestion): void {
  const refuse = (reason: string, message: string) => {
    throw validation(reason, message, { questionId: question.id });
  };
  switch (question.type) {
    case 'single_choice':
    case 'multiple_choice': {
      if (question.options.length < 2)
        refuse('TOO_FEW_OPTIONS', 'A choice question has at least two options');
      const optionIds = new Set(question.options.map((option) => option.id));
      if (optionIds.size !== question.options.length) {
        refuse('DUPLICATE_OPTION', 'Two options share an id');
      }
      const texts = new Set(question.options.map((option) => normaliseAnswer(option.text)));
      if (texts.size !== question.options.length) refuse('DUPLICATE_OPTION', 'Two options say the same');
      const correct = question.options.filter((option) => option.correct).length;
      if (correct === 0) refuse('NO_CORRECT_ANSWER', 'The question has no correct option');
      if (question.type === 'single_choice' && correct > 1) {
        refuse('SEVERAL_CORRECT_ANSWERS', 'A single-choice question has exactly one correct option');
      }
      if (question.type === 'multiple_choice' && correct === question.options.length) {
        // Ticking everything would always pass: the question tests nothing.
        refuse('EVERY_OPTION_CORRECT', 'A multiple-choice question has at least one wrong option');
      }
      return;
    }
    case 'short_answer': {
      const accepted = question.acceptedAnswers.map(normaliseAnswer).filter((answer) => answer !== '');
      if (accepted.length === 0) refuse('NO_CORRECT_ANSWER', 'The question has no accepted answer');
      if (new Set(accepted).size !== accepted.length) {
        refuse('DUPLICATE_ACCEPTED_ANSWER', 'Two accepted answers are the same once normalised');
      }
      return;
    }
    case 'reflection':
      return;
  }
}

/** A question without its answers: what a learner may see. */
export function learnerQuestion(question: CheckpointQuestion): LearnerQuestion {
  const { id, prompt, points } = question;
  switch (question.type) {
    case 'single_choice':
    case 'multiple_choice':
      return {
        id,
        prompt,
        points,
        type: question.type,
        options: question.options.map((option) => ({ id: option.id, text: option.text })),
      };
    case 'short_answer':
      return { id, prompt, points, type: 'short_answer' };
    case 'reflection':
      return { id, prompt, points, type: 'reflection', guidance: question.guidance };
  }
}

/**
 * Questions travel in events as one JSON string: a personal field must be a top-level string to
 * be encrypted with the community's key, and an array cannot be. Null (the key was destroyed when
 * the community was erased) reads as no questions.
 */
export const serialiseQuestions = (questions: readonly CheckpointQuestion[]): string =>
  JSON.stringify(questions);

export function parseQuestions(json: string | null): CheckpointQuestion[] {
  if (json === null) return [];
  return JSON.parse(json) as CheckpointQuestion[];
}

export const totalPoints = (questions: readonly CheckpointQuestion[]): number =>
  questions.reduce((sum, question) => sum + question.points, 0);

export const CHECKPOINT_SOURCES = ['mentor', 'generated'] as const;
export type CheckpointSource = (typeof CHECKPOINT_SOURCES)[number];

/** Which model drafted a generated checkpoint, recorded so a reviewer knows what they approve. */
export interface CheckpointGenerator {
  provider: string;
  model: string;
  /** Shown to mentors, e.g. "Drafted locally from the module's own sentences". */
  label: string;
}
