import type { AttemptEvent } from './attempt-events.ts';
import type { QuestionFeedback } from './attempt-scoring.ts';

export interface AttemptOnRecord {
  attemptId: string;
  attemptNumber: number;
  communityId: string;
  pathId: string;
  /** The server's time of submission (the decision's `now`), which the cool-down counts from. */
  submittedAt: string;
  passMark: number;
  score: number;
  maxScore: number;
  passed: boolean | null;
  feedback: readonly QuestionFeedback[];
}

/** One learner's attempts at one checkpoint, oldest first. */
export interface AttemptsState {
  attempts: readonly AttemptOnRecord[];
}

export const initialAttemptsState: AttemptsState = { attempts: [] };

export function evolveAttempts(state: AttemptsState, event: AttemptEvent): AttemptsState {
  switch (event.type) {
    case 'CheckpointAttemptSubmitted': {
      const { attemptId, attemptNumber, communityId, pathId, passMark, score, maxScore, passed, feedback } =
        event.data;
      return {
        attempts: [
          ...state.attempts,
          {
            attemptId,
            attemptNumber,
            communityId,
            pathId,
            submittedAt: event.data.submittedAt,
            passMark,
            score,
            maxScore,
            passed,
            feedback,
          },
        ],
      };
    }
    case 'CheckpointAttemptGraded': {
      const { attemptId, score, passed, grades } = event.data;
      const graded = new Map(grades.map((grade) => [grade.questionId, grade.points]));
      return {
        attempts: state.attempts.map((attempt) =>
          attempt.attemptId === attemptId
            ? {
                ...attempt,
                score,
                passed,
                feedback: attempt.feedback.map((entry) => {
                  const points = graded.get(entry.questionId);
                  return points === undefined ? entry : { ...entry, points, outcome: 'graded' as const };
                }),
              }
            : attempt,
        ),
      };
    }
    default:
      return state;
  }
}
