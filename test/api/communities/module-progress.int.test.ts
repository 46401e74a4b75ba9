import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { errorCodes, fieldOf, type IdentityApp, startIdentityApp } from '../support/identity-app.ts';
import { registerAndSignIn, type TestUser } from '../support/identity-operations.ts';
import { addMember, createCommunity } from './community-support.ts';
import {
  COMPLETE,
  daysAgo,
  LEARNER_PROGRESS,
  type ProgressView,
  progressEvents,
  publishedPath,
} from './progress-support.ts';

/**
 * `recordModuleProgress`: how far through a module a learner is, for offline sync's
 * "server wins as the maximum" rule. Progress only advances; 100 completes the module; the
 * learner's progress shows the percent per module.
 */

let api: IdentityApp;
let owner: TestUser;
let learner: TestUser;
let peer: TestUser;
let communityId: string;

beforeAll(async () => {
  api = await startIdentityApp();
  [owner, learner, peer] = await Promise.all([
    registerAndSignIn(api, 'Olu Owner'),
    registerAndSignIn(api, 'Lea Learner'),
    registerAndSignIn(api, 'Pia Peer'),
  ]);
  communityId = (await createCommunity(api, owner)).id;
  await addMember(api, owner, communityId, learner);
  await addMember(api, owner, communityId, peer);
});

afterAll(async () => {
  await api?.close();
});

interface ModuleProgressView {
  communityId: string;
  pathId: string;
  moduleId: string;
  percent: number;
  completed: boolean;
}

const MODULE_PROGRESS_FIELDS = 'communityId pathId moduleId percent completed';
const RECORD = `mutation ($input: RecordModuleProgressInput!) {
  recordModuleProgress(input: $input) { ${MODULE_PROGRESS_FIELDS} } }`;
const MY_PROGRESS = `query ($id: ID!, $pathId: ID!) { community(id: $id) { myProgress(pathId: $pathId) {
  modulesDone completedModuleIds moduleProgress { ${MODULE_PROGRESS_FIELDS} } } } }`;

const record = (user: TestUser, moduleId: string, percent: number, extra: Record<string, unknown> = {}) =>
  api.gql(RECORD, { input: { moduleId, percent, clientTime: daysAgo(0), ...extra } }, user.accessToken);
const recorded = async (user: TestUser, moduleId: string, percent: number) =>
  fieldOf<ModuleProgressView>(await record(user, moduleId, percent), 'recordModuleProgress');
const myProgress = async (user: TestUser, pathId: string) => {
  const response = await api.gql(MY_PROGRESS, { id: communityId, pathId }, user.accessToken);
  return fieldOf<{ myProgress: ProgressView & { moduleProgress: ModuleProgressView[] } }>(
    response,
    'community',
  ).myProgress;
};
const eventTypes = async (pathId: string, userId: string) =>
  (await progressEvents(api, pathId, userId)).map((event) => event.type);

