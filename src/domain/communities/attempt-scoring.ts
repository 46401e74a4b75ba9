import { validation } from '../shared/domain-error.ts';
import { type CheckpointQuestion, normaliseAnswer } from './checkpoint-values.ts';

/**
 * Scoring a checkpoint attempt: pure, so the same answers against the same checkpoint version
 * always score the same, against the checkpoint's questions with their correct answers.
 *
 * - single choice: full points for the correct option, else 0;
 * - multiple choice: full points for exactly the set of correct options, else 0 (no partial
 *   credit: picking every option must not earn anything);
 * - short answer: full points when the answer, normalised, equals one accepted answer normalised
 *   (`normaliseAnswer` of checkpoint-values.ts: case, accents, punctuation, spacing), else 0;
 * - reflection: no points until a mentor grades it (0..points); the attempt's `passed` is null
 *   until then.
 *
 * Passed: score / maxScore × 100 ≥ passMark (a percentage), judged once nothing awaits grading.
 */

/** One answer as the learner gave it: option ids for choices, text for the others. */
export interface GivenAnswer {
  questionId: string;
  choices?: readonly string[] | null;
  text?: string | null;
}

export type AnswerOutcome = 'correct' | 'incorrect' | 'unanswered' | 'awaiting_grading' | 'graded';

/** Per question: what it earned and why (no correct answers: feedback never gives them away). */
export interface QuestionFeedback {
  questionId: string;
  points: number;
  maxPoints: number;
  outcome: AnswerOutcome;
}

export interface AttemptScore {
  score: number;
  maxScore: number;
  /** null while a reflection awaits grading. */
  passed: boolean | null;
  feedback: QuestionFeedback[];
}

export const MAX_ANSWER_TEXT = 10_000;

/**
 * Checks answers against the questions (VALIDATION, nothing stored): every answer names a question
 * of this checkpoint, once; choices name its options (one for single choice); text only where text
 * is asked for, at most MAX_ANSWER_TEXT characters. Questions left out are unanswered (0 points).
 */
export function checkAnswers(
  questions: readonly CheckpointQuestion[],
  answers: readonly GivenAnswer[],
): void {
  const byId = new Map(questions.map((question) => [question.id, question]));
  const seen = new Set<string>();
  for (const answer of answers) {
    const question = byId.get(answer.questionId);
    if (!question) {
      throw validation('UNKNOWN_QUESTION', 'An answer names a question this checkpoint does not have', {
        questionId: answer.questionId,
      });
    }
    if (seen.has(question.id)) {
      throw validation('DUPLICATE_ANSWER', 'A question is answered twice', { questionId: question.id });
    }
    seen.add(question.id);
    checkAnswer(question, answer);
  }
}

function checkAnswer(question: CheckpointQuestion, answer: GivenAnswer): void {
  const choices = answer.choices ?? [];
  const text = answer.text ?? null;
  const details = { questionId: question.id };
  if (question.type === 'single_choice' || question.type === 'multiple_choice') {
    if (text !== null)
      throw validation('TEXT_NOT_EXPECTED', 'A choice question takes choices, not text', details);
    if (question.type === 'single_choice' && choices.length > 1) {
      throw validation('ONE_CHOICE_ONLY', 'A single-choice question takes one choice', details);
    }
    if (new Set(choices).size !== choices.length) {
      throw validation('DUPLICATE_CHOICE', 'An option is chosen twice', details);
    }
    const unknown = choices.find((choice) => !question.options.some((option) => option.id === choice));
    if (unknown !== undefined) {
      throw validation('UNKNOWN_OPTION', 'A choice is not one of the question’s options', {
        ...details,
        choice: unknown,
      });
    }
    return;
  }
  if (choices.length > 0)
    throw validation('CHOICES_NOT_EXPECTED', 'This question takes text, not choices', details);
  if (text !== null && text.length > MAX_ANSWER_TEXT) {
    throw validation('ANSWER_TOO_LONG', `An answer is at most ${MAX_ANSWER_TEXT} characters`, details);
  }
}

/** The score of checked answers (see `checkAnswers`). */
export function scoreAttempt(
  questions: readonly CheckpointQuestion[],
  answers: readonly GivenAnswer[],
  passMark: number,
): AttemptScore {
  const byQuestion = new Map(answers.map((answer) => [answer.questionId, answer]));
  const feedback = questions.map((question) => scoreQuestion(question, byQuestion.get(question.id)));
  return summarise(feedback, passMark);
}

/** Score, maximum and pass from per-question feedback (also after a mentor's grading). */
export function summarise(feedback: QuestionFeedback[], passMark: number): AttemptScore {
  const score = feedback.reduce((sum, entry) => sum + entry.points, 0);
  const maxScore = feedback.reduce((sum, entry) => sum + entry.maxPoints, 0);
  const pending = feedback.some((entry) => entry.outcome === 'awaiting_grading');
  return { score, maxScore, passed: pending ? null : passes(score, maxScore, passMark), feedback };
}

/** A checkpoint worth nothing (no points at all) is passed by taking it. */
export function passes(score: number, maxScore: number, passMark: number): boolean {
  if (maxScore <= 0) return true;
  return (score / maxScore) * 100 >= passMark;
}

function scoreQuestion(question: CheckpointQuestion, answer: GivenAnswer | undefined): QuestionFeedback {
  const base = { questionId: question.id, maxPoints: question.points };
  const choices = answer?.choices ?? [];
  const text = answer?.text?.trim() ? answer.text : null;
  switch (question.type) {
    case 'single_choice':
    case 'multiple_choice': {
      if (choices.length === 0) return { ...base, points: 0, outcome: 'unanswered' };
      const correct = question.options.filter((option) => option.correct).map((option) => option.id);
      const right = choices.length === correct.length && choices.every((choice) => correct.includes(choice));
      return { ...base, points: right ? question.points : 0, outcome: right ? 'correct' : 'incorrect' };
    }
    case 'short_answer': {
      if (text === null) return { ...base, points: 0, outcome: 'unanswered' };
      const given = normaliseAnswer(text);
      const right = question.acceptedAnswers.some((accepted) => normaliseAnswer(accepted) === given);
      return { ...base, points: right ? question.points : 0, outcome: right ? 'correct' : 'incorrect' };
    }
    case 'reflection':
      // An empty reflection has nothing to grade: it earns nothing and awaits no one.
      if (text === null) return { ...base, points: 0, outcome: 'unanswered' };
      return { ...base, points: 0, outcome: 'awaiting_grading' };
  }
}
