import type { GivenAnswer } from './attempt-scoring.ts';
import type { CheckpointQuestion } from './checkpoint-values.ts';

/**
 * The checkpoint as the service found it for a learner: approved, of a published module the
 * learner can see, in a community where they may take checkpoints. Null when there is no such
 * checkpoint for them, which the decider answers with NOT_FOUND.
 */
export interface AttemptedCheckpoint {
  communityId: string;
  pathId: string;
  moduleId: string;
  checkpointId: string;
  version: number;
  questions: readonly CheckpointQuestion[];
  /** Percentage of the points needed to pass. */
  passMark: number;
  maxAttempts: number;
  cooldownSeconds: number;
}

/** Commands on one learner's attempts at one checkpoint (`checkpointAttemptsStream`). */
export type AttemptCommand =
  | {
      type: 'SubmitCheckpointAttempt';
      checkpointId: string;
      userId: string;
      checkpoint: AttemptedCheckpoint | null;
      /** Derived from the command id by the service, so a retried submission is one attempt. */
      attemptId: string;
      answers: readonly GivenAnswer[];
      /** The learner's answers as stored (JSON of `answers`). */
      answersJson: string;
      clientTime: string;
    }
  | {
      type: 'GradeCheckpointReflection';
      checkpointId: string;
      userId: string;
      attemptId: string;
      graderId: string;
      /** Whether the grader holds `checkpoint.grade` in the attempt's community (service's word). */
      graderMayGrade: boolean;
      grades: readonly { questionId: string; points: number }[];
      feedback: string | null;
    };

export type AttemptCommandOf<Type extends AttemptCommand['type']> = Extract<AttemptCommand, { type: Type }>;
