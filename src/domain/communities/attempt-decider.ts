import type { Decider } from '../shared/decider.ts';
import { conflict, forbidden, notFound, validation } from '../shared/domain-error.ts';
import type { AttemptCommand, AttemptCommandOf } from './attempt-commands.ts';
import { type AttemptEvent, attemptEventCatalogue } from './attempt-events.ts';
import { checkAnswers, type QuestionFeedback, scoreAttempt, summarise } from './attempt-scoring.ts';
import { type AttemptsState, evolveAttempts, initialAttemptsState } from './attempt-state.ts';
import { ownedByCommunity } from './streams.ts';

/** How far ahead of the server a device's clock may be (clock drift), beyond which it is refused. */
export const CLIENT_CLOCK_TOLERANCE_MS = 5 * 60 * 1000;

/**
 * One learner's attempts at one checkpoint. The rules, in the order they are judged (each refusal
 * stores nothing):
 * 1. the checkpoint is approved and visible to the learner, else NOT_FOUND CHECKPOINT_NOT_FOUND;
 * 2. a passed checkpoint is done: CONFLICT ALREADY_PASSED;
 * 3. an attempt awaiting a mentor's grading blocks the next: CONFLICT ATTEMPT_AWAITING_GRADING
 *    (its outcome decides whether another is needed);
 * 4. at most `maxAttempts`: FORBIDDEN ATTEMPTS_EXHAUSTED;
 * 5. `cooldownSeconds` after the last attempt, by the server's clock: CONFLICT COOLDOWN with
 *    `retryAfter` (ISO instant) and `retryAfterSeconds`;
 * 6. the answers fit the questions (VALIDATION, see `checkAnswers`) and the client time is not
 *    in the future beyond the clock tolerance (VALIDATION CLIENT_TIME_IN_FUTURE; the past is
 *    fine: offline submissions arrive late).
 */
export const attemptDecider: Decider<AttemptCommand, AttemptEvent, AttemptsState> = {
  initialState: initialAttemptsState,
  evolve: evolveAttempts,
  decide(command, state, context) {
    switch (command.type) {
      case 'SubmitCheckpointAttempt':
        return submit(command, state, context.now);
      case 'GradeCheckpointReflection':
        return grade(command, state);
      default: {
        const unknown: never = command;
        throw new Error(`Unknown attempt command ${JSON.stringify(unknown)}`);
      }
    }
  },
};

export const attemptAggregate = {
  decider: attemptDecider,
  catalogue: attemptEventCatalogue,
  communityOf: ownedByCommunity,
};

function submit(
  command: AttemptCommandOf<'SubmitCheckpointAttempt'>,
  state: AttemptsState,
  now: Date,
): AttemptEvent[] {
  const { checkpoint } = command;
  if (checkpoint === null || checkpoint.checkpointId !== command.checkpointId) {
    throw notFound('CHECKPOINT_NOT_FOUND', 'No such checkpoint');
  }
  // A retried submission (same attempt id) is answered by the pipeline's replay; this guards a
  // replay that reaches the decider through another command id.
  if (state.attempts.some((attempt) => attempt.attemptId === command.attemptId)) return [];
  if (state.attempts.some((attempt) => attempt.passed === true)) {
    throw conflict('ALREADY_PASSED', 'This checkpoint is already passed');
  }
  if (state.attempts.some((attempt) => attempt.passed === null)) {
    throw conflict('ATTEMPT_AWAITING_GRADING', 'The last attempt awaits a mentor’s grading');
  }
  if (state.attempts.length >= checkpoint.maxAttempts) {
    throw forbidden('ATTEMPTS_EXHAUSTED', 'No attempts are left at this checkpoint', {
      maxAttempts: checkpoint.maxAttempts,
    });
  }
  const last = state.attempts.at(-1);
  if (last) {
    const retryAt = Date.parse(last.submittedAt) + checkpoint.cooldownSeconds * 1000;
    if (retryAt > now.getTime()) {
      throw conflict('COOLDOWN', 'The next attempt is possible after the cool-down', {
        retryAfter: new Date(retryAt).toISOString(),
        retryAfterSeconds: Math.ceil((retryAt - now.getTime()) / 1000),
      });
    }
  }
  if (Date.parse(command.clientTime) > now.getTime() + CLIENT_CLOCK_TOLERANCE_MS) {
    throw validation('CLIENT_TIME_IN_FUTURE', 'The client time is in the future');
  }
  checkAnswers(checkpoint.questions, command.answers);
  const scored = scoreAttempt(checkpoint.questions, command.answers, checkpoint.passMark);
  return [
    {
      type: 'CheckpointAttemptSubmitted',
      data: {
        communityId: checkpoint.communityId,
        pathId: checkpoint.pathId,
        moduleId: checkpoint.moduleId,
        checkpointId: checkpoint.checkpointId,
        checkpointVersion: checkpoint.version,
        userId: command.userId,
        attemptId: command.attemptId,
        attemptNumber: state.attempts.length + 1,
        answers: command.answersJson,
        clientTime: command.clientTime,
        submittedAt: now.toISOString(),
        score: scored.score,
        maxScore: scored.maxScore,
        passMark: checkpoint.passMark,
        passed: scored.passed,
        feedback: scored.feedback,
      },
    },
  ];
}

