import { describe, it } from 'vitest';
import { learningPathDecider } from '../../../src/domain/communities/path-decider.ts';
import type { LearningPathEvent } from '../../../src/domain/communities/path-events.ts';
import { asUser, by } from '../support/actors.ts';
import { deciderSpec } from '../support/decider-spec.ts';

const COMMUNITY = '0b5f6a2e-1c3d-4e5f-8a9b-0c1d2e3f4a5b';
const PATH = '1c6a7b3f-2d4e-4f60-9b0c-1d2e3f4a5b6c';
const M1 = '2d7b8c40-3e5f-4071-8c1d-2e3f4a5b6c7d';
const M2 = '3e8c9d51-4f60-4182-9d2e-3f4a5b6c7d8e';
const MENTOR = '4f9dae62-5071-4293-8e3f-4a5b6c7d8e9f';
const now = new Date('2026-12-07T10:00:00.000Z');
const as = (userId: string) => by(asUser(userId), now);
const spec = deciderSpec(learningPathDecider);
const ids = { communityId: COMMUNITY, pathId: PATH };

const created: LearningPathEvent = {
  type: 'LearningPathCreated',
  data: { ...ids, title: 'Plants', description: null, createdBy: MENTOR },
};
const ordered = (...moduleIds: string[]): LearningPathEvent => ({
  type: 'LearningPathModulesOrdered',
  data: { ...ids, moduleIds, orderedBy: MENTOR },
});
const published = (version: number, ...moduleIds: string[]): LearningPathEvent => ({
  type: 'LearningPathPublished',
  data: { ...ids, version, moduleIds, publishedBy: MENTOR },
});

describe('a learning path', () => {
  it('is created with its details (a blank description is none)', () => {
    spec
      .given([])
      .when({ type: 'CreateLearningPath', ...ids, title: ' Plants ', description: '  ' }, as(MENTOR))
      .then([created]);
    spec
      .given([created])
      .when({ type: 'CreateLearningPath', ...ids, title: 'Plants', description: '' }, as(MENTOR))
      .thenThrows('CONFLICT', 'PATH_EXISTS');
  });

  it('is updated only when something changed', () => {
    spec
      .given([created])
      .when({ type: 'UpdateLearningPath', title: 'Plants', description: '' }, as(MENTOR))
      .thenNothing();
    spec
      .given([created])
      .when({ type: 'UpdateLearningPath', title: 'Plants', description: 'How they eat' }, as(MENTOR))
      .then([
        {
          type: 'LearningPathUpdated',
          data: { ...ids, title: 'Plants', description: 'How they eat', updatedBy: MENTOR },
        },
      ]);
  });

  it('orders only its own modules, each once', () => {
    const order = (moduleIds: string[], modulesOfPath: string[]) =>
      ({ type: 'OrderLearningPathModules', moduleIds, modulesOfPath }) as const;
    spec
      .given([created])
      .when(order([M2, M1], [M1, M2]), as(MENTOR))
      .then([ordered(M2, M1)]);
    spec
      .given([created])
      .when(order([M1, M1], [M1]), as(MENTOR))
      .thenThrows('VALIDATION', 'DUPLICATE_MODULE');
    spec
      .given([created])
      .when(order([M1, M2], [M1]), as(MENTOR))
      .thenThrows('NOT_FOUND', 'MODULE_NOT_FOUND');
    spec
      .given([created, ordered(M1)])
      .when(order([M1.toUpperCase()], [M1]), as(MENTOR))
      .thenNothing();
  });

  it('publishes its order once every module in it is published', () => {
    const publish = (...publishedModules: string[]) =>
      ({ type: 'PublishLearningPath', publishedModules }) as const;
    spec.given([created]).when(publish(), as(MENTOR)).thenThrows('CONFLICT', 'PATH_EMPTY');
    spec
      .given([created, ordered(M1, M2)])
      .when(publish(M1), as(MENTOR))
      .thenThrows('CONFLICT', 'MODULE_NOT_PUBLISHED');
    spec
      .given([created, ordered(M1, M2)])
      .when(publish(M1, M2), as(MENTOR))
      .then([published(1, M1, M2)]);
    spec
      .given([created, ordered(M1, M2), published(1, M1, M2)])
      .when(publish(M1, M2), as(MENTOR))
      .thenNothing();
    spec
      .given([created, ordered(M1, M2), published(1, M1, M2), ordered(M2)])
      .when(publish(M2), as(MENTOR))
      .then([published(2, M2)]);
  });
});