describe('recording progress through a module', () => {
  it('records the learner’s own percent and shows it in their progress, not in anyone else’s', async () => {
    const path = await publishedPath(api, communityId, owner.id, 2);
    const [first] = path.moduleIds as [string, string];
    expect(await recorded(learner, first, 40)).toEqual({
      communityId,
      pathId: path.pathId,
      moduleId: first,
      percent: 40,
      completed: false,
    });
    const mine = await myProgress(learner, path.pathId);
    expect(mine.moduleProgress).toEqual([
      { communityId, pathId: path.pathId, moduleId: first, percent: 40, completed: false },
    ]);
    expect(mine).toMatchObject({ modulesDone: 0, completedModuleIds: [] });
    const viaLearnerProgress = fieldOf<{ moduleProgress: ModuleProgressView[] }>(
      await api.gql(
        LEARNER_PROGRESS.replace(
          'checkpoints {',
          `moduleProgress { ${MODULE_PROGRESS_FIELDS} } checkpoints {`,
        ),
        { communityId, userId: learner.id, pathId: path.pathId },
        learner.accessToken,
      ),
      'learnerProgress',
    );
    expect(viaLearnerProgress.moduleProgress.map((entry) => entry.percent)).toEqual([40]);
    expect((await myProgress(peer, path.pathId)).moduleProgress).toEqual([]);
    expect(await eventTypes(path.pathId, learner.id)).toEqual(['LearningModuleProgressed']);
  });

  it('stores nothing for a percent at or below the highest so far, and answers the highest', async () => {
    const path = await publishedPath(api, communityId, owner.id);
    const moduleId = path.moduleIds[0] as string;
    await recorded(learner, moduleId, 60);
    expect(await recorded(learner, moduleId, 30)).toMatchObject({ percent: 60, completed: false });
    expect(await recorded(learner, moduleId, 60)).toMatchObject({ percent: 60, completed: false });
    expect(await eventTypes(path.pathId, learner.id)).toEqual(['LearningModuleProgressed']);
    expect((await myProgress(learner, path.pathId)).moduleProgress[0]?.percent).toBe(60);
  });

  it('completes the module at 100, once', async () => {
    const path = await publishedPath(api, communityId, owner.id);
    const moduleId = path.moduleIds[0] as string;
    await recorded(learner, moduleId, 90);
    expect(await recorded(learner, moduleId, 100)).toMatchObject({ percent: 100, completed: true });
    expect(await recorded(learner, moduleId, 100)).toMatchObject({ percent: 100, completed: true });
    expect(await eventTypes(path.pathId, learner.id)).toEqual([
      'LearningModuleProgressed',
      'LearningModuleProgressed',
      'LearningModuleCompleted',
    ]);
    const mine = await myProgress(learner, path.pathId);
    expect(mine).toMatchObject({ modulesDone: 1, completedModuleIds: [moduleId] });
    expect(mine.moduleProgress).toMatchObject([{ moduleId, percent: 100, completed: true }]);
  });

  it('counts a module completed with completeLearningModule as 100', async () => {
    const path = await publishedPath(api, communityId, owner.id);
    const moduleId = path.moduleIds[0] as string;
    expect(
      errorCodes(await api.gql(COMPLETE, { moduleId, clientTime: daysAgo(0) }, learner.accessToken)),
    ).toEqual([]);
    expect(await recorded(learner, moduleId, 80)).toMatchObject({ percent: 100, completed: true });
    expect((await myProgress(learner, path.pathId)).moduleProgress).toMatchObject([
      { moduleId, percent: 100, completed: true },
    ]);
    expect(await eventTypes(path.pathId, learner.id)).toEqual(['LearningModuleCompleted']);
  });

  it('answers NOT_FOUND for a module of a community the learner is not in, and for a made-up one', async () => {
    const stranger = await registerAndSignIn(api, 'Sol Stranger');
    const elsewhere = (await createCommunity(api, stranger)).id;
    const path = await publishedPath(api, elsewhere, stranger.id);
    const moduleId = path.moduleIds[0] as string;
    expect(errorCodes(await record(learner, moduleId, 50))).toEqual(['NOT_FOUND/MODULE_NOT_FOUND']);
    expect(errorCodes(await record(learner, randomUUID(), 50))).toEqual(['NOT_FOUND/MODULE_NOT_FOUND']);
    expect(await progressEvents(api, path.pathId, learner.id)).toHaveLength(0);
    // Its own member records as usual.
    expect(await recorded(stranger, moduleId, 50)).toMatchObject({ percent: 50 });
  });

  it('refuses a percent out of 0..100 and a client time ahead of the server; nothing stored', async () => {
    const path = await publishedPath(api, communityId, owner.id);
    const moduleId = path.moduleIds[0] as string;
    for (const percent of [-1, 101]) {
      expect(errorCodes(await record(learner, moduleId, percent))).toEqual(['VALIDATION/INVALID_INPUT']);
    }
    const ahead = new Date(Date.now() + 60 * 60_000).toISOString();
    expect(errorCodes(await record(learner, moduleId, 50, { clientTime: ahead }))).toEqual([
      'VALIDATION/CLIENT_TIME_IN_FUTURE',
    ]);
    expect(await progressEvents(api, path.pathId, learner.id)).toHaveLength(0);
  });

  it('replays a retry with the same idempotency key, and refuses the key with another percent', async () => {
    const path = await publishedPath(api, communityId, owner.id);
    const moduleId = path.moduleIds[0] as string;
    const input = {
      moduleId,
      percent: 35,
      clientTime: daysAgo(0),
      idempotencyKey: `progress-${randomUUID()}`,
    };
    for (let attempt = 0; attempt < 2; attempt += 1) {
      expect(
        fieldOf<ModuleProgressView>(
          await api.gql(RECORD, { input }, learner.accessToken),
          'recordModuleProgress',
        ),
      ).toMatchObject({ percent: 35 });
    }
    expect(await progressEvents(api, path.pathId, learner.id)).toHaveLength(1);
    const reused = await api.gql(RECORD, { input: { ...input, percent: 70 } }, learner.accessToken);
    expect(errorCodes(reused)).toEqual(['CONFLICT/IDEMPOTENCY_KEY_REUSED']);
    expect(await progressEvents(api, path.pathId, learner.id)).toHaveLength(1);
  });
});
