import { randomUUID } from 'node:crypto';
import type pg from 'pg';
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
import type { RecordedEvent } from '../../../src/eventstore/port.ts';
import { createLogger } from '../../../src/logger.ts';
import { applyEvents } from '../../../src/projections/apply-events.ts';
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
import { createTables, physicalTable } from '../../../src/projections/tables.ts';
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

/**
 * A member who joined, passed a checkpoint, completed a module, got halfway through another and had
 * posts marked helpful and removed.
 */
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
  const clientTime = '2026-12-01T10:00:00-05:00';
  await appendEvents(api, learningProgressStream(pathId, LEARNER), progressEventCatalogue, [
    {
      type: 'LearningModuleProgressed',
      data: { communityId, pathId, moduleId, userId: LEARNER, percent: 100, clientTime },
    },
    { type: 'LearningModuleCompleted', data: { communityId, pathId, moduleId, userId: LEARNER, clientTime } },
    {
      type: 'LearningModuleProgressed',
      data: { communityId, pathId, moduleId: randomUUID(), userId: LEARNER, percent: 50, clientTime },
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
  'community_module_progress',
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
      community_module_progress: 2,
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

  it('gives no trust row or event to someone who leaves without having joined (a withdrawn request)', async () => {
    const communityId = randomUUID();
    const requester = randomUUID();
    await appendEvents(api, communityMemberStream(communityId, requester), membershipEventCatalogue, [
      { type: 'CommunityJoinRequested', data: { communityId, userId: requester } },
      { type: 'CommunityMemberLeft', data: { communityId, userId: requester } },
    ]);
    const { rows } = await api.runtime.pool.query<{ scores: number; events: number }>(
      `select (select count(*) from community_trust_scores where user_id = $1)::int as scores,
              (select count(*) from community_trust_events where user_id = $1)::int as events`,
      [requester],
    );
    expect(rows[0]).toEqual({ scores: 0, events: 0 });
  });

  it('takes an erased community out of overall tenure: it counts from the earliest join left', async () => {
    const [first, second] = [randomUUID(), randomUUID()];
    const userId = randomUUID();
    for (const communityId of [first, second]) {
      await appendEvents(api, communityMemberStream(communityId, userId), membershipEventCatalogue, [
        {
          type: 'CommunityMemberJoined',
          data: { communityId, userId, role: 'member', via: 'open', approvedBy: null },
        },
      ]);
    }
    const joinedAt = async (communityId: string) =>
      (
        await api.runtime.pool.query<{ at: Date }>(
          'select member_since as at from community_trust_scores where community_id = $1 and user_id = $2',
          [communityId, userId],
        )
      ).rows[0]?.at.toISOString();
    const overallFirst = async () =>
      (
        await api.runtime.pool.query<{ at: Date | null; joins: Record<string, string> }>(
          'select first_joined_at as at, first_joins as joins from community_trust_overall where user_id = $1',
          [userId],
        )
      ).rows[0];
    const [firstAt, secondAt] = [await joinedAt(first), await joinedAt(second)];
    expect(Date.parse(secondAt ?? '')).toBeGreaterThan(Date.parse(firstAt ?? ''));
    expect((await overallFirst())?.at?.toISOString()).toBe(firstAt);

    await appendEvents(api, communityStream(first), communityEventCatalogue, [
      { type: 'CommunityErased', data: { communityId: first, erasedBy: randomUUID(), reason: 'closing' } },
    ]);
    const after = await overallFirst();
    expect(after?.at?.toISOString()).toBe(secondAt);
    expect(Object.keys(after?.joins ?? {})).toEqual([second]);
  });

  it('projects and erases a community of many members with a few statements per batch or bucket, none per row', async () => {
    const projection = communityTrustProjection(api.runtime.codec);
    // A generation of its own, in a transaction rolled back at the end: the live tables are untouched.
    const generation = 9_000 + Math.floor(Math.random() * 900);
    const client = await api.runtime.pool.connect();
    let statements = 0;
    const counting = new Proxy(client, {
      get(target, property) {
        if (property !== 'query') return Reflect.get(target, property);
        return (...args: Parameters<pg.PoolClient['query']>) => {
          statements += 1;
          return (target.query as (...a: unknown[]) => unknown)(...args);
        };
      },
    }) as pg.PoolClient;
    const communityId = randomUUID();
    const members = Array.from({ length: 1_493 }, () => randomUUID());
    // Each join lists two keys (the member's row and the joining's trust event).
    const buckets = Math.ceil((2 * members.length) / KEYS_PER_BUCKET);
    expect(buckets).toBe(6);
    let position = 1n;
    const recorded = (type: string, data: Record<string, unknown>): RecordedEvent => {
      position += 1n;
      return {
        streamName: `test-${position}`,
        revision: 0n,
        position,
        id: randomUUID(),
        type,
        data,
        metadata: { occurredAt: new Date(Date.UTC(2026, 10, 1) + Number(position)).toISOString() },
        hash: '',
        createdAt: new Date(),
      };
    };
    try {
      await client.query('begin');
      await createTables(client, projection, generation);
      await applyEvents(
        counting,
        projection,
        generation,
        members.map((userId) =>
          recorded('CommunityMemberJoined', {
            communityId,
            userId,
            role: 'member',
            via: 'open',
            approvedBy: null,
          }),
        ),
      );
      const count = async (table: string) =>
        (
          await client.query<{ n: number }>(
            `select count(*)::int as n from ${physicalTable(projection, table, generation)}`,
          )
        ).rows[0]?.n;
      expect(await count('community_trust_scores')).toBe(members.length);
      expect(await count('community_trust_events')).toBe(members.length);
      // The joinings too, without a statement per event: one prefetch read per table it reads
      // (counts, scores, overall, events; new buckets start empty), then per table written its
      // column list (first write of this generation) and one upsert.
      expect(statements).toBeLessThanOrEqual(4 + 2 * 5);

      statements = 0;
      await applyEvents(counting, projection, generation, [
        recorded('CommunityErased', { communityId, erasedBy: randomUUID(), reason: 'closing' }),
      ]);
      // The count; per bucket its list, its members' community rows and their overall rows; then
      // one delete per table (scores, events, lists, counts) and one upsert of the overall rows.
      expect(statements).toBe(1 + 3 * buckets + 5);
      for (const table of ['community_trust_scores', 'community_trust_events', 'community_trust_key_lists']) {
        expect(await count(table), table).toBe(0);
      }
      const { rows } = await client.query<{ n: number }>(
        `select count(*)::int as n from ${physicalTable(projection, 'community_trust_overall', generation)}
          where first_joins = '{}'::jsonb and first_joined_at is null`,
      );
      expect(rows[0]?.n).toBe(members.length);
    } finally {
      await client.query('rollback');
      client.release();
    }
  });
});
