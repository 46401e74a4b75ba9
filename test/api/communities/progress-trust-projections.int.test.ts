import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AttemptEvent } from '../../../src/domain/communities/attempt-events.ts';
import { attemptEventCatalogue } from '../../../src/domain/communities/attempt-events.ts';
import { communityEventCatalogue } from '../../../src/domain/communities/community-events.ts';
import { membershipEventCatalogue } from '../../../src/domain/communities/membership-events.ts';
import { communityPostEventCatalogue } from '../../../src/domain/communities/post-events.ts';
import { progressEventCatalogue } from '../../../src/domain/communities/progress-events.ts';
import {
  checkpointAttemptsStream,
  communityMemberStream,
  communityPostStream,
  communityStream,
  learningProgressStream,
} from '../../../src/domain/communities/streams.ts';
import { createLogger } from '../../../src/logger.ts';
import type { Projection } from '../../../src/projections/projection.ts';
import { KEYS_PER_BUCKET } from '../../../src/projections/read-models/community-key-lists.ts';
import {
  COMMUNITY_PROGRESS_PROJECTION,
  communityProgressProjection,
} from '../../../src/projections/read-models/community-progress.ts';
import {
  COMMUNITY_TRUST_PROJECTION,
  communityTrustProjection,
} from '../../../src/projections/read-models/community-trust.ts';
import { abandonRebuild, rebuildProjection } from '../../../src/projections/rebuild.ts';
import { appendEvents } from '../social/graph-support.ts';
import { type IdentityApp, startIdentityApp } from '../support/identity-app.ts';

let api: IdentityApp;
beforeAll(async () => {
  api = await startIdentityApp();
});
afterAll(async () => {
  await api?.close();
});

const LEARNER = randomUUID();

/** A member who joined, passed a checkpoint, completed a module and had posts marked helpful and removed. */
async function activity(communityId: string) {
  const [pathId, moduleId, checkpointId, attemptId, postId] = [
    randomUUID(),
    randomUUID(),
    randomUUID(),
    randomUUID(),
    randomUUID(),
  ];
  const threadId = randomUUID();
  await appendEvents(api, communityMemberStream(communityId, LEARNER), membershipEventCatalogue, [
    {
      type: 'CommunityMemberJoined',
      data: { communityId, userId: LEARNER, role: 'member', via: 'open', approvedBy: null },
    },
  ]);
  await appendEvents(api, learningProgressStream(pathId, LEARNER), progressEventCatalogue, [
    {
      type: 'LearningModuleCompleted',
      data: { communityId, pathId, moduleId, userId: LEARNER, clientTime: '2026-12-01T10:00:00-05:00' },
    },
  ]);
  const submitted: AttemptEvent = {
    type: 'CheckpointAttemptSubmitted',
    data: {
      communityId,
      pathId,
      moduleId,
      checkpointId,
      checkpointVersion: 1,
      userId: LEARNER,
      attemptId,
      attemptNumber: 1,
      answers: '[]',
      clientTime: '2026-12-02T10:00:00-05:00',
      submittedAt: new Date().toISOString(),
      score: 4,
      maxScore: 4,
      passMark: 50,
      passed: true,
      feedback: [{ questionId: 'q', points: 4, maxPoints: 4, outcome: 'correct' }],
    },
  };
  await appendEvents(api, checkpointAttemptsStream(checkpointId, LEARNER), attemptEventCatalogue, [
    submitted,
  ]);
  const ids = { communityId, postId, threadId, authorId: LEARNER };
  await appendEvents(api, communityPostStream(postId), communityPostEventCatalogue, [
    { type: 'CommunityReplyPosted', data: { ...ids, parentId: threadId, body: 'b', depth: 1 } },
    { type: 'CommunityPostMarkedHelpful', data: { ...ids, markedBy: randomUUID() } },
    { type: 'CommunityPostRemoved', data: { ...ids, removedBy: randomUUID(), reason: 'off topic' } },
  ]);
}

const TABLES = [
  'community_path_progress',
  'community_attempts',
  'community_checkpoint_results',
  'community_module_completions',
  'community_progress_key_lists',
  'community_progress_key_counts',
  'community_trust_scores',
  'community_trust_events',
  'community_trust_checkpoints',
  'community_trust_key_lists',
  'community_trust_key_counts',
];

