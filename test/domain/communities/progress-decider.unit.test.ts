import { describe, it } from 'vitest';
import { type ProgressCommand, progressDecider } from '../../../src/domain/communities/progress-decider.ts';
import type { ProgressEvent } from '../../../src/domain/communities/progress-events.ts';
import { asUser, by } from '../support/actors.ts';
import { deciderSpec } from '../support/decider-spec.ts';

const COMMUNITY = '0b5e7a52-93c1-4d8e-a1f2-3c4d5e6f7a80';
const PATH = '1c6f8b63-a4d2-4e9f-b203-4d5e6f7a8b91';
const MODULE = '2d7a9c74-b5e3-4fa0-8314-5e6f7a8b9ca2';
const LEA = '4f9cbe96-d7a5-4b12-a536-7a8b9cadbec4';
const now = new Date('2026-12-07T10:00:00.000Z');
const lea = by(asUser(LEA), now);
const spec = deciderSpec(progressDecider);

const complete = (overrides: Partial<ProgressCommand> = {}): ProgressCommand => ({
  type: 'CompleteLearningModule',
  pathId: PATH,
  moduleId: MODULE,
  userId: LEA,
  module: { communityId: COMMUNITY, pathId: PATH, moduleId: MODULE },
  clientTime: '2026-12-03T21:15:00-03:00',
  ...overrides,
});
const completed: ProgressEvent = {
  type: 'LearningModuleCompleted',
  data: {
    communityId: COMMUNITY,
    pathId: PATH,
    moduleId: MODULE,
    userId: LEA,
    clientTime: '2026-12-03T21:15:00-03:00',
  },
};

describe('completing a module', () => {
  it('records the completion with the client time as sent', () => {
    spec.given([]).when(complete(), lea).then([completed]);
  });

  it('decides nothing the second time (an offline client may resend)', () => {
    spec
      .given([completed])
      .when(complete({ clientTime: '2026-12-04T09:00:00Z' }), lea)
      .thenNothing();
  });

  it('refuses a module the learner cannot see, or of another path', () => {
    spec
      .given([])
      .when(complete({ module: null }), lea)
      .thenThrows('NOT_FOUND', 'MODULE_NOT_FOUND');
    spec
      .given([])
      .when(complete({ pathId: '72cfe1c9-0ad8-4e45-9869-adbecfd0e1f7' }), lea)
      .thenThrows('NOT_FOUND', 'MODULE_NOT_FOUND');
  });

  it('refuses a client time from the future', () => {
    spec
      .given([])
      .when(complete({ clientTime: '2026-12-07T11:00:00Z' }), lea)
      .thenThrows('VALIDATION', 'CLIENT_TIME_IN_FUTURE');
  });
});
