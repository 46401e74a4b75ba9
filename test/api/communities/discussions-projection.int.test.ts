import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { communityEventCatalogue } from '../../../src/domain/communities/community-events.ts';
import type { CommunityPostEvent } from '../../../src/domain/communities/post-events.ts';
import { communityPostEventCatalogue } from '../../../src/domain/communities/post-events.ts';
import {
  communityMemberSubject,
  communityPostStream,
  communityStream,
} from '../../../src/domain/communities/streams.ts';
import { userStream } from '../../../src/domain/identity/streams.ts';
import { userEventCatalogue } from '../../../src/domain/identity/user-events.ts';
import { createLogger } from '../../../src/logger.ts';
import {
  COMMUNITY_DISCUSSIONS_PROJECTION,
  communityDiscussionsProjection,
} from '../../../src/projections/read-models/community-discussions.ts';
import { KEYS_PER_BUCKET as LIST_BUCKET_SIZE } from '../../../src/projections/read-models/community-key-lists.ts';
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

    await appendEvents(api, communityStream(erased), communityEventCatalogue, [
      { type: 'CommunityErased', data: { communityId: erased, erasedBy: randomUUID(), reason: 'closing' } },
    ]);
    expect(await rowsOf(erased)).toEqual([]);
    expect(await rowsOf(kept)).toHaveLength(4);
    const { rows } = await api.runtime.pool.query(
      `select (select count(*) from community_discussion_counts where community_id = $1)::int as counts,
              (select count(*) from community_discussion_lists where community_id = $1)::int as lists,
              (select count(*) from community_discussion_writers where community_id = $1)::int as writers,
              (select count(*) from community_discussion_writer_posts where community_id = $1)::int as posts,
              (select count(*) from community_discussion_people where community_ids ? $1::text)::int as people`,
      [erased],
    );
    expect(rows[0]).toEqual({ counts: 0, lists: 0, writers: 0, posts: 0, people: 0 });
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
      // Posts, the community key lists (2), the writers' lists (2) and the people.
      expect(report.comparison).toHaveLength(6);
      expect(await abandonRebuild(pool, COMMUNITY_DISCUSSIONS_PROJECTION)).toBe(true);
    }
  });

  it("empties a forgotten person's words in the table itself, as a rebuild decodes them", async () => {
    const [communityId, other] = [randomUUID(), randomUUID()];
    const here = await discussion(communityId);
    const there = await discussion(other);
    const author = async (postId: string) => {
      const { rows } = await api.runtime.pool.query<{ author_id: string }>(
        'select author_id from community_posts where post_id = $1',
        [postId],
      );
      return String(rows[0]?.author_id);
    };
    const [ana, ben] = [await author(here.threadId), await author(here.first)];
    const removal = await api.runtime.pool.query<{ removed_by: string }>(
      'select removed_by from community_posts where post_id = $1',
      [here.third],
    );
    const mod = String(removal.rows[0]?.removed_by);

    // Forgotten as forgetUser does it: the event, then their keys in every community destroyed.
    // A reply of Ana's read after the event (it raced the erasure) comes in without words.
    const forget = async (userId: string) =>
      appendEvents(api, userStream(userId), userEventCatalogue, [
        {
          type: 'UserForgotten',
          data: { userId, keyId: null, erasedFields: [], at: new Date().toISOString() },
        },
      ]);
    await forget(ana);
    await forget(mod);
    const late = randomUUID();
    await post(late, [
      {
        type: 'CommunityReplyPosted',
        data: {
          communityId,
          postId: late,
          threadId: here.threadId,
          parentId: here.threadId,
          authorId: ana,
          body: 'raced',
          depth: 1,
        },
      },
    ]);
    for (const person of [ana, mod])
      await api.runtime.keys.destroy(communityMemberSubject(communityId, person));

    const words = async (id: string) => {
      const { rows } = await api.runtime.pool.query(
        `select post_id, title, body, removal_reason from community_posts
          where community_id = $1 order by position`,
        [id],
      );
      return rows;
    };
    expect(await words(communityId)).toEqual([
      { post_id: here.threadId, title: null, body: null, removal_reason: null },
      { post_id: here.first, title: null, body: 'reply 1', removal_reason: null },
      { post_id: here.second, title: null, body: null, removal_reason: null },
      // Ben's removed post: its words were already gone; the moderator's reason goes too.
      { post_id: here.third, title: null, body: null, removal_reason: null },
      { post_id: late, title: null, body: null, removal_reason: null },
    ]);
    expect(ben).not.toBe(ana);
    // The other community's posts are other people's: untouched.
    expect(await words(other)).toEqual([
      { post_id: there.threadId, title: 'T2', body: 'B2', removal_reason: null },
      { post_id: there.first, title: null, body: 'reply 1', removal_reason: null },
      { post_id: there.second, title: null, body: null, removal_reason: null },
      { post_id: there.third, title: null, body: null, removal_reason: 'spam' },
    ]);

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
    await appendEvents(api, communityStream(communityId), communityEventCatalogue, [
      { type: 'CommunityErased', data: { communityId, erasedBy: authorId, reason: 'gone' } },
    ]);
    expect(await rowsOf(communityId)).toEqual([]);
  });
});
