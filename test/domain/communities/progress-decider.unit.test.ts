import { describe, it } from 'vitest';
import { type ProgressCommand, progressDecider } from '../../../src/domain/communities/progress-decider.ts';
import type { ProgressEvent, ProgressEventOf } from '../../../src/domain/communities/progress-events.ts';
import { asUser, by } from '../support/actors.ts';
import { deciderSpec } from '../support/decider-spec.ts';

const COMMUNITY = '0b5e7a52-93c1-4d8e-a1f2-3c4d5e6f7a80';
const PATH = '1c6f8b63-a4d2-4e9f-b203-4d5e6f7a8b91';
const MODULE = '2d7a9c74-b5e3-4fa0-8314-5e6f7a8b9ca2';
const LEA = '4f9cbe96-d7a5-4b12-a536-7a8b9cadbec4';
const now = new Date('2026-12-07T10:00:00.000Z');
const lea = by(asUser(LEA), now);
const spec = deciderSpec(progressDecider);

type CommandOf<Type extends ProgressCommand['type']> = Extract<ProgressCommand, { type: Type }>;

const complete = (overrides: Partial<CommandOf<'CompleteLearningModule'>> = {}): ProgressCommand => ({
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

const record = (
  percent: number,
  overrides: Partial<CommandOf<'RecordModuleProgress'>> = {},
): ProgressCommand => ({
  type: 'RecordModuleProgress',
  pathId: PATH,
  moduleId: MODULE,
  userId: LEA,
  module: { communityId: COMMUNITY, pathId: PATH, moduleId: MODULE },
  clientTime: '2026-12-04T08:30:00+01:00',
  percent,
  ...overrides,
});
const progressed = (
  percent: number,
  clientTime = '2026-12-04T08:30:00+01:00',
): ProgressEventOf<'LearningModuleProgressed'> => ({
  type: 'LearningModuleProgressed',
  data: { communityId: COMMUNITY, pathId: PATH, moduleId: MODULE, userId: LEA, percent, clientTime },
});
const OTHER_MODULE = '3e8bad85-c6f4-4a01-9425-6f7a8b9cadb3';

describe('recording progress through a module', () => {
  it('records the first percent, even 0 (the learner opened the module)', () => {
    spec
      .given([])
      .when(record(40), lea)
      .then([progressed(40)]);
    spec
      .given([])
      .when(record(0), lea)
      .then([progressed(0)]);
  });

  it('records a percent above the highest so far', () => {
    spec
      .given([progressed(40)])
      .when(record(65), lea)
      .then([progressed(65)]);
  });

  it('decides nothing for a percent at or below the highest so far: progress only advances', () => {
    spec
      .given([progressed(65)])
      .when(record(65), lea)
      .thenNothing();
    spec
      .given([progressed(65)])
      .when(record(30), lea)
      .thenNothing();
    // An older, lower event after a higher one does not lower the highest.
    spec
      .given([progressed(80), progressed(20)])
      .when(record(70), lea)
      .thenNothing();
  });

  it('completes the module at 100, with the same client time', () => {
    spec
      .given([progressed(90)])
      .when(record(100), lea)
      .then([
        progressed(100),
        { ...completed, data: { ...completed.data, clientTime: '2026-12-04T08:30:00+01:00' } },
      ]);
  });

  it('counts a completed module as 100: no percent moves it', () => {
    spec.given([completed]).when(record(100), lea).thenNothing();
    spec.given([completed]).when(record(99), lea).thenNothing();
  });

  it('keeps each module’s highest apart', () => {
    spec
      .given([{ ...progressed(90), data: { ...progressed(90).data, moduleId: OTHER_MODULE } }])
      .when(record(10), lea)
      .then([progressed(10)]);
  });

  it('refuses a module the learner cannot see, or of another path', () => {
    spec
      .given([])
      .when(record(50, { module: null }), lea)
      .thenThrows('NOT_FOUND', 'MODULE_NOT_FOUND');
    spec
      .given([])
      .when(record(50, { pathId: '72cfe1c9-0ad8-4e45-9869-adbecfd0e1f7' }), lea)
      .thenThrows('NOT_FOUND', 'MODULE_NOT_FOUND');
  });

  it('refuses a client time beyond the clock tolerance, and a percent out of 0..100', () => {
    spec
      .given([])
      .when(record(50, { clientTime: '2026-12-07T10:06:00Z' }), lea)
      .thenThrows('VALIDATION', 'CLIENT_TIME_IN_FUTURE');
    // Within the tolerance (a device clock a little ahead) is fine.
    spec
      .given([])
      .when(record(50, { clientTime: '2026-12-07T10:04:00Z' }), lea)
      .then([progressed(50, '2026-12-07T10:04:00Z')]);
    for (const percent of [-1, 101, 12.5]) {
      spec.given([]).when(record(percent), lea).thenThrows('VALIDATION', 'PERCENT_OUT_OF_RANGE');
    }
  });
});