async function rowCounts(communityId: string): Promise<Record<string, number>> {
  const counts: Record<string, number> = {};
  for (const table of TABLES) {
    const { rows } = await api.runtime.pool.query<{ n: number }>(
      `select count(*)::int as n from ${table} where community_id = $1`,
      [communityId],
    );
    counts[table] = rows[0]?.n ?? 0;
  }
  return counts;
}

const overall = async () =>
  (
    await api.runtime.pool.query<{ components: { facts: Record<string, number> } }>(
      'select components from community_trust_overall where user_id = $1',
      [LEARNER],
    )
  ).rows[0]?.components.facts;

async function rebuildsTheSame(projection: Projection, name: string) {
  const { store, pool, bus } = api.runtime;
  for (const batchSize of [500, 1]) {
    const report = await rebuildProjection(
      { store, pool, bus, log: createLogger('silent') },
      { ...projection, version: projection.version + 1 },
      { compare: true, swap: false, batchSize },
    );
    expect(report.comparison).toHaveLength(Object.keys(projection.tables).length);
    for (const table of report.comparison ?? []) {
      expect(table, `${table.table} rebuilt with batches of ${batchSize}`).toMatchObject({ same: true });
    }
    expect(await abandonRebuild(pool, name)).toBe(true);
  }
}

describe('the community_progress and community_trust read models', () => {
  it('key every row by community, forget an erased one entirely (overall trust too), and rebuild the same', async () => {
    const [erased, kept] = [randomUUID(), randomUUID()];
    await activity(erased);
    await activity(kept);
    const full = await rowCounts(kept);
    expect(full).toMatchObject({
      community_path_progress: 1,
      community_attempts: 1,
      community_checkpoint_results: 1,
      community_module_completions: 1,
      community_trust_scores: 1,
      community_trust_checkpoints: 1,
      // joined, passed, marked helpful, removed
      community_trust_events: 4,
    });
    expect(await rowCounts(erased)).toEqual(full);
    expect(await overall()).toMatchObject({ checkpointsPassed: 2, helpfulMarks: 2, reportsUpheld: 2 });

    await appendEvents(api, communityStream(erased), communityEventCatalogue, [
      { type: 'CommunityErased', data: { communityId: erased, erasedBy: randomUUID(), reason: 'closing' } },
    ]);
    expect(Object.values(await rowCounts(erased)).every((count) => count === 0)).toBe(true);
    expect(await rowCounts(kept)).toEqual(full);
    expect(await overall()).toMatchObject({ checkpointsPassed: 1, helpfulMarks: 1, reportsUpheld: 1 });

    const { codec } = api.runtime;
    await rebuildsTheSame(communityProgressProjection(codec), COMMUNITY_PROGRESS_PROJECTION);
    await rebuildsTheSame(communityTrustProjection(codec), COMMUNITY_TRUST_PROJECTION);
  });

  it(`lists keys ${KEYS_PER_BUCKET} to a row, so erasure finds every one`, async () => {
    const communityId = randomUUID();
    const members = Array.from({ length: KEYS_PER_BUCKET + 2 }, () => randomUUID());
    for (const userId of members) {
      await api.runtime.store.append(communityMemberStream(communityId, userId), [
        await api.runtime.codec.encode(
          membershipEventCatalogue.CommunityMemberJoined,
          {
            type: 'CommunityMemberJoined',
            data: { communityId, userId, role: 'member', via: 'open', approvedBy: null },
          },
          {
            commandId: userId,
            correlationId: userId,
            causationId: userId,
            actor: 'system:test',
            occurredAt: new Date().toISOString(),
          },
          randomUUID(),
        ),
      ]);
    }
    await appendEvents(api, communityStream(communityId), communityEventCatalogue, [
      { type: 'CommunityErased', data: { communityId, erasedBy: randomUUID(), reason: 'gone' } },
    ]);
    expect(Object.values(await rowCounts(communityId)).every((count) => count === 0)).toBe(true);
  });
});
