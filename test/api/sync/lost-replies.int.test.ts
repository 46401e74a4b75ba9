import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { communityMemberStream, communityPostStream } from '../../../src/domain/communities/streams.ts';
import { deviceStream } from '../../../src/domain/notifications/streams.ts';
import { startCommunityThread } from '../../../src/services/communities/discussions.ts';
import { withUserSyncLock } from '../../../src/services/sync/push/user-lock.ts';
import { contextOf, syncDeps } from '../../services/sync/push-support.ts';
import { createCommunity, joinCommunity } from '../communities/community-support.ts';
import { errorCodes, fieldOf, type IdentityApp, startIdentityApp } from '../support/identity-app.ts';
import { registerAndSignIn, type TestUser } from '../support/identity-operations.ts';
import {
  feedPast,
  profileChange,
  pushSubscription,
  registerSyncDevice,
  SYNC,
  type SyncPayloadView,
  syncOf,
  UNREGISTER_DEVICE,
} from './sync-support.ts';

let api: IdentityApp;

beforeAll(async () => {
  api = await startIdentityApp();
});
afterAll(() => api.close());

/** A device of `user` whose first snapshot is done: its cursor pulls. */
async function seededDevice(user: TestUser, subscription = pushSubscription()) {
  const deviceId = await registerSyncDevice(api, user.accessToken, subscription);
  const reply = await syncOf(api, user.accessToken, { deviceId });
  expect(reply.reseed).toEqual({ reason: 'NEW_DEVICE', nextSnapshotToken: null });
  return { deviceId, cursor: reply.cursor };
}

const holds = (reply: SyncPayloadView, entityType: string, entityId: string) =>
  reply.changes.some((record) => record.entityType === entityType && record.entityId === entityId);

describe('a sync reply lost on the way', () => {
  it('a lost one-page SCOPE_CHANGED snapshot is sent again to the retry from the old cursor; once stored, the pull goes on', async () => {
    const owner = await registerAndSignIn(api, 'Omar Owner');
    const ana = await registerAndSignIn(api, 'Ana Lost');
    const communityId = (await createCommunity(api, owner)).id;
    const { postId } = await startCommunityThread(syncDeps(api), contextOf(owner), {
      communityId,
      title: 'Older than her cursor',
      body: 'Written before Ana joined',
    });
    await feedPast(api, [communityPostStream(postId)]);
    const phone = await seededDevice(ana);
    // The post is at or before the phone's cursor: only a snapshot brings it to the phone.
    const post = await api.runtime.store.readStream(communityPostStream(postId));
    expect(post.at(-1)?.position).toBeLessThanOrEqual(BigInt(phone.cursor));

    await joinCommunity(api, ana, communityId);
    await feedPast(api, [communityMemberStream(communityId, ana.id)]);
    const lost = await syncOf(api, ana.accessToken, { deviceId: phone.deviceId, cursor: phone.cursor });
    expect(lost.reseed).toEqual({ reason: 'SCOPE_CHANGED', nextSnapshotToken: null });
    expect(holds(lost, 'communityPost', postId)).toBe(true);

    // The reply never arrived: the phone sends what it sent before.
    const retry = await syncOf(api, ana.accessToken, { deviceId: phone.deviceId, cursor: phone.cursor });
    expect(retry.reseed).toEqual({ reason: 'SCOPE_CHANGED', nextSnapshotToken: null });
    expect(holds(retry, 'communityPost', postId)).toBe(true);
    expect(holds(retry, 'membership', communityId)).toBe(true);
    expect(BigInt(retry.cursor)).toBeGreaterThanOrEqual(BigInt(lost.cursor));

    // This one arrived: its cursor pulls from there, and so does the one after.
    const pulled = await syncOf(api, ana.accessToken, { deviceId: phone.deviceId, cursor: retry.cursor });
    expect(pulled.reseed).toBeNull();
    const next = await syncOf(api, ana.accessToken, {
      deviceId: phone.deviceId,
      cursor: pulled.cursor,
      changes: [profileChange(ana.id, { bio: 'seeded at last' }, { baseVersion: 0 })],
    });
    expect(next.reseed).toBeNull();
    expect(next.outcomes[0]).toMatchObject({ status: 'APPLIED' });
  });

  it('a lost NEW_DEVICE snapshot of a device registered again is sent again to its old cursor', async () => {
    const ana = await registerAndSignIn(api, 'Ana Again');
    const subscription = pushSubscription();
    const laptop = await seededDevice(ana, subscription);
    fieldOf(
      await api.gql(UNREGISTER_DEVICE, { deviceId: laptop.deviceId }, ana.accessToken),
      'unregisterDevice',
    );
    expect(await registerSyncDevice(api, ana.accessToken, subscription)).toBe(laptop.deviceId);

    const lost = await syncOf(api, ana.accessToken, { deviceId: laptop.deviceId, cursor: laptop.cursor });
    expect(lost.reseed).toEqual({ reason: 'NEW_DEVICE', nextSnapshotToken: null });
    // The feed past the registration: the snapshot now starts after the old cursor, so a device
    // that stores it is told apart from one that lost it.
    await feedPast(api, [deviceStream(laptop.deviceId)]);
    const retry = await syncOf(api, ana.accessToken, { deviceId: laptop.deviceId, cursor: laptop.cursor });
    expect(retry.reseed).toEqual({ reason: 'NEW_DEVICE', nextSnapshotToken: null });
    expect(holds(retry, 'profile', ana.id)).toBe(true);
    expect(BigInt(retry.cursor)).toBeGreaterThan(BigInt(laptop.cursor));
    const pulled = await syncOf(api, ana.accessToken, { deviceId: laptop.deviceId, cursor: retry.cursor });
    expect(pulled.reseed).toBeNull();
  });
});

describe('two syncs of one person at once', () => {
  it('the one that cannot get the person`s sync lock in time is UNAVAILABLE SYNC_BUSY, in both forms, storing nothing', async () => {
    const ana = await registerAndSignIn(api, 'Ana Busy');
    const phone = await seededDevice(ana);
    const change = profileChange(ana.id, { bio: 'pushed while another sync ran' }, { baseVersion: 0 });
    const input = { deviceId: phone.deviceId, cursor: phone.cursor, changes: [change] };
    // The first sync holds the lock (as pushChanges runs under it) for longer than the wait.
    const [graphql, ndjson] = await withUserSyncLock(api.runtime.pool, ana.id, () =>
      Promise.all([
        api.gql(SYNC, { input }, ana.accessToken),
        api.app.inject({
          method: 'POST',
          url: '/sync',
          headers: { 'content-type': 'application/x-ndjson', authorization: `Bearer ${ana.accessToken}` },
          payload: [{ deviceId: phone.deviceId, cursor: phone.cursor }, change]
            .map((line) => JSON.stringify(line))
            .join('\n'),
        }),
      ]),
    );
    expect(errorCodes(graphql)).toEqual(['UNAVAILABLE/SYNC_BUSY']);
    expect(graphql.errors?.[0]?.extensions).toMatchObject({ retryable: true });
    expect(ndjson.statusCode).toBe(503);
    expect(JSON.parse(ndjson.body)).toMatchObject({ error: { code: 'UNAVAILABLE', reason: 'SYNC_BUSY' } });
    const { rows } = await api.runtime.pool.query('select 1 from sync_receipts where change_id = $1', [
      change.changeId,
    ]);
    expect(rows).toEqual([]);

    // The lock gone, the same request goes through.
    const again = await syncOf(api, ana.accessToken, input);
    expect(again.outcomes[0]).toMatchObject({ changeId: change.changeId, status: 'APPLIED' });
  }, 60_000);
});
