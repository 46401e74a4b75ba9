import { describe, expect, it } from 'vitest';
import type {
  AttemptCommand,
  AttemptedCheckpoint,
} from '../../../src/domain/communities/attempt-commands.ts';
import { attemptDecider } from '../../../src/domain/communities/attempt-decider.ts';
import type { AttemptEvent, AttemptEventOf } from '../../../src/domain/communities/attempt-events.ts';
import type { GivenAnswer } from '../../../src/domain/communities/attempt-scoring.ts';
import type { CheckpointQuestion } from '../../../src/domain/communities/checkpoint-values.ts';
import { asUser, by } from '../support/actors.ts';
import { deciderSpec } from '../support/decider-spec.ts';

const COMMUNITY = '0b5e7a52-93c1-4d8e-a1f2-3c4d5e6f7a80';
const PATH = '1c6f8b63-a4d2-4e9f-b203-4d5e6f7a8b91';
const MODULE = '2d7a9c74-b5e3-4fa0-8314-5e6f7a8b9ca2';
const CHECKPOINT = '3e8bad85-c6f4-4a01-9425-6f7a8b9cadb3';
const LEA = '4f9cbe96-d7a5-4b12-a536-7a8b9cadbec4';
const MIA = '50adcfa7-e8b6-4c23-b647-8b9cadbecfd5';
const FIRST = '61bed0b8-f9c7-4d34-8758-9cadbecfd0e6';
const SECOND = '72cfe1c9-0ad8-4e45-9869-adbecfd0e1f7';

const now = new Date('2026-12-07T10:00:00.000Z');
const spec = deciderSpec(attemptDecider);

const questions: CheckpointQuestion[] = [
  {
    id: 'q1',
    type: 'single_choice',
    prompt: 'Which gas do plants take in?',
    points: 2,
    options: [
      { id: 'co2', text: 'Carbon dioxide', correct: true },
      { id: 'he', text: 'Helium', correct: false },
    ],
  },
  { id: 'q2', type: 'short_answer', prompt: 'The process?', points: 2, acceptedAnswers: ['photosynthesis'] },
];
const reflection: CheckpointQuestion = {
  id: 'r1',
  type: 'reflection',
  prompt: 'What surprised you?',
  points: 4,
  guidance: null,
};

const checkpoint = (overrides: Partial<AttemptedCheckpoint> = {}): AttemptedCheckpoint => ({
  communityId: COMMUNITY,
  pathId: PATH,
  moduleId: MODULE,
  checkpointId: CHECKPOINT,
  version: 1,
  questions,
  passMark: 75,
  maxAttempts: 2,
  cooldownSeconds: 600,
  ...overrides,
});

const submit = (
  answers: GivenAnswer[],
  overrides: Partial<Extract<AttemptCommand, { type: 'SubmitCheckpointAttempt' }>> = {},
): AttemptCommand => ({
  type: 'SubmitCheckpointAttempt',
  checkpointId: CHECKPOINT,
  userId: LEA,
  checkpoint: checkpoint(),
  attemptId: FIRST,
  answers,
  answersJson: JSON.stringify(answers),
  clientTime: '2026-12-07T11:58:00+02:00',
  ...overrides,
});

const right: GivenAnswer[] = [
  { questionId: 'q1', choices: ['co2'] },
  { questionId: 'q2', text: '  Photosynthesis! ' },
];
const wrong: GivenAnswer[] = [{ questionId: 'q1', choices: ['he'] }];

const submitted = (
  overrides: Partial<AttemptEventOf<'CheckpointAttemptSubmitted'>['data']> = {},
): AttemptEventOf<'CheckpointAttemptSubmitted'> => ({
  type: 'CheckpointAttemptSubmitted',
  data: {
    communityId: COMMUNITY,
    pathId: PATH,
    moduleId: MODULE,
    checkpointId: CHECKPOINT,
    checkpointVersion: 1,
    userId: LEA,
    attemptId: FIRST,
    attemptNumber: 1,
    answers: JSON.stringify(wrong),
    clientTime: '2026-12-07T11:00:00+02:00',
    submittedAt: '2026-12-07T09:00:00.000Z',
    score: 0,
    maxScore: 4,
    passMark: 75,
    passed: false,
    feedback: [
      { questionId: 'q1', points: 0, maxPoints: 2, outcome: 'incorrect' },
      { questionId: 'q2', points: 0, maxPoints: 2, outcome: 'unanswered' },
    ],
    ...overrides,
  },
});

const lea = by(asUser(LEA), now);

