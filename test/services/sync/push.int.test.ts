import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readStreamOrEmpty } from '../../../src/commands/load-aggregate.ts';
import { attemptEventCatalogue } from '../../../src/domain/communities/attempt-events.ts';
import { communityPostEventCatalogue } from '../../../src/domain/communities/post-events.ts';
import { progressEventCatalogue } from '../../../src/domain/communities/progress-events.ts';
import {
  checkpointAttemptsStream,
  communityPostStream,
  learningProgressStream,
} from '../../../src/domain/communities/streams.ts';
import { userStream } from '../../../src/domain/identity/streams.ts';
import { userEventCatalogue } from '../../../src/domain/identity/user-events.ts';
import { DomainError } from '../../../src/domain/shared/domain-error.ts';
import { syncConflictsStream } from '../../../src/domain/sync/streams.ts';
import { waitForPosition } from '../../../src/projections/wait-for-position.ts';
import {
  postOnRecord,
  removeCommunityPost,
  startCommunityThread,
} from '../../../src/services/communities/discussions.ts';
import { listSyncConflicts, resolveSyncConflict } from '../../../src/services/sync/conflicts.ts';
import { entityStream } from '../../../src/services/sync/push/entity-stream.ts';
import { SyncBusy, withUserSyncLock } from '../../../src/services/sync/push/user-lock.ts';
import { createGroup } from '../../api/chat/conversation-support.ts';
import { createCommunity, joinCommunity } from '../../api/communities/community-support.ts';
import { type PublishedPath, publishedPath, RIGHT, WRONG } from '../../api/communities/progress-support.ts';
import { type IdentityApp, startIdentityApp } from '../../api/support/identity-app.ts';
import { registerAndSignIn, type TestUser } from '../../api/support/identity-operations.ts';
import {
  change,
  contextOf,
  minutesAgo,
  push,
  storeHead,
  syncDeps,
  valueField,
  versionOf,
} from './push-support.ts';

let api: IdentityApp;
let owner: TestUser;
let learner: TestUser;
let stranger: TestUser;
let poster: TestUser;
let communityId: string;
let path: PublishedPath;
const phone = randomUUID();
const laptop = randomUUID();

beforeAll(async () => {
  api = await startIdentityApp();
  owner = await registerAndSignIn(api, 'Olu Owner');
  learner = await registerAndSignIn(api, 'Lena Learner');
  stranger = await registerAndSignIn(api, 'Sam Stranger');
  poster = await registerAndSignIn(api, 'Pat Poster');
  communityId = (await createCommunity(api, owner)).id;
  await joinCommunity(api, learner, communityId);
  await joinCommunity(api, poster, communityId);
  path = await publishedPath(api, communityId, owner.id, 4, { maxAttempts: 10 });
}, 60_000);

afterAll(async () => {
  await api?.close();
});

const profileOf = (user: TestUser) => entityStream(userStream(user.id), userEventCatalogue);
const progressOf = (user: TestUser) =>
  entityStream(learningProgressStream(path.pathId, user.id), progressEventCatalogue);
const attemptsOf = (checkpointId: string, user: TestUser) =>
  entityStream(checkpointAttemptsStream(checkpointId, user.id), attemptEventCatalogue);
const postStream = (postId: string) => entityStream(communityPostStream(postId), communityPostEventCatalogue);

async function startThread(author: TestUser, body = 'How do leaves breathe?') {
  const { postId } = await startCommunityThread(syncDeps(api), contextOf(author), {
    communityId,
    title: 'Leaves',
    body,
  });
  return postId;
}

