import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readStreamOrEmpty } from '../../../src/commands/load-aggregate.ts';
import { communityPostEventCatalogue } from '../../../src/domain/communities/post-events.ts';
import {
  checkpointAttemptsStream,
  communityMemberStream,
  communityPostStream,
} from '../../../src/domain/communities/streams.ts';
import { userStream } from '../../../src/domain/identity/streams.ts';
import { userEventCatalogue } from '../../../src/domain/identity/user-events.ts';
import { syncConflictsStream } from '../../../src/domain/sync/streams.ts';
import { postOnRecord, startCommunityThread } from '../../../src/services/communities/discussions.ts';
import { leaveCommunity } from '../../../src/services/communities/memberships.ts';
import { entityStream } from '../../../src/services/sync/push/entity-stream.ts';
import { createCommunity, joinCommunity } from '../../api/communities/community-support.ts';
import { publishedPath, RIGHT, WRONG } from '../../api/communities/progress-support.ts';
import { type IdentityApp, startIdentityApp } from '../../api/support/identity-app.ts';
import { registerAndSignIn, type TestUser } from '../../api/support/identity-operations.ts';
import { change, contextOf, minutesAgo, push, syncDeps, versionOf } from './push-support.ts';

let api: IdentityApp;
let owner: TestUser;
let learner: TestUser;
let communityId: string;
const phone = randomUUID();

beforeAll(async () => {
  api = await startIdentityApp();
  owner = await registerAndSignIn(api, 'Olu Owner');
  learner = await registerAndSignIn(api, 'Lena Learner');
  communityId = (await createCommunity(api, owner)).id;
  await joinCommunity(api, learner, communityId);
}, 60_000);

afterAll(async () => {
  await api?.close();
});

const postStream = (postId: string) => entityStream(communityPostStream(postId), communityPostEventCatalogue);
const profileOf = (user: TestUser) => entityStream(userStream(user.id), userEventCatalogue);
const conflictEvents = async (user: TestUser) =>
  (await readStreamOrEmpty(api.runtime.store, syncConflictsStream(user.id))).map((event) => event.type);

/** A crash between a change's events and its receipt: the receipt is gone, the events stay. */
async function loseReceipt(user: TestUser, changeId: string) {
  await api.runtime.pool.query('delete from sync_receipts where user_id = $1 and change_id = $2', [
    user.id,
    changeId,
  ]);
}