/**
 * A mentor grades every reflection of an attempt at once: each awaiting reflection gets points
 * between 0 and its maximum, none is left out, nothing else is graded. The learner cannot grade
 * their own attempt whatever their role.
 */
function grade(command: AttemptCommandOf<'GradeCheckpointReflection'>, state: AttemptsState): AttemptEvent[] {
  const attempt = state.attempts.find((entry) => entry.attemptId === command.attemptId);
  if (!attempt) throw notFound('ATTEMPT_NOT_FOUND', 'No such attempt');
  if (!command.graderMayGrade) throw forbidden('MISSING_PERMISSION', 'Only mentors grade reflections');
  if (command.graderId === command.userId) {
    throw forbidden('CANNOT_GRADE_OWN_ATTEMPT', 'Nobody grades their own attempt');
  }
  if (attempt.passed !== null)
    throw conflict('ALREADY_GRADED', 'This attempt has no reflection awaiting grading');
  const awaiting = new Map(
    attempt.feedback
      .filter((entry) => entry.outcome === 'awaiting_grading')
      .map((entry) => [entry.questionId, entry.maxPoints]),
  );
  const graded = new Set<string>();
  for (const { questionId, points } of command.grades) {
    const maxPoints = awaiting.get(questionId);
    if (maxPoints === undefined || graded.has(questionId)) {
      throw validation('NOT_AWAITING_GRADING', 'Only each awaiting reflection is graded, once', {
        questionId,
      });
    }
    if (!Number.isFinite(points) || points < 0 || points > maxPoints) {
      throw validation('POINTS_OUT_OF_RANGE', `Points are between 0 and ${maxPoints}`, {
        questionId,
        maxPoints,
      });
    }
    graded.add(questionId);
  }
  const missing = [...awaiting.keys()].filter((questionId) => !graded.has(questionId));
  if (missing.length > 0) {
    throw validation('REFLECTION_NOT_GRADED', 'Every reflection of the attempt needs its points', {
      questionIds: missing,
    });
  }
  const points = new Map(command.grades.map((entry) => [entry.questionId, entry.points]));
  const feedback: QuestionFeedback[] = attempt.feedback.map((entry) => {
    const given = points.get(entry.questionId);
    return given === undefined ? { ...entry } : { ...entry, points: given, outcome: 'graded' };
  });
  const summary = summarise(feedback, attempt.passMark);
  return [
    {
      type: 'CheckpointAttemptGraded',
      data: {
        communityId: attempt.communityId,
        checkpointId: command.checkpointId,
        userId: command.userId,
        attemptId: attempt.attemptId,
        gradedBy: command.graderId,
        grades: command.grades.map(({ questionId, points }) => ({ questionId, points })),
        score: summary.score,
        passed: summary.passed ?? false,
        feedback: command.feedback,
      },
    },
  ];
}