describe('profile.update (last write wins, field by field)', () => {
  it('applies a change made on the version the server holds', async () => {
    const base = await versionOf(api, profileOf(learner), 'profile', learner.id);
    const sent = change({
      type: 'profile.update',
      entityId: learner.id,
      baseVersion: base,
      clientTime: minutesAgo(60),
      payload: { bio: 'Botany student' },
    });
    const { outcomes, lastPosition, eventTypes } = await push(api, learner, phone, [sent]);
    expect(outcomes).toEqual([
      {
        changeId: sent.changeId,
        status: 'applied',
        version: await versionOf(api, profileOf(learner), 'profile', learner.id),
        value: { displayName: 'Lena Learner', bio: 'Botany student' },
      },
    ]);
    expect(lastPosition).not.toBeNull();
    expect(eventTypes).toEqual(['UserProfileChanged']);
  });

  it('merges per field: the later client time wins each field, the server keeps the rest', async () => {
    const base = await versionOf(api, profileOf(learner), 'profile', learner.id);
    // The laptop renames the learner now; the phone, offline since `base`, changed both fields earlier.
    const [renamed] = (
      await push(api, learner, laptop, [
        change({
          type: 'profile.update',
          entityId: learner.id,
          baseVersion: base,
          clientTime: minutesAgo(5),
          payload: { displayName: 'Lena L.' },
        }),
      ])
    ).outcomes;
    expect(renamed?.status).toBe('applied');
    const offline = change({
      type: 'profile.update',
      entityId: learner.id,
      baseVersion: base,
      clientTime: minutesAgo(10),
      payload: { displayName: 'Lena (phone)', bio: 'Plants and more' },
    });
    const [merged] = (await push(api, learner, phone, [offline])).outcomes;
    expect(merged?.version).toBeGreaterThan(renamed?.version as number);
    expect(merged).toMatchObject({
      status: 'merged',
      version: await versionOf(api, profileOf(learner), 'profile', learner.id),
      value: { displayName: 'Lena L.', bio: 'Plants and more' },
    });
    // Every field older than the server's: nothing stored, the server's value reported.
    const head = await storeHead(api);
    const stale = change({
      type: 'profile.update',
      entityId: learner.id,
      baseVersion: base,
      clientTime: minutesAgo(30),
      payload: { displayName: 'Old name' },
    });
    const [superseded] = (await push(api, learner, phone, [stale])).outcomes;
    expect(superseded).toMatchObject({ status: 'superseded', value: { displayName: 'Lena L.' } });
    expect(await storeHead(api)).toBe(head);
  });

  it("refuses someone else's profile as not found", async () => {
    const [outcome] = (
      await push(api, stranger, phone, [
        change({
          type: 'profile.update',
          entityId: learner.id,
          baseVersion: 0,
          payload: { bio: 'mine now' },
        }),
      ])
    ).outcomes;
    expect(outcome).toMatchObject({
      status: 'refused',
      error: { code: 'PROFILE_NOT_FOUND', category: 'NOT_FOUND' },
    });
  });
});

describe('module.progress (server wins as the maximum)', () => {
  it('advances, keeps the maximum against a lower offline value, and completes at 100', async () => {
    const moduleId = path.moduleIds[0] as string;
    const forty = change({
      type: 'module.progress',
      entityId: moduleId,
      baseVersion: -1,
      payload: { percent: 40 },
    });
    const [advanced] = (await push(api, learner, laptop, [forty])).outcomes;
    expect(advanced).toMatchObject({ status: 'applied', value: { percent: 40, completed: false } });
    const version = advanced?.version as number;
    expect(version).toBeGreaterThanOrEqual(0);

    const head = await storeHead(api);
    const thirty = change({
      type: 'module.progress',
      entityId: moduleId,
      baseVersion: -1,
      payload: { percent: 30 },
    });
    const [kept] = (await push(api, learner, phone, [thirty])).outcomes;
    expect(kept).toEqual({
      changeId: thirty.changeId,
      status: 'superseded',
      version,
      value: { percent: 40, completed: false },
    });
    expect(await storeHead(api)).toBe(head);

    const done = change({
      type: 'module.progress',
      entityId: moduleId,
      baseVersion: -1,
      payload: { percent: 100 },
    });
    const [completed] = (await push(api, learner, phone, [done])).outcomes;
    expect(completed).toMatchObject({ status: 'applied', value: { percent: 100, completed: true } });
    expect(await versionOf(api, progressOf(learner), 'moduleProgress', moduleId)).toBe(completed?.version);
  });

  it('refuses a module nobody published as not found', async () => {
    const [outcome] = (
      await push(api, learner, phone, [
        change({
          type: 'module.progress',
          entityId: randomUUID(),
          baseVersion: -1,
          payload: { percent: 10 },
        }),
      ])
    ).outcomes;
    expect(outcome).toMatchObject({
      status: 'refused',
      error: { code: 'MODULE_NOT_FOUND', category: 'NOT_FOUND' },
    });
  });
});