describe("a batch's own earlier changes are not a conflict", () => {
  it('applies a post edited twice offline in one sync, queuing nothing', async () => {
    const { postId } = await startCommunityThread(syncDeps(api), contextOf(learner), {
      communityId,
      title: 'Leaves',
      body: 'First words',
    });
    const base = await versionOf(api, postStream(postId), 'communityPost', postId);
    const edit = (body: string) =>
      change({ type: 'post.edit', entityId: postId, baseVersion: base, payload: { title: 'Leaves', body } });
    const { outcomes } = await push(api, learner, phone, [edit('Second words'), edit('Third words')]);
    expect(outcomes.map((outcome) => outcome.status)).toEqual(['applied', 'applied']);
    expect(outcomes[1]).toMatchObject({ version: base + 2, value: { body: 'Third words' } });
    expect((await postOnRecord(syncDeps(api), postId))?.body).toBe('Third words');
    expect(await conflictEvents(learner)).not.toContain('SyncConflictQueued');
  });

  it("counts an edit settled by an earlier, interrupted try of the same batch as the batch's own", async () => {
    const { postId } = await startCommunityThread(syncDeps(api), contextOf(learner), {
      communityId,
      title: 'Bark',
      body: 'First words',
    });
    const base = await versionOf(api, postStream(postId), 'communityPost', postId);
    const edit = (body: string) =>
      change({ type: 'post.edit', entityId: postId, baseVersion: base, payload: { body } });
    const batch = [edit('Second words'), edit('Third words')];
    // The first try stopped after its first change (the lock was lost); the retry sends both.
    await push(api, learner, phone, batch.slice(0, 1));
    const { outcomes } = await push(api, learner, phone, batch);
    expect(outcomes.map((outcome) => outcome.status)).toEqual(['applied', 'applied']);
    expect((await postOnRecord(syncDeps(api), postId))?.body).toBe('Third words');
  });

  it('rebases a retried batch from what its first try met, not from the base the device sent', async () => {
    const base = await versionOf(api, profileOf(learner), 'profile', learner.id);
    const tablet = randomUUID();
    const profile = (payload: Record<string, unknown>, clientTime: string) =>
      change({ type: 'profile.update', entityId: learner.id, baseVersion: base, clientTime, payload });
    const bio = profile({ bio: 'Phone bio' }, minutesAgo(30));
    const name = profile({ displayName: 'Phone name' }, minutesAgo(20));
    // The tablet's later name lands first; then the phone's try stops after its bio (which wins
    // its field), and the retry sends both: the phone's older name must still lose to the tablet's.
    await push(api, learner, tablet, [profile({ displayName: 'Tablet name' }, minutesAgo(10))]);
    await push(api, learner, phone, [bio]);
    const { outcomes } = await push(api, learner, phone, [bio, name]);
    expect(outcomes.map((outcome) => outcome.status)).toEqual(['applied', 'superseded']);
    expect(outcomes[1]).toMatchObject({ value: { displayName: 'Tablet name', bio: 'Phone bio' } });
  });

  it('applies a bio edited twice offline in one sync: the second edit stands', async () => {
    const base = await versionOf(api, profileOf(learner), 'profile', learner.id);
    const at = minutesAgo(10);
    const bio = (text: string) =>
      change({
        type: 'profile.update',
        entityId: learner.id,
        baseVersion: base,
        clientTime: at,
        payload: { bio: text },
      });
    // Both at the same device time (a clock that ticks in seconds): as a conflict, the tie would go
    // to the first edit and supersede the second.
    const { outcomes } = await push(api, learner, phone, [bio('Botany'), bio('Botany and soil')]);
    expect(outcomes.map((outcome) => outcome.status)).toEqual(['applied', 'applied']);
    expect(outcomes[1]).toMatchObject({ value: { bio: 'Botany and soil' } });
  });

  it("keeps a checkpoint's pass final within a batch: a later attempt is superseded by it", async () => {
    const path = await publishedPath(api, communityId, owner.id, 1, { maxAttempts: 10 });
    const checkpointId = path.checkpointIds[0] as string;
    const answer = (answers: typeof RIGHT, minutes: number) =>
      change({
        type: 'checkpoint.answer',
        entityId: checkpointId,
        baseVersion: -1,
        clientTime: minutesAgo(minutes),
        payload: { answers },
      });
    const { outcomes } = await push(api, learner, phone, [
      answer(WRONG, 30),
      answer(RIGHT, 20),
      answer(WRONG, 10),
    ]);
    expect(outcomes.map((outcome) => outcome.status)).toEqual(['applied', 'applied', 'superseded']);
    expect(outcomes[2]).toMatchObject({ value: { passed: true, attempts: 2 } });
  });

  it('still queues when someone else edited between the batch and what the device saw', async () => {
    const { postId } = await startCommunityThread(syncDeps(api), contextOf(learner), {
      communityId,
      title: 'Roots',
      body: 'First words',
    });
    const base = await versionOf(api, postStream(postId), 'communityPost', postId);
    // Another device of the same person edits first, in a sync of its own.
    await push(api, learner, randomUUID(), [
      change({ type: 'post.edit', entityId: postId, baseVersion: base, payload: { body: 'Laptop words' } }),
    ]);
    const edit = (body: string) =>
      change({ type: 'post.edit', entityId: postId, baseVersion: base, payload: { body } });
    const { outcomes } = await push(api, learner, phone, [edit('Phone one'), edit('Phone two')]);
    expect(outcomes.map((outcome) => outcome.status)).toEqual(['queued', 'queued']);
  });
});