describe('submitting an attempt', () => {
  it('scores the answers, keeps the client time as sent and records the server time', () => {
    spec
      .given([])
      .when(submit(right), lea)
      .then([
        submitted({
          answers: JSON.stringify(right),
          clientTime: '2026-12-07T11:58:00+02:00',
          submittedAt: now.toISOString(),
          score: 4,
          passed: true,
          feedback: [
            { questionId: 'q1', points: 2, maxPoints: 2, outcome: 'correct' },
            { questionId: 'q2', points: 2, maxPoints: 2, outcome: 'correct' },
          ],
        }),
      ]);
  });

  it('keeps a late offline submission’s client time, days in the past', () => {
    const [event] = attemptDecider.decide(
      submit(wrong, { clientTime: '2026-12-01T08:00:00-05:00' }),
      {
        attempts: [],
      },
      lea,
    ) as AttemptEvent[];
    expect(event?.data).toMatchObject({
      clientTime: '2026-12-01T08:00:00-05:00',
      submittedAt: now.toISOString(),
    });
  });

  it('refuses a client time ahead of the server beyond the clock tolerance', () => {
    spec
      .given([])
      .when(submit(right, { clientTime: '2026-12-07T10:06:00Z' }), lea)
      .thenThrows('VALIDATION', 'CLIENT_TIME_IN_FUTURE');
  });

  it('refuses a checkpoint the learner cannot see (not approved, unpublished module, other community)', () => {
    spec
      .given([])
      .when(submit(right, { checkpoint: null }), lea)
      .thenThrows('NOT_FOUND', 'CHECKPOINT_NOT_FOUND');
  });

  it('leaves the pass open while a reflection awaits grading', () => {
    const [event] = attemptDecider.decide(
      submit([...right, { questionId: 'r1', text: 'Leaves breathe.' }], {
        checkpoint: checkpoint({ questions: [...questions, reflection] }),
      }),
      { attempts: [] },
      lea,
    ) as AttemptEventOf<'CheckpointAttemptSubmitted'>[];
    expect(event?.data).toMatchObject({ score: 4, maxScore: 8, passed: null });
    expect(event?.data.feedback.at(-1)).toEqual({
      questionId: 'r1',
      points: 0,
      maxPoints: 4,
      outcome: 'awaiting_grading',
    });
  });

  it('refuses answers that do not fit the questions', () => {
    spec
      .given([])
      .when(submit([{ questionId: 'q9', text: 'x' }]), lea)
      .thenThrows('VALIDATION', 'UNKNOWN_QUESTION');
    spec
      .given([])
      .when(submit([{ questionId: 'q1', choices: ['co2', 'he'] }]), lea)
      .thenThrows('VALIDATION', 'ONE_CHOICE_ONLY');
    spec
      .given([])
      .when(submit([{ questionId: 'q1', choices: ['neon'] }]), lea)
      .thenThrows('VALIDATION', 'UNKNOWN_OPTION');
    spec
      .given([])
      .when(
        submit([
          { questionId: 'q2', text: 'a' },
          { questionId: 'q2', text: 'b' },
        ]),
        lea,
      )
      .thenThrows('VALIDATION', 'DUPLICATE_ANSWER');
  });

  it('refuses an attempt within the cool-down, saying when to retry', () => {
    const recent = submitted({ submittedAt: '2026-12-07T09:55:00.000Z' });
    spec
      .given([recent])
      .when(submit(right, { attemptId: SECOND }), lea)
      .thenThrows('CONFLICT', 'COOLDOWN');
    const refusal = (() => {
      try {
        attemptDecider.decide(
          submit(right, { attemptId: SECOND }),
          attemptDecider.evolve({ attempts: [] }, recent),
          lea,
        );
      } catch (error) {
        return error;
      }
      return null;
    })();
    expect(refusal).toMatchObject({
      details: { retryAfter: '2026-12-07T10:05:00.000Z', retryAfterSeconds: 300 },
    });
  });

  it('allows the next attempt after the cool-down, numbered after the last', () => {
    const [event] = attemptDecider.decide(
      submit(right, { attemptId: SECOND }),
      attemptDecider.evolve({ attempts: [] }, submitted()),
      lea,
    ) as AttemptEventOf<'CheckpointAttemptSubmitted'>[];
    expect(event?.data).toMatchObject({ attemptId: SECOND, attemptNumber: 2, passed: true });
  });

  it('refuses an attempt past the limit', () => {
    spec
      .given([submitted(), submitted({ attemptId: SECOND, attemptNumber: 2 })])
      .when(submit(right, { attemptId: '83d0f2da-1be9-4f56-a97a-becfd0e1f208' }), lea)
      .thenThrows('FORBIDDEN', 'ATTEMPTS_EXHAUSTED');
  });

  it('refuses another attempt once passed, or while one awaits grading', () => {
    spec
      .given([submitted({ passed: true, score: 4 })])
      .when(submit(right, { attemptId: SECOND }), lea)
      .thenThrows('CONFLICT', 'ALREADY_PASSED');
    spec
      .given([submitted({ passed: null })])
      .when(submit(right, { attemptId: SECOND }), lea)
      .thenThrows('CONFLICT', 'ATTEMPT_AWAITING_GRADING');
  });

  it('decides nothing for an attempt id already on record', () => {
    spec.given([submitted()]).when(submit(right), lea).thenNothing();
  });
});