describe('checkpoint.answer (last write wins by client time; a pass is final)', () => {
  it('keeps the later attempt, lets a later one through, and never replaces a pass', async () => {
    const checkpointId = path.checkpointIds[0] as string;
    const first = change({
      type: 'checkpoint.answer',
      entityId: checkpointId,
      baseVersion: -1,
      clientTime: minutesAgo(20),
      payload: { answers: WRONG },
    });
    const [laptopAttempt] = (await push(api, learner, laptop, [first])).outcomes;
    expect(laptopAttempt).toMatchObject({
      status: 'applied',
      version: 0,
      value: { passed: false, attempts: 1 },
    });

    // Answered earlier on the phone, offline: the laptop's later attempt stands.
    const earlier = change({
      type: 'checkpoint.answer',
      entityId: checkpointId,
      baseVersion: -1,
      clientTime: minutesAgo(40),
      payload: { answers: RIGHT },
    });
    const [older] = (await push(api, learner, phone, [earlier])).outcomes;
    expect(older).toMatchObject({
      status: 'superseded',
      version: 0,
      value: { attemptId: valueField(laptopAttempt, 'attemptId') },
    });
    expect(
      await readStreamOrEmpty(api.runtime.store, checkpointAttemptsStream(checkpointId, learner.id)),
    ).toHaveLength(1);

    // Answered later (and passed): it wins.
    const later = change({
      type: 'checkpoint.answer',
      entityId: checkpointId,
      baseVersion: -1,
      clientTime: minutesAgo(10),
      payload: { answers: RIGHT },
    });
    const [passed] = (await push(api, learner, phone, [later])).outcomes;
    expect(passed).toMatchObject({ status: 'applied', value: { passed: true, attempts: 2 } });

    // A pass is final: a still later failing attempt from a device that never saw it is superseded.
    const afterPass = change({
      type: 'checkpoint.answer',
      entityId: checkpointId,
      baseVersion: 0,
      clientTime: minutesAgo(2),
      payload: { answers: WRONG },
    });
    const [final] = (await push(api, learner, laptop, [afterPass])).outcomes;
    expect(final).toMatchObject({ status: 'superseded', value: { passed: true } });
    expect(await versionOf(api, attemptsOf(checkpointId, learner), 'checkpointAnswer', checkpointId)).toBe(
      passed?.version,
    );
  });
});

