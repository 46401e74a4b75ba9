import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mentorProfile, onMentor } from '../mentorship/matching-support.ts';
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
  RIGHT,
  SUBMIT,
} from './progress-support.ts';

let api: IdentityApp;
let owner: TestUser;
let moderator: TestUser;
let mentor: TestUser;
let learner: TestUser;
let peer: TestUser;
let communityId: string;

beforeAll(async () => {
  api = await startIdentityApp();
  [owner, moderator, mentor, learner, peer] = await Promise.all([
    registerAndSignIn(api, 'Olu Owner'),
    registerAndSignIn(api, 'Mo Moderator'),
    registerAndSignIn(api, 'Mina Mentor'),
    registerAndSignIn(api, 'Lea Learner'),
    registerAndSignIn(api, 'Pia Peer'),
  ]);
  communityId = (await createCommunity(api, owner)).id;
  await addMember(api, owner, communityId, moderator, 'MODERATOR');
  // Mina mentors Lea in the mentorship context (a match request she accepted), and is a plain member here.
  await addMember(api, owner, communityId, mentor);
  await addMember(api, owner, communityId, learner);
  await addMember(api, owner, communityId, peer);
  await mentorProfile(api, mentor.id);
  await onMentor(api, mentor.id, { type: 'AddMentee', requestId: randomUUID(), learnerId: learner.id });
});

afterAll(async () => {
  await api?.close();
});

const complete = (user: TestUser, moduleId: string, clientTime: string) =>
  api.gql(COMPLETE, { moduleId, clientTime }, user.accessToken);
const progressAs = (user: TestUser, pathId: string, userId = learner.id) =>
  api.gql(LEARNER_PROGRESS, { communityId, userId, pathId }, user.accessToken);

describe('progress per learner per path', () => {
  it('counts modules done and streaks over the learner’s days, offline days filling gaps', async () => {
    const path = await publishedPath(api, communityId, owner.id, 4);
    const [first, second, third, fourth] = path.moduleIds as [string, string, string, string];
    let progress = fieldOf<ProgressView>(
      await complete(learner, first, daysAgo(4)),
      'completeLearningModule',
    );
    expect(progress).toMatchObject({ modulesDone: 1, currentStreakDays: 0, longestStreakDays: 1 });
    progress = fieldOf<ProgressView>(await complete(learner, second, daysAgo(1)), 'completeLearningModule');
    expect(progress).toMatchObject({ modulesDone: 2, currentStreakDays: 1, longestStreakDays: 1 });
    progress = fieldOf<ProgressView>(await complete(learner, third, daysAgo(0)), 'completeLearningModule');
    expect(progress).toMatchObject({ modulesDone: 3, currentStreakDays: 2, longestStreakDays: 2 });
    // Days 3 and 2 arrive late, from a device that was offline: the streak runs over five days.
    progress = fieldOf<ProgressView>(await complete(learner, fourth, daysAgo(3)), 'completeLearningModule');
    expect(progress).toMatchObject({ modulesDone: 4, currentStreakDays: 2 });
    const attempt = await api.gql(
      SUBMIT,
      { checkpointId: path.checkpointIds[0], answers: RIGHT, clientTime: daysAgo(2) },
      learner.accessToken,
    );
    expect(errorCodes(attempt)).toEqual([]);
    progress = fieldOf<ProgressView>(await progressAs(learner, path.pathId), 'learnerProgress');
    expect(progress).toMatchObject({
      modulesDone: 4,
      checkpointsPassed: 1,
      currentStreakDays: 5,
      longestStreakDays: 5,
      lastActiveDay: daysAgo(0).slice(0, 10),
    });
    expect(new Set(progress.completedModuleIds)).toEqual(new Set(path.moduleIds));
  });

  it('completes a module once: again stores nothing', async () => {
    const path = await publishedPath(api, communityId, owner.id);
    const moduleId = path.moduleIds[0] as string;
    fieldOf(await complete(learner, moduleId, daysAgo(0)), 'completeLearningModule');
    const again = fieldOf<ProgressView>(
      await complete(learner, moduleId, daysAgo(0)),
      'completeLearningModule',
    );
    expect(again.modulesDone).toBe(1);
    expect(await progressEvents(api, path.pathId, learner.id)).toHaveLength(1);
  });

  it('refuses a module nobody published and a member of no community; nothing stored', async () => {
    expect(errorCodes(await complete(learner, randomUUID(), daysAgo(0)))).toEqual([
      'NOT_FOUND/MODULE_NOT_FOUND',
    ]);
    const outsider = await registerAndSignIn(api, 'Otto Outsider');
    const path = await publishedPath(api, communityId, owner.id);
    // To a non-member the module does not exist, as for a made-up id.
    expect(errorCodes(await complete(outsider, path.moduleIds[0] as string, daysAgo(0)))).toEqual([
      'NOT_FOUND/MODULE_NOT_FOUND',
    ]);
    expect(await progressEvents(api, path.pathId, outsider.id)).toHaveLength(0);
  });

  it('is visible to the learner and their mentor; not to another member, nor one by one to moderators', async () => {
    const path = await publishedPath(api, communityId, owner.id);
    fieldOf(await complete(learner, path.moduleIds[0] as string, daysAgo(0)), 'completeLearningModule');
    for (const reader of [learner, mentor]) {
      expect(
        fieldOf<ProgressView>(await progressAs(reader, path.pathId), 'learnerProgress').modulesDone,
      ).toBe(1);
    }
    // Moderators and the owner see the community's aggregates (next test), not one learner's progress.
    for (const reader of [peer, moderator, owner]) {
      expect(errorCodes(await progressAs(reader, path.pathId))).toEqual(['FORBIDDEN/NOT_THEIR_MENTOR']);
    }
    // Mina mentors Lea, not Pia.
    expect(errorCodes(await progressAs(mentor, path.pathId, peer.id))).toEqual([
      'FORBIDDEN/NOT_THEIR_MENTOR',
    ]);
  });

  it('shows moderators aggregates per path, and refuses members', async () => {
    const path = await publishedPath(api, communityId, owner.id, 2);
    fieldOf(await complete(learner, path.moduleIds[0] as string, daysAgo(0)), 'completeLearningModule');
    fieldOf(await complete(learner, path.moduleIds[1] as string, daysAgo(0)), 'completeLearningModule');
    fieldOf(await complete(peer, path.moduleIds[0] as string, daysAgo(0)), 'completeLearningModule');
    const AGGREGATES = `query ($id: ID!) { community(id: $id) { progressAggregates(first: 100) {
      nodes { pathId learners averageModulesDone learnersWithACheckpointPassed checkpointsPassed activeLastSevenDays longestStreakDays }
      pageInfo { hasNextPage } } } }`;
    const response = await api.gql(AGGREGATES, { id: communityId }, moderator.accessToken);
    const { nodes } = fieldOf<{ progressAggregates: { nodes: { pathId: string }[] } }>(
      response,
      'community',
    ).progressAggregates;
    expect(nodes.find((node) => node.pathId === path.pathId)).toEqual({
      pathId: path.pathId,
      learners: 2,
      averageModulesDone: 1.5,
      learnersWithACheckpointPassed: 0,
      checkpointsPassed: 0,
      activeLastSevenDays: 2,
      longestStreakDays: 1,
    });
    expect(errorCodes(await api.gql(AGGREGATES, { id: communityId }, learner.accessToken))).toEqual([
      'FORBIDDEN/MISSING_PERMISSION',
    ]);
  });
});
