import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import type { CommunityPostEvent } from '../../../src/domain/communities/post-events.ts';
import { communityPostEventCatalogue } from '../../../src/domain/communities/post-events.ts';
import { communityPostStream, communityStream } from '../../../src/domain/communities/streams.ts';
import type { EventDefinition } from '../../../src/domain/shared/event-catalogue.ts';
import { createLogger } from '../../../src/logger.ts';
import {
  COMMUNITY_DISCUSSIONS_PROJECTION,
  communityDiscussionsProjection,
} from '../../../src/projections/read-models/community-discussions.ts';
import { KEYS_PER_BUCKET as LIST_BUCKET_SIZE } from '../../../src/projections/read-models/community-key-lists.ts';
import { abandonRebuild, rebuildProjection } from '../../../src/projections/rebuild.ts';
import { appendEvents } from '../social/graph-support.ts';
import { type IdentityApp, startIdentityApp } from '../support/identity-app.ts';

/**
 * The erasure event as the communities context stores it (only its raw `communityId` is read by
 * this projection), declared here so the test appends it the way the pipeline would.
 */
const communityErased: EventDefinition = {
  type: 'CommunityErased',
  schemaVersion: 1,
  schema: z.object({ communityId: z.uuid(), erasedBy: z.uuid(), reason: z.string() }),
};

let api: IdentityApp;
beforeAll(async () => {
  api = await startIdentityApp();
});
afterAll(async () => {
  await api?.close();
});

const post = (postId: string, events: CommunityPostEvent[]) =>
  appendEvents(api, communityPostStream(postId), communityPostEventCatalogue, events);

async function rowsOf(communityId: string) {
  const { rows } = await api.runtime.pool.query(
    `select post_id, kind, depth, title, body, status, pinned, pin_rank > 0 as ranked, helpful,
            reply_count, removal_reason
       from community_posts where community_id = $1 order by position`,
    [communityId],
  );
  return rows;
}

/** A thread with replies, a pin, an edit, a removal, a deletion and a helpful mark. */
async function discussion(communityId: string) {
  const [ana, ben, mod] = [randomUUID(), randomUUID(), randomUUID()];
  const threadId = randomUUID();
  const [first, second, third] = [randomUUID(), randomUUID(), randomUUID()];
  const ids = (postId: string, authorId: string) => ({ communityId, postId, threadId, authorId });
  await post(threadId, [
    {
      type: 'CommunityThreadStarted',
      data: { communityId, postId: threadId, authorId: ana, title: 'T', body: 'B' },
    },
  ]);
  const reply = (postId: string, parentId: string, authorId: string, depth: number): CommunityPostEvent => ({
    type: 'CommunityReplyPosted',
    data: { ...ids(postId, authorId), parentId, body: `reply ${depth}`, depth },
  });
  await post(first, [reply(first, threadId, ben, 1)]);
  await post(second, [reply(second, first, ana, 2)]);
  await post(third, [reply(third, threadId, ben, 1)]);
  await post(threadId, [
    { type: 'CommunityThreadPinned', data: { communityId, postId: threadId, threadId, pinnedBy: mod } },
    { type: 'CommunityPostEdited', data: { ...ids(threadId, ana), title: 'T2', body: 'B2' } },
  ]);
  await post(first, [{ type: 'CommunityPostMarkedHelpful', data: { ...ids(first, ben), markedBy: ana } }]);
  await post(second, [{ type: 'CommunityPostDeleted', data: ids(second, ana) }]);
  await post(third, [
    { type: 'CommunityPostRemoved', data: { ...ids(third, ben), removedBy: mod, reason: 'spam' } },
    // Read after the removal (a stale edit): the removed post keeps no words.
    { type: 'CommunityPostEdited', data: { ...ids(third, ben), title: null, body: 'back again' } },
  ]);
  return { threadId, first, second, third };
}

describe('the community_discussions read model', () => {
  it('keeps threads and replies by community, and forgets an erased community entirely', async () => {
    const [erased, kept] = [randomUUID(), randomUUID()];
    const gone = await discussion(erased);
    const stays = await discussion(kept);

    expect(await rowsOf(kept)).toEqual([
      {
        post_id: stays.threadId,
        kind: 'thread',
        depth: 0,
        title: 'T2',
        body: 'B2',
        status: 'active',
        pinned: true,
        ranked: true,
        helpful: false,
        reply_count: 3,
        removal_reason: null,
      },
      expect.objectContaining({ post_id: stays.first, depth: 1, body: 'reply 1', helpful: true }),
      expect.objectContaining({ post_id: stays.second, depth: 2, body: null, status: 'deleted' }),
      expect.objectContaining({
        post_id: stays.third,
        body: null,
        status: 'removed',
        removal_reason: 'spam',
      }),
    ]);
    expect(await rowsOf(erased)).toHaveLength(4);

    await appendEvents(api, communityStream(erased), { CommunityErased: communityErased }, [
      { type: 'CommunityErased', data: { communityId: erased, erasedBy: randomUUID(), reason: 'closing' } },
    ]);
    expect(await rowsOf(erased)).toEqual([]);
    expect(await rowsOf(kept)).toHaveLength(4);
    const { rows } = await api.runtime.pool.query(
      `select (select count(*) from community_discussion_counts where community_id = $1)::int as counts,
              (select count(*) from community_discussion_lists where community_id = $1)::int as lists`,
      [erased],
    );
    expect(rows[0]).toEqual({ counts: 0, lists: 0 });
    expect(gone.threadId).not.toBe(stays.threadId);

    // Rebuilt from the history, in one batch and one event per batch: the same tables.
    const { store, pool, bus, codec } = api.runtime;
    const projection = communityDiscussionsProjection(codec);
    for (const batchSize of [500, 1]) {
      const report = await rebuildProjection(
        { store, pool, bus, log: createLogger('silent') },
        { ...projection, version: projection.version + 1 },
        { compare: true, swap: false, batchSize },
      );
      for (const table of report.comparison ?? []) {
        expect(table, `${table.table} rebuilt with batches of ${batchSize}`).toMatchObject({ same: true });
      }
      expect(report.comparison).toHaveLength(3);
      expect(await abandonRebuild(pool, COMMUNITY_DISCUSSIONS_PROJECTION)).toBe(true);
    }
  });

  it(`lists a community's posts ${LIST_BUCKET_SIZE} to a row, so erasure finds every one`, async () => {
    const communityId = randomUUID();
    const authorId = randomUUID();
    const started = (postId: string): CommunityPostEvent => ({
      type: 'CommunityThreadStarted',
      data: { communityId, postId, authorId, title: 't', body: 'b' },
    });
    // One stream per post, as the write side does; appended in a few big appends to stay quick.
    const ids = Array.from({ length: LIST_BUCKET_SIZE + 3 }, () => randomUUID());
    for (const postId of ids) {
      await api.runtime.store.append(communityPostStream(postId), [
        await api.runtime.codec.encode(
          communityPostEventCatalogue.CommunityThreadStarted,
          started(postId),
          {
            commandId: postId,
            correlationId: postId,
            causationId: postId,
            actor: 'system:test',
            occurredAt: new Date().toISOString(),
          },
          randomUUID(),
        ),
      ]);
    }
    await appendEvents(api, communityStream(communityId), { CommunityErased: communityErased }, [
      { type: 'CommunityErased', data: { communityId, erasedBy: authorId, reason: 'gone' } },
    ]);
    expect(await rowsOf(communityId)).toEqual([]);
  });
});