describe('community actions (server wins, with a notice)', () => {
  it('joins and leaves through the membership use cases', async () => {
    const other = await createCommunity(api, owner);
    const [joined] = (
      await push(api, stranger, phone, [
        change({ type: 'community.join', entityId: other.id, baseVersion: -1, payload: {} }),
      ])
    ).outcomes;
    expect(joined).toMatchObject({ status: 'applied', version: 0, value: { status: 'member' } });
    const [left] = (
      await push(api, stranger, phone, [
        change({ type: 'community.leave', entityId: other.id, baseVersion: 0, payload: {} }),
      ])
    ).outcomes;
    expect(left).toMatchObject({ status: 'applied', version: 1, value: { status: 'left' } });
  });

  it('replies, and marks a reply helpful', async () => {
    const threadId = await startThread(owner);
    const base = await versionOf(api, postStream(threadId), 'communityPost', threadId);
    const [replied] = (
      await push(api, learner, phone, [
        change({
          type: 'community.reply',
          entityId: threadId,
          baseVersion: base,
          payload: { body: 'Through stomata.' },
        }),
      ])
    ).outcomes;
    expect(replied).toMatchObject({ status: 'applied', version: 0, value: { body: 'Through stomata.' } });
    const replyId = valueField(replied, 'id');
    expect((await postOnRecord(syncDeps(api), replyId))?.authorId).toBe(learner.id);

    const [marked] = (
      await push(api, owner, laptop, [
        change({ type: 'community.markHelpful', entityId: replyId, baseVersion: 0, payload: {} }),
      ])
    ).outcomes;
    expect(marked).toMatchObject({ status: 'applied', version: 1 });
    expect((await postOnRecord(syncDeps(api), replyId))?.helpful).toBe(true);
  });

  it('overrules a reply to a thread a moderator removed meanwhile: superseded, recorded, notified', async () => {
    const threadId = await startThread(poster, 'Anything off-topic goes here');
    const seen = await versionOf(api, postStream(threadId), 'communityPost', threadId);
    await removeCommunityPost(syncDeps(api), contextOf(owner), { postId: threadId, reason: 'Off-topic' });

    // Without a conflict (the device had seen the removal) the refusal stays one.
    const current = await versionOf(api, postStream(threadId), 'communityPost', threadId);
    const [refused] = (
      await push(api, learner, phone, [
        change({
          type: 'community.reply',
          entityId: threadId,
          baseVersion: current,
          payload: { body: 'Late reply' },
        }),
      ])
    ).outcomes;
    expect(refused).toMatchObject({
      status: 'refused',
      error: { code: 'THREAD_REMOVED', category: 'CONFLICT' },
    });

    const offline = change({
      type: 'community.reply',
      entityId: threadId,
      baseVersion: seen,
      payload: { body: 'Written on the train' },
    });
    const result = await push(api, learner, phone, [offline]);
    expect(result.outcomes).toEqual([
      {
        changeId: offline.changeId,
        status: 'superseded',
        version: current,
        value: { title: null, body: null, status: 'removed' },
      },
    ]);
    expect(result.eventTypes).toEqual(['SyncChangeOverruled']);
    const conflicts = await readStreamOrEmpty(api.runtime.store, syncConflictsStream(learner.id));
    expect(conflicts.map((e) => [e.type, (e.data as { changeId: string }).changeId])).toContainEqual([
      'SyncChangeOverruled',
      offline.changeId,
    ]);
    const { rows } = await api.runtime.pool.query<{ type: string }>(
      'select type from notification_inbox where recipient_id = $1',
      [learner.id],
    );
    expect(rows.map((row) => row.type)).toContain('sync_change_overruled');
  });
});