describe('retries after a crash between the events and the receipt', () => {
  it('recognises a checkpoint attempt by its id when the retry clamps to a later time', async () => {
    const path = await publishedPath(api, communityId, owner.id, 1, { maxAttempts: 10 });
    const checkpointId = path.checkpointIds[0] as string;
    const sent = change({
      type: 'checkpoint.answer',
      entityId: checkpointId,
      baseVersion: -1,
      clientTime: new Date(Date.now() - 1_000).toISOString(),
      payload: { answers: WRONG },
    });
    const [first] = (await push(api, learner, phone, [sent])).outcomes;
    expect(first).toMatchObject({ status: 'applied', value: { attempts: 1 } });
    await loseReceipt(learner, sent.changeId);
    // The device's time was in the future both times: each arrival clamps it to its own "now".
    const [retried] = (await push(api, learner, phone, [{ ...sent, clientTime: new Date().toISOString() }]))
      .outcomes;
    expect(retried).toMatchObject({ status: 'applied', value: { attempts: 1 } });
    expect(
      await readStreamOrEmpty(api.runtime.store, checkpointAttemptsStream(checkpointId, learner.id)),
    ).toHaveLength(1);
  });

  it('does not join again a community left online after the join was stored', async () => {
    const other = (await createCommunity(api, owner)).id;
    const join = change({ type: 'community.join', entityId: other, baseVersion: -1, payload: {} });
    const [joined] = (await push(api, learner, phone, [join])).outcomes;
    expect(joined).toMatchObject({ status: 'applied', value: { status: 'member' } });
    await loseReceipt(learner, join.changeId);
    await leaveCommunity(syncDeps(api), contextOf(learner), { communityId: other });
    const [retried] = (await push(api, learner, phone, [join])).outcomes;
    expect(retried).toMatchObject({ status: 'applied', value: { status: 'left' } });
    const events = await readStreamOrEmpty(api.runtime.store, communityMemberStream(other, learner.id));
    expect(events.map((event) => event.type)).toEqual(['CommunityMemberJoined', 'CommunityMemberLeft']);
  });
});

describe('refusals after a conflict', () => {
  it('keeps a validation refusal a refusal: nothing overruled, nobody notified', async () => {
    const { postId } = await startCommunityThread(syncDeps(api), contextOf(owner), {
      communityId,
      title: 'Stems',
      body: 'Why are stems green?',
    });
    // The device never saw the thread (baseVersion -1): a conflict. Marking a thread is invalid.
    const [refused] = (
      await push(api, owner, phone, [
        change({ type: 'community.markHelpful', entityId: postId, baseVersion: -1, payload: {} }),
      ])
    ).outcomes;
    expect(refused).toMatchObject({
      status: 'refused',
      error: { code: 'NOT_A_REPLY', category: 'VALIDATION' },
    });
    expect(await conflictEvents(owner)).not.toContain('SyncChangeOverruled');
  });
});

describe('receipts', () => {
  it("drops a person's receipts older than 30 days when they sync, and keeps the rest", async () => {
    const insert = (changeId: string, days: number) =>
      api.runtime.pool.query(
        `insert into sync_receipts (user_id, change_id, device_id, fingerprint, outcome, created_at)
         values ($1, $2, $3, 'f', '{}'::jsonb, now() - make_interval(days => $4))`,
        [learner.id, changeId, phone, days],
      );
    await insert('old-receipt', 31);
    await insert('recent-receipt', 29);
    await push(api, learner, phone, []);
    const { rows } = await api.runtime.pool.query<{ change_id: string }>(
      `select change_id from sync_receipts where user_id = $1 and change_id like '%-receipt' order by change_id`,
      [learner.id],
    );
    expect(rows.map((row) => row.change_id)).toEqual(['recent-receipt']);
  });
});
