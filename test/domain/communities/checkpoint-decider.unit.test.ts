import { describe, expect, it } from 'vitest';
import type { CheckpointCommand } from '../../../src/domain/communities/checkpoint-commands.ts';
import { checkpointDecider } from '../../../src/domain/communities/checkpoint-decider.ts';
import {
  type CheckpointEvent,
  checkpointEventSchemas,
} from '../../../src/domain/communities/checkpoint-events.ts';
import {
  type CheckpointQuestion,
  serialiseQuestions,
  validateQuestions,
} from '../../../src/domain/communities/checkpoint-values.ts';
import { anonymous, asUser, by } from '../support/actors.ts';
import { deciderSpec } from '../support/decider-spec.ts';

const COMMUNITY = '0b5f6a2e-1c3d-4e5f-8a9b-0c1d2e3f4a5b';
const PATH = '1c6a7b3f-2d4e-4f60-9b0c-1d2e3f4a5b6c';
const MODULE = '2d7b8c40-3e5f-4071-8c1d-2e3f4a5b6c7d';
const CHECKPOINT = '3e8c9d51-4f60-4182-9d2e-3f4a5b6c7d8e';
const MENTOR = '4f9dae62-5071-4293-8e3f-4a5b6c7d8e9f';
const OTHER_MENTOR = '50aebf73-6182-43a4-9f40-5b6c7d8e9fa0';
const now = new Date('2026-12-07T10:00:00.000Z');
const as = (userId: string) => by(asUser(userId), now);
const spec = deciderSpec(checkpointDecider);

const questions: CheckpointQuestion[] = [
  {
    id: 'q1',
    type: 'single_choice',
    prompt: 'What do plants make sugar from?',
    points: 1,
    options: [
      { id: 'a', text: 'Light, water and carbon dioxide', correct: true },
      { id: 'b', text: 'Soil', correct: false },
    ],
  },
  {
    id: 'q2',
    type: 'short_answer',
    prompt: 'Name the process.',
    points: 2,
    acceptedAnswers: ['photosynthesis'],
  },
];
const rules = { passMark: 60, maxAttempts: 3, cooldownSeconds: 600 };

const draft = (
  overrides: Partial<Extract<CheckpointCommand, { type: 'DraftCheckpoint' }>> = {},
): CheckpointCommand => ({
  type: 'DraftCheckpoint',
  communityId: COMMUNITY,
  pathId: PATH,
  moduleId: MODULE,
  checkpointId: CHECKPOINT,
  questions,
  generator: null,
  ...rules,
  ...overrides,
});
const drafted: CheckpointEvent = {
  type: 'CheckpointDrafted',
  data: {
    communityId: COMMUNITY,
    pathId: PATH,
    moduleId: MODULE,
    checkpointId: CHECKPOINT,
    version: 1,
    questions: serialiseQuestions(validateQuestions(questions)),
    ...rules,
    source: 'mentor',
    generator: null,
    draftedBy: MENTOR,
  },
};
const revisedQuestions = [questions[1]];
const revised: CheckpointEvent = {
  type: 'CheckpointRevised',
  data: {
    ...drafted.data,
    version: 2,
    questions: serialiseQuestions(validateQuestions(revisedQuestions)),
    draftedBy: OTHER_MENTOR,
  },
};
const approved = (version: number): CheckpointEvent => ({
  type: 'CheckpointApproved',
  data: { communityId: COMMUNITY, checkpointId: CHECKPOINT, version, approvedBy: MENTOR },
});

describe('drafting a checkpoint', () => {
  it('stores valid questions as one JSON string, by a mentor', () => {
    spec.given([]).when(draft(), as(MENTOR)).then([drafted]);
    expect(checkpointEventSchemas.CheckpointDrafted.safeParse(drafted.data).success).toBe(true);
  });

  it('records the model of a generated draft', () => {
    const generator = { provider: 'local', model: 'sentences-v1', label: 'Drafted locally' };
    spec
      .given([])
      .when(draft({ generator }), as(MENTOR))
      .then([{ ...drafted, data: { ...drafted.data, source: 'generated', generator } } as CheckpointEvent]);
  });

  it('refuses a question with no correct answer, and nothing is stored', () => {
    const noneCorrect = [
      {
        ...questions[0],
        options: [
          { id: 'a', text: 'x', correct: false },
          { id: 'b', text: 'y', correct: false },
        ],
      },
    ];
    spec
      .given([])
      .when(draft({ questions: noneCorrect }), as(MENTOR))
      .thenThrows('VALIDATION', 'NO_CORRECT_ANSWER');
  });

  it('refuses rules out of range', () => {
    spec
      .given([])
      .when(draft({ passMark: 120 }), as(MENTOR))
      .thenThrows('VALIDATION', 'INVALID_CHECKPOINT_RULES');
    spec
      .given([])
      .when(draft({ maxAttempts: 0 }), as(MENTOR))
      .thenThrows('VALIDATION', 'INVALID_CHECKPOINT_RULES');
  });

  it('refuses a second draft of the same checkpoint and an anonymous author', () => {
    spec.given([drafted]).when(draft(), as(MENTOR)).thenThrows('CONFLICT', 'CHECKPOINT_EXISTS');
    spec.given([]).when(draft(), by(anonymous, now)).thenThrows('FORBIDDEN', 'SIGN_IN_REQUIRED');
  });
});

describe('revising a checkpoint', () => {
  const revise = (baseVersion: number, qs: unknown = revisedQuestions): CheckpointCommand => ({
    type: 'ReviseCheckpoint',
    baseVersion,
    questions: qs,
    ...rules,
  });

  it('makes the next version, the reviser its author', () => {
    spec.given([drafted]).when(revise(1), as(OTHER_MENTOR)).then([revised]);
  });

  it('a revision of a generated draft is the mentor’s', () => {
    const generated: CheckpointEvent = {
      type: 'CheckpointDrafted',
      data: {
        ...drafted.data,
        source: 'generated',
        generator: { provider: 'openai', model: 'm', label: 'l' },
      },
    };
    spec.given([generated]).when(revise(1), as(OTHER_MENTOR)).then([revised]);
  });

  it('refuses a revision of a stale version', () => {
    spec.given([drafted, revised]).when(revise(1), as(MENTOR)).thenThrows('CONFLICT', 'STALE_VERSION');
  });

  it('makes no version when nothing changed', () => {
    spec.given([drafted]).when(revise(1, questions), as(MENTOR)).thenNothing();
  });

  it('refuses a checkpoint not on record', () => {
    spec.given([]).when(revise(1), as(MENTOR)).thenThrows('NOT_FOUND', 'CHECKPOINT_NOT_FOUND');
  });
});

describe('approving a checkpoint', () => {
  const approve = (version: number): CheckpointCommand => ({ type: 'ApproveCheckpoint', version });

  it('approves the latest version', () => {
    spec
      .given([drafted, revised])
      .when(approve(2), as(MENTOR))
      .then([approved(2)]);
  });

  it('refuses an older version (the reviewer has not seen what it became) and an unknown one', () => {
    spec.given([drafted, revised]).when(approve(1), as(MENTOR)).thenThrows('CONFLICT', 'STALE_VERSION');
    spec.given([drafted]).when(approve(5), as(MENTOR)).thenThrows('NOT_FOUND', 'VERSION_NOT_FOUND');
  });

  it('approving twice is nothing new', () => {
    spec
      .given([drafted, approved(1)])
      .when(approve(1), as(MENTOR))
      .thenNothing();
  });
});