describe('post.edit (manual resolution)', () => {
  async function queuedEdit(body: string) {
    const postId = await startThread(learner, 'First words');
    const base = await versionOf(api, postStream(postId), 'communityPost', postId);
    const [edited] = (
      await push(api, learner, laptop, [
        change({
          type: 'post.edit',
          entityId: postId,
          baseVersion: base,
          payload: { title: 'Leaves', body: 'Laptop words' },
        }),
      ])
    ).outcomes;
    expect(edited).toMatchObject({ status: 'applied', version: base + 1, value: { body: 'Laptop words' } });
    const offline = change({
      type: 'post.edit',
      entityId: postId,
      baseVersion: base,
      payload: { title: 'Leaves', body },
    });
    const head = await storeHead(api);
    const [queued] = (await push(api, learner, phone, [offline])).outcomes;
    expect(queued).toMatchObject({ status: 'queued', version: base + 1, value: { body: 'Laptop words' } });
    expect((await postOnRecord(syncDeps(api), postId))?.body).toBe('Laptop words');
    // Only the conflict was stored, nothing on the post.
    const after = await api.runtime.store.readAll({ fromPosition: head + 1n });
    expect(after.map((e) => e.type)).toEqual(['SyncConflictQueued']);
    return { postId, conflictId: queued?.conflictId as string };
  }

  it('queues an edit of a post that moved on; KEEP_DEVICE writes the device words back', async () => {
    const { postId, conflictId } = await queuedEdit('Phone words');
    const [open] = (
      await listSyncConflicts(api.runtime.pool, learner.id, { status: 'open', first: 10 })
    ).nodes.filter((node) => node.conflictId === conflictId);
    expect(open).toMatchObject({
      changeType: 'post.edit',
      entityId: postId,
      deviceId: phone,
      communityId,
      deviceValue: { title: 'Leaves', body: 'Phone words' },
      serverValue: { body: 'Laptop words', status: 'active' },
      status: 'open',
    });
    const resolved = await resolveSyncConflict(syncDeps(api), contextOf(learner), {
      conflictId,
      resolution: 'KEEP_DEVICE',
    });
    expect(resolved).toMatchObject({ conflictId, status: 'resolved', resolution: 'kept_device' });
    expect((await postOnRecord(syncDeps(api), postId))?.body).toBe('Phone words');
    await expect(
      resolveSyncConflict(syncDeps(api), contextOf(learner), { conflictId, resolution: 'KEEP_SERVER' }),
    ).rejects.toMatchObject({ code: 'CONFLICT', reason: 'SYNC_CONFLICT_ALREADY_RESOLVED' });
  });

  it('KEEP_SERVER records the decision only; EDIT writes the merge the person typed', async () => {
    const kept = await queuedEdit('Phone words, kept server');
    const resolveKept = {
      conflictId: kept.conflictId,
      resolution: 'KEEP_SERVER',
      idempotencyKey: `resolve-${kept.conflictId}`,
    };
    const once = await resolveSyncConflict(syncDeps(api), contextOf(learner), resolveKept);
    // Retried with its key (the answer was lost): the same answer, nothing recorded twice.
    const head = await storeHead(api);
    expect(await resolveSyncConflict(syncDeps(api), contextOf(learner), resolveKept)).toEqual(once);
    expect(await storeHead(api)).toBe(head);
    expect((await postOnRecord(syncDeps(api), kept.postId))?.body).toBe('Laptop words');

    const edited = await queuedEdit('Phone words, to merge');
    await resolveSyncConflict(syncDeps(api), contextOf(learner), {
      conflictId: edited.conflictId,
      resolution: 'EDIT',
      title: 'Leaves, merged',
      body: 'Laptop and phone words',
    });
    const post = await postOnRecord(syncDeps(api), edited.postId);
    expect([post?.title, post?.body]).toEqual(['Leaves, merged', 'Laptop and phone words']);
  });

  it('lists conflicts newest first, a page at a time, of one status or all', async () => {
    const queued = [
      await queuedEdit('Page one'),
      await queuedEdit('Page two'),
      await queuedEdit('Page three'),
    ];
    await resolveSyncConflict(syncDeps(api), contextOf(learner), {
      conflictId: queued[0]?.conflictId,
      resolution: 'KEEP_SERVER',
    });
    await waitForPosition(api.runtime.pool, api.runtime.bus, await storeHead(api), { timeoutMs: 5_000 });
    const { pool } = api.runtime;
    const all = await listSyncConflicts(pool, learner.id, { first: 100 });
    const ids = all.nodes.map((node) => node.conflictId);
    expect(ids.indexOf(queued[2]?.conflictId as string)).toBeLessThan(
      ids.indexOf(queued[1]?.conflictId as string),
    );

    const seen: string[] = [];
    let after: string | null = null;
    do {
      const page = await listSyncConflicts(pool, learner.id, { first: 2, after });
      expect(page.nodes.length).toBeLessThanOrEqual(2);
      seen.push(...page.nodes.map((node) => node.conflictId));
      after = page.pageInfo.hasNextPage ? page.pageInfo.endCursor : null;
    } while (after !== null);
    expect(seen).toEqual(ids);

    const resolved = await listSyncConflicts(pool, learner.id, { status: 'resolved', first: 100 });
    expect(resolved.nodes.every((node) => node.status === 'resolved' && node.resolvedAt !== null)).toBe(true);
    expect(resolved.nodes.map((node) => node.conflictId)).toContain(queued[0]?.conflictId);
    const open = await listSyncConflicts(pool, learner.id, { status: 'open', first: 100 });
    expect(open.nodes.map((node) => node.conflictId)).not.toContain(queued[0]?.conflictId);
    expect((await listSyncConflicts(pool, stranger.id, { first: 100 })).nodes).toEqual([]);
    await expect(
      listSyncConflicts(pool, learner.id, { first: 2, after: 'not-a-cursor' }),
    ).rejects.toMatchObject({
      code: 'VALIDATION',
      reason: 'INVALID_CURSOR',
    });
  });

  it("reads someone else's conflict and someone else's post as not found", async () => {
    const { conflictId, postId } = await queuedEdit('Phone words, not for others');
    await expect(
      resolveSyncConflict(syncDeps(api), contextOf(stranger), { conflictId, resolution: 'KEEP_SERVER' }),
    ).rejects.toMatchObject({ code: 'NOT_FOUND', reason: 'SYNC_CONFLICT_NOT_FOUND' });
    await joinCommunity(api, stranger, communityId);
    const [outcome] = (
      await push(api, stranger, phone, [
        change({ type: 'post.edit', entityId: postId, baseVersion: 0, payload: { body: 'Hijacked' } }),
      ])
    ).outcomes;
    expect(outcome).toMatchObject({
      status: 'refused',
      error: { code: 'POST_NOT_FOUND', category: 'NOT_FOUND' },
    });
    expect(await readStreamOrEmpty(api.runtime.store, syncConflictsStream(stranger.id))).toHaveLength(0);
  });
});

