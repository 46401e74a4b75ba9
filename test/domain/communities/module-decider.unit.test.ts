import { describe, it } from 'vitest';
import type { LearningModuleCommand } from '../../../src/domain/communities/module-commands.ts';
import { learningModuleDecider } from '../../../src/domain/communities/module-decider.ts';
import type { LearningModuleEvent } from '../../../src/domain/communities/module-events.ts';
import { anIntegration, asUser, by, theSystem } from '../support/actors.ts';
import { deciderSpec } from '../support/decider-spec.ts';

const COMMUNITY = '0b5f6a2e-1c3d-4e5f-8a9b-0c1d2e3f4a5b';
const PATH = '1c6a7b3f-2d4e-4f60-9b0c-1d2e3f4a5b6c';
const MODULE = '2d7b8c40-3e5f-4071-8c1d-2e3f4a5b6c7d';
const MENTOR = '4f9dae62-5071-4293-8e3f-4a5b6c7d8e9f';
const MODERATOR = '50aebf73-6182-43a4-9f40-5b6c7d8e9fa0';
const IMAGE = '61bfc084-7293-44b5-a051-6c7d8e9fa0b1';
const now = new Date('2026-12-07T10:00:00.000Z');
const as = (userId: string) => by(asUser(userId), now);
const spec = deciderSpec(learningModuleDecider);
const ids = { communityId: COMMUNITY, pathId: PATH, moduleId: MODULE };

const drafted: LearningModuleEvent = {
  type: 'LearningModuleDrafted',
  data: {
    ...ids,
    version: 1,
    title: 'Light',
    body: 'Plants make sugar from light.',
    mediaAssetIds: [],
    editedBy: MENTOR,
  },
};
const revised: LearningModuleEvent = {
  type: 'LearningModuleRevised',
  data: {
    ...ids,
    version: 2,
    title: 'Light',
    body: 'Plants make sugar from light.',
    mediaAssetIds: [IMAGE],
    editedBy: MODERATOR,
  },
};
const published = (version: number, publishedBy = MENTOR): LearningModuleEvent => ({
  type: 'LearningModulePublished',
  data: { ...ids, version, publishedBy },
});
const draft = (body = ' Plants make sugar from light. '): LearningModuleCommand => ({
  type: 'DraftLearningModule',
  ...ids,
  title: 'Light',
  body,
  mediaAssetIds: [],
});
const revise = (baseVersion: number, mediaAssetIds = [IMAGE.toUpperCase()]): LearningModuleCommand => ({
  type: 'ReviseLearningModule',
  baseVersion,
  title: 'Light',
  body: 'Plants make sugar from light.',
  mediaAssetIds,
});

describe('a learning module', () => {
  it('is drafted as version 1 with its author, trimmed', () => {
    spec.given([]).when(draft(), as(MENTOR)).then([drafted]);
  });

  it('an API key drafts for its owner; a process does not author', () => {
    spec
      .given([])
      .when(draft(), by(anIntegration(MENTOR, ['graphql:write']), now))
      .then([drafted]);
    spec.given([]).when(draft(), by(theSystem(), now)).thenThrows('FORBIDDEN', 'PEOPLE_ONLY');
  });

  it('refuses an empty body and a second draft', () => {
    spec.given([]).when(draft('  '), as(MENTOR)).thenThrows('VALIDATION', 'INVALID_BODY');
    spec.given([drafted]).when(draft(), as(MENTOR)).thenThrows('CONFLICT', 'MODULE_EXISTS');
  });

  it('each revision is the next version by its author; a stale base is a conflict', () => {
    spec.given([drafted]).when(revise(1), as(MODERATOR)).then([revised]);
    spec.given([drafted, revised]).when(revise(1), as(MENTOR)).thenThrows('CONFLICT', 'STALE_VERSION');
    spec.given([drafted, revised]).when(revise(2), as(MENTOR)).thenNothing();
  });

  it('refuses the same media twice', () => {
    spec
      .given([drafted])
      .when(revise(1, [IMAGE, IMAGE.toUpperCase()]), as(MENTOR))
      .thenThrows('VALIDATION', 'DUPLICATE_MEDIA');
  });

  it('publishes any version it has, an older one to roll back', () => {
    spec
      .given([drafted, revised])
      .when({ type: 'PublishLearningModule', version: 2 }, as(MENTOR))
      .then([published(2)]);
    spec
      .given([drafted, revised, published(2)])
      .when({ type: 'PublishLearningModule', version: 1 }, as(MODERATOR))
      .then([published(1, MODERATOR)]);
    spec
      .given([drafted, published(1)])
      .when({ type: 'PublishLearningModule', version: 1 }, as(MENTOR))
      .thenNothing();
    spec
      .given([drafted])
      .when({ type: 'PublishLearningModule', version: 3 }, as(MENTOR))
      .thenThrows('NOT_FOUND', 'VERSION_NOT_FOUND');
    spec
      .given([])
      .when({ type: 'PublishLearningModule', version: 1 }, as(MENTOR))
      .thenThrows('NOT_FOUND', 'MODULE_NOT_FOUND');
  });
});
