import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type CheckpointEvent,
  checkpointEventCatalogue,
} from '../../../src/domain/communities/checkpoint-events.ts';
import { communityEventCatalogue } from '../../../src/domain/communities/community-events.ts';
import {
  type LearningModuleEvent,
  learningModuleEventCatalogue,
} from '../../../src/domain/communities/module-events.ts';
import {
  type LearningPathEvent,
  learningPathEventCatalogue,
} from '../../../src/domain/communities/path-events.ts';
import {
  checkpointStream,
  communityStream,
  learningModuleStream,
  learningPathStream,
} from '../../../src/domain/communities/streams.ts';
import { createLogger } from '../../../src/logger.ts';
import {
  COMMUNITY_LEARNING_PROJECTION,
  communityLearningProjection,
} from '../../../src/projections/read-models/community-learning.ts';
import { abandonRebuild, rebuildProjection } from '../../../src/projections/rebuild.ts';
import { appendEvents } from '../social/graph-support.ts';
import { type IdentityApp, startIdentityApp } from '../support/identity-app.ts';

const TABLES = [
  'community_learning_paths',
  'community_learning_modules',
  'community_learning_module_versions',
  'community_checkpoints',
  'community_checkpoint_versions',
  'community_learning_key_lists',
  'community_learning_key_counts',
];

let api: IdentityApp;
beforeAll(async () => {
  api = await startIdentityApp();
});
afterAll(async () => {
  await api?.close();
});

/** A published path with two module versions and an approved, revised checkpoint. */
async function content(communityId: string) {
  const [mentor, pathId, moduleId, checkpointId] = [randomUUID(), randomUUID(), randomUUID(), randomUUID()];
  const path = (events: LearningPathEvent[]) =>
    appendEvents(api, learningPathStream(pathId), learningPathEventCatalogue, events);
  const module = (events: LearningModuleEvent[]) =>
    appendEvents(api, learningModuleStream(moduleId), learningModuleEventCatalogue, events);
  const ids = { communityId, pathId, moduleId };
  await path([
    {
      type: 'LearningPathCreated',
      data: { communityId, pathId, title: 'P', description: 'D', createdBy: mentor },
    },
  ]);
  const version = (n: number, body: string) => ({
    ...ids,
    version: n,
    title: 'M',
    body,
    mediaAssetIds: [],
    editedBy: mentor,
  });
  await module([
    { type: 'LearningModuleDrafted', data: version(1, 'one') },
    { type: 'LearningModuleRevised', data: version(2, 'two') },
    { type: 'LearningModulePublished', data: { ...ids, version: 2, publishedBy: mentor } },
  ]);
  await path([
    {
      type: 'LearningPathModulesOrdered',
      data: { communityId, pathId, moduleIds: [moduleId], orderedBy: mentor },
    },
    {
      type: 'LearningPathPublished',
      data: { communityId, pathId, version: 1, moduleIds: [moduleId], publishedBy: mentor },
    },
  ]);
  const drafted = (n: number) => ({
    ...ids,
    checkpointId,
    version: n,
    questions: JSON.stringify([
      { type: 'reflection', id: 'q1', prompt: `Why ${n}?`, points: 1, guidance: null },
    ]),
    passMark: 50,
    maxAttempts: 2,
    cooldownSeconds: 0,
    source: 'mentor' as const,
    generator: null,
    draftedBy: mentor,
  });
  const checkpoint: CheckpointEvent[] = [
    { type: 'CheckpointDrafted', data: drafted(1) },
    { type: 'CheckpointApproved', data: { communityId, checkpointId, version: 1, approvedBy: mentor } },
    { type: 'CheckpointRevised', data: drafted(2) },
  ];
  await appendEvents(api, checkpointStream(checkpointId), checkpointEventCatalogue, checkpoint);
  return { pathId, moduleId, checkpointId };
}

async function countsOf(communityId: string) {
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

describe('the community_learning read model', () => {
  it('keeps every version by community, forgets an erased community entirely, and rebuilds the same', async () => {
    const [erased, kept] = [randomUUID(), randomUUID()];
    await content(erased);
    const stays = await content(kept);
    const full = {
      community_learning_paths: 1,
      community_learning_modules: 1,
      community_learning_module_versions: 2,
      community_checkpoints: 1,
      community_checkpoint_versions: 2,
      community_learning_key_lists: 1,
      community_learning_key_counts: 1,
    };
    expect(await countsOf(erased)).toEqual(full);
    const { rows } = await api.runtime.pool.query(
      `select m.latest_version, m.published_version, c.latest_version as cp_latest, c.approved_version,
              p.published_version as path_version, p.published_module_ids
         from community_learning_modules m
         join community_checkpoints c on c.community_id = m.community_id and c.module_id = m.module_id
         join community_learning_paths p on p.community_id = m.community_id and p.path_id = m.path_id
        where m.community_id = $1`,
      [kept],
    );
    expect(rows).toEqual([
      {
        latest_version: 2,
        published_version: 2,
        cp_latest: 2,
        approved_version: 1,
        path_version: 1,
        published_module_ids: [stays.moduleId],
      },
    ]);

    await appendEvents(api, communityStream(erased), communityEventCatalogue, [
      { type: 'CommunityErased', data: { communityId: erased, erasedBy: randomUUID(), reason: 'closing' } },
    ]);
    expect(Object.values(await countsOf(erased)).every((n) => n === 0)).toBe(true);
    expect(await countsOf(kept)).toEqual(full);

    // Rebuilt from the history, in one batch and one event per batch: the same tables.
    const { store, pool, bus, codec } = api.runtime;
    const projection = communityLearningProjection(codec);
    for (const batchSize of [500, 1]) {
      const report = await rebuildProjection(
        { store, pool, bus, log: createLogger('silent') },
        { ...projection, version: projection.version + 1 },
        { compare: true, swap: false, batchSize },
      );
      for (const table of report.comparison ?? []) {
        expect(table, `${table.table} rebuilt with batches of ${batchSize}`).toMatchObject({ same: true });
      }
      expect(report.comparison).toHaveLength(TABLES.length);
      expect(await abandonRebuild(pool, COMMUNITY_LEARNING_PROJECTION)).toBe(true);
    }
  });
});