describe('chat.message (append only)', () => {
  it('appends a message written offline', async () => {
    const conversation = await createGroup(api, owner, [learner]);
    const sent = change({
      type: 'chat.message',
      entityId: conversation.id,
      baseVersion: -1,
      payload: { text: 'Sent from the bus' },
    });
    const [outcome] = (await push(api, learner, phone, [sent])).outcomes;
    expect(outcome).toMatchObject({
      status: 'applied',
      version: 0,
      value: { text: 'Sent from the bus', status: 'active' },
    });
    expect(valueField(outcome, 'id')).toMatch(/^[0-9a-f-]{36}$/);
  });
});

describe('retries', () => {
  it('answers a retried push with the same outcomes and stores nothing twice', async () => {
    const conversation = await createGroup(api, owner, [learner]);
    const moduleId = path.moduleIds[1] as string;
    const checkpointId = path.checkpointIds[1] as string;
    const profileBase = await versionOf(api, profileOf(learner), 'profile', learner.id);
    const batch = [
      change({
        type: 'profile.update',
        entityId: learner.id,
        baseVersion: profileBase,
        payload: { bio: 'Retried bio' },
      }),
      change({ type: 'module.progress', entityId: moduleId, baseVersion: -1, payload: { percent: 55 } }),
      change({
        type: 'checkpoint.answer',
        entityId: checkpointId,
        baseVersion: -1,
        payload: { answers: WRONG },
      }),
      change({
        type: 'chat.message',
        entityId: conversation.id,
        baseVersion: -1,
        payload: { text: 'Once only' },
      }),
      change({
        type: 'community.reply',
        entityId: randomUUID(),
        baseVersion: -1,
        payload: { body: 'Nowhere' },
      }),
    ];
    const first = await push(api, learner, phone, batch);
    expect(first.outcomes.map((o) => o.status)).toEqual([
      'applied',
      'applied',
      'applied',
      'applied',
      'refused',
    ]);
    const head = await storeHead(api);

    const again = await push(api, learner, phone, batch);
    expect(again.outcomes).toEqual(first.outcomes);
    expect(again.lastPosition).toBeNull();
    expect(await storeHead(api)).toBe(head);

    // The receipts keep no one's words (erasure could not reach them there), only where to read them.
    const { rows: receipts } = await api.runtime.pool.query<{ outcome: Record<string, unknown> }>(
      'select outcome from sync_receipts where user_id = $1 and change_id = any($2)',
      [learner.id, batch.map((c) => c.changeId)],
    );
    expect(receipts).toHaveLength(batch.length);
    for (const { outcome } of receipts) {
      expect(outcome).not.toHaveProperty('value');
      expect(JSON.stringify(outcome)).not.toMatch(/Once only|Retried bio/);
    }

    // The receipts lost (a crash after the changes were stored, before their receipts were): the
    // changes are recognised on their entities and by their idempotency keys, and stored once.
    await api.runtime.pool.query('delete from sync_receipts where user_id = $1', [learner.id]);
    const recovered = await push(api, learner, phone, batch);
    expect(recovered.outcomes.map((o) => [o.status, o.version])).toEqual(
      first.outcomes.map((o) => [o.status, o.version]),
    );
    expect(valueField(recovered.outcomes[3], 'id')).toBe(valueField(first.outcomes[3], 'id'));
    expect(await storeHead(api)).toBe(head);
  });

  it('refuses a change id used again with other content', async () => {
    const sent = change({
      type: 'module.progress',
      entityId: path.moduleIds[2] as string,
      baseVersion: -1,
      payload: { percent: 20 },
    });
    expect((await push(api, learner, phone, [sent])).outcomes[0]?.status).toBe('applied');
    const [reused] = (await push(api, learner, laptop, [{ ...sent, payload: { percent: 90 } }])).outcomes;
    expect(reused).toEqual({
      changeId: sent.changeId,
      status: 'refused',
      error: {
        code: 'CHANGE_ID_REUSED',
        category: 'VALIDATION',
        message: expect.any(String),
      },
    });
  });

  it('reports a change the orchestrator found invalid as refused, and goes on with the rest', async () => {
    const deps = syncDeps(api);
    const { pushChanges } = await import('../../../src/services/sync/push/push.ts');
    const result = await pushChanges(deps, contextOf(learner), {
      userId: learner.id,
      deviceId: phone,
      changes: [
        {
          changeId: 'bad-change-1',
          invalid: { code: 'INVALID_PAYLOAD', category: 'VALIDATION', message: 'percent: too big' },
        },
      ],
    });
    expect(result.outcomes).toEqual([
      {
        changeId: 'bad-change-1',
        status: 'refused',
        error: { code: 'INVALID_PAYLOAD', category: 'VALIDATION', message: 'percent: too big' },
      },
    ]);
  });
});

describe('the per-person sync lock', () => {
  it('answers SYNC_BUSY while another sync of the same person runs, and lets other people through', async () => {
    const { pool } = api.runtime;
    let release: () => void = () => {};
    const held = new Promise<void>((resolve) => {
      release = resolve;
    });
    let entered: () => void = () => {};
    const inside = new Promise<void>((resolve) => {
      entered = resolve;
    });
    const first = withUserSyncLock(pool, learner.id, async () => {
      entered();
      await held;
      return 'first';
    });
    await inside;
    const busy = await withUserSyncLock(pool, learner.id, async () => 'second', { timeoutMs: 200 }).catch(
      (e: unknown) => e,
    );
    expect(busy).toBeInstanceOf(SyncBusy);
    expect((busy as SyncBusy).extensions).toMatchObject({ code: 'UNAVAILABLE', reason: 'SYNC_BUSY' });
    expect(busy).not.toBeInstanceOf(DomainError);
    expect(await withUserSyncLock(pool, stranger.id, async () => 'other person', { timeoutMs: 200 })).toBe(
      'other person',
    );
    release();
    expect(await first).toBe('first');
    expect(await withUserSyncLock(pool, learner.id, async () => 'after', { timeoutMs: 200 })).toBe('after');
  });
});