describe('grading reflections', () => {
  const awaiting = submitted({
    score: 4,
    maxScore: 8,
    passed: null,
    feedback: [
      { questionId: 'q1', points: 2, maxPoints: 2, outcome: 'correct' },
      { questionId: 'q2', points: 2, maxPoints: 2, outcome: 'correct' },
      { questionId: 'r1', points: 0, maxPoints: 4, outcome: 'awaiting_grading' },
    ],
  });
  const grade = (
    grades: { questionId: string; points: number }[],
    overrides: Partial<Extract<AttemptCommand, { type: 'GradeCheckpointReflection' }>> = {},
  ): AttemptCommand => ({
    type: 'GradeCheckpointReflection',
    checkpointId: CHECKPOINT,
    userId: LEA,
    attemptId: FIRST,
    graderId: MIA,
    graderMayGrade: true,
    grades,
    feedback: 'Good observation.',
    ...overrides,
  });
  const mia = by(asUser(MIA), now);

  it('a mentor’s points complete the score and decide the pass', () => {
    spec
      .given([awaiting])
      .when(grade([{ questionId: 'r1', points: 3 }]), mia)
      .then([
        {
          type: 'CheckpointAttemptGraded',
          data: {
            communityId: COMMUNITY,
            checkpointId: CHECKPOINT,
            userId: LEA,
            attemptId: FIRST,
            gradedBy: MIA,
            grades: [{ questionId: 'r1', points: 3 }],
            score: 7,
            passed: true,
            feedback: 'Good observation.',
          },
        },
      ]);
  });

  it('a low grade fails the attempt', () => {
    const [event] = attemptDecider.decide(
      grade([{ questionId: 'r1', points: 1 }]),
      attemptDecider.evolve({ attempts: [] }, awaiting),
      mia,
    ) as AttemptEventOf<'CheckpointAttemptGraded'>[];
    expect(event?.data).toMatchObject({ score: 5, passed: false });
  });

  it('refuses graders without the permission, the learner themself, and bad grades', () => {
    spec
      .given([awaiting])
      .when(grade([{ questionId: 'r1', points: 3 }], { graderMayGrade: false }), mia)
      .thenThrows('FORBIDDEN', 'MISSING_PERMISSION');
    spec
      .given([awaiting])
      .when(grade([{ questionId: 'r1', points: 3 }], { graderId: LEA }), lea)
      .thenThrows('FORBIDDEN', 'CANNOT_GRADE_OWN_ATTEMPT');
    spec
      .given([awaiting])
      .when(grade([{ questionId: 'r1', points: 5 }]), mia)
      .thenThrows('VALIDATION', 'POINTS_OUT_OF_RANGE');
    spec
      .given([awaiting])
      .when(grade([{ questionId: 'q1', points: 1 }]), mia)
      .thenThrows('VALIDATION', 'NOT_AWAITING_GRADING');
    spec.given([awaiting]).when(grade([]), mia).thenThrows('VALIDATION', 'REFLECTION_NOT_GRADED');
    spec
      .given([])
      .when(grade([{ questionId: 'r1', points: 3 }]), mia)
      .thenThrows('NOT_FOUND', 'ATTEMPT_NOT_FOUND');
  });

  it('refuses grading twice', () => {
    const graded: AttemptEvent = {
      type: 'CheckpointAttemptGraded',
      data: {
        communityId: COMMUNITY,
        checkpointId: CHECKPOINT,
        userId: LEA,
        attemptId: FIRST,
        gradedBy: MIA,
        grades: [{ questionId: 'r1', points: 3 }],
        score: 7,
        passed: true,
        feedback: null,
      },
    };
    spec
      .given([awaiting, graded])
      .when(grade([{ questionId: 'r1', points: 4 }]), mia)
      .thenThrows('CONFLICT', 'ALREADY_GRADED');
  });
});
