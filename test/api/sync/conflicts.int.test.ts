import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { communityPostStream } from '../../../src/domain/communities/streams.ts';
import { syncConflictsStream } from '../../../src/domain/sync/streams.ts';
import { startCommunityThread } from '../../../src/services/communities/discussions.ts';
import { contextOf, syncDeps } from '../../services/sync/push-support.ts';
import { createCommunity, joinCommunity } from '../communities/community-support.ts';
import { errorCodes, fieldOf, type IdentityApp, startIdentityApp } from '../support/identity-app.ts';
import { registerAndSignIn, type TestUser } from '../support/identity-operations.ts';
import { feedPast, minutesAgo, registerSyncDevice, type SyncPayloadView, syncOf } from './sync-support.ts';

let api: IdentityApp;

beforeAll(async () => {
  api = await startIdentityApp();
});
afterAll(() => api.close());

const CONFLICTS = `query ($status: SyncConflictStatus, $first: Int, $after: String) {
  mySyncConflicts(status: $status, first: $first, after: $after) {
    nodes { id changeId changeType entityId deviceId status deviceValue serverValue queuedAt resolvedAt resolution }
    edges { cursor node { id } }
    pageInfo { hasNextPage endCursor }
  }
}`;
const RESOLVE = `mutation ($input: ResolveSyncConflictInput!) {
  resolveSyncConflict(input: $input) { id status resolution resolvedAt deviceValue }
}`;

interface Device {
  id: string;
  cursor: string;
}

/** A device seeded with everything its person may see (its snapshot done). */
async function seeded(user: TestUser): Promise<Device & { reply: SyncPayloadView }> {
  const id = await registerSyncDevice(api, user.accessToken);
  const reply = await syncOf(api, user.accessToken, { deviceId: id });
  expect(reply.reseed).toMatchObject({ reason: 'NEW_DEVICE', nextSnapshotToken: null });
  return { id, cursor: reply.cursor, reply };
}

const postEdit = (postId: string, baseVersion: number, body: string) => ({
  changeId: `edit-${randomUUID()}`,
  type: 'post.edit',
  entityId: postId,
  baseVersion,
  clientTime: minutesAgo(3),
  payload: { title: 'Leaves', body },
});

describe('sync conflicts over GraphQL', () => {
  it('an edit offline against a post edited since is queued, listed, and settled by its person once', async () => {
    const owner = await registerAndSignIn(api, 'Olu Owner');
    const learner = await registerAndSignIn(api, 'Lena Learner');
    const communityId = (await createCommunity(api, owner)).id;
    await joinCommunity(api, learner, communityId);
    const { postId } = await startCommunityThread(syncDeps(api), contextOf(learner), {
      communityId,
      title: 'Leaves',
      body: 'First words',
    });
    await feedPast(api, [communityPostStream(postId)]);
    const laptop = await seeded(learner);
    const phone = await seeded(learner);
    const post = phone.reply.changes.find(
      (record) => record.entityType === 'communityPost' && record.entityId === postId,
    );
    expect(post).toMatchObject({ op: 'UPSERT', data: expect.objectContaining({ body: 'First words' }) });
    const base = post?.version ?? -1;

    const edited = await syncOf(api, learner.accessToken, {
      deviceId: laptop.id,
      cursor: laptop.cursor,
      changes: [postEdit(postId, base, 'Laptop words')],
    });
    expect(edited.outcomes[0]).toMatchObject({ status: 'APPLIED' });
    const offline = postEdit(postId, base, 'Phone words');
    const queued = await syncOf(api, learner.accessToken, {
      deviceId: phone.id,
      cursor: phone.cursor,
      changes: [offline],
    });
    const conflictId = queued.outcomes[0]?.conflictId;
    expect(queued.outcomes[0]).toMatchObject({ status: 'QUEUED', conflictId: expect.any(String) });
    expect(queued.changes).toContainEqual(
      expect.objectContaining({ entityType: 'syncConflict', entityId: conflictId, op: 'UPSERT' }),
    );

    const open = fieldOf<{ nodes: Record<string, unknown>[] }>(
      await api.gql(CONFLICTS, { status: 'OPEN' }, learner.accessToken),
      'mySyncConflicts',
    );
    expect(open.nodes).toEqual([
      expect.objectContaining({
        id: conflictId,
        changeId: offline.changeId,
        changeType: 'post.edit',
        entityId: postId,
        deviceId: phone.id,
        status: 'OPEN',
        deviceValue: expect.objectContaining({ body: 'Phone words' }),
        serverValue: expect.objectContaining({ body: 'Laptop words' }),
        resolvedAt: null,
        resolution: null,
      }),
    ]);
    // Someone else sees none of it, and cannot settle it.
    const owners = fieldOf<{ nodes: unknown[] }>(
      await api.gql(CONFLICTS, {}, owner.accessToken),
      'mySyncConflicts',
    );
    expect(owners.nodes).toEqual([]);
    const input = { conflictId, resolution: 'KEEP_DEVICE' };
    expect(errorCodes(await api.gql(RESOLVE, { input }, owner.accessToken))).toEqual([
      'NOT_FOUND/SYNC_CONFLICT_NOT_FOUND',
    ]);

    const resolved = fieldOf<Record<string, unknown>>(
      await api.gql(RESOLVE, { input }, learner.accessToken),
      'resolveSyncConflict',
    );
    expect(resolved).toMatchObject({ id: conflictId, status: 'RESOLVED', resolution: 'KEEP_DEVICE' });
    expect(
      errorCodes(
        await api.gql(RESOLVE, { input: { ...input, resolution: 'KEEP_SERVER' } }, learner.accessToken),
      ),
    ).toEqual(['CONFLICT/SYNC_CONFLICT_ALREADY_RESOLVED']);
    const after = fieldOf<{ nodes: unknown[] }>(
      await api.gql(CONFLICTS, { status: 'OPEN' }, learner.accessToken),
      'mySyncConflicts',
    );
    expect(after.nodes).toEqual([]);

    // The phone's next sync carries the settled conflict and the post with its words.
    await feedPast(api, [syncConflictsStream(learner.id), communityPostStream(postId)]);
    const next = await syncOf(api, learner.accessToken, { deviceId: phone.id, cursor: queued.cursor });
    expect(next.changes).toEqual(
      expect.arrayContaining([
        expect.objectContaining({
          entityType: 'syncConflict',
          entityId: conflictId,
          data: expect.objectContaining({ status: 'resolved' }),
        }),
        expect.objectContaining({
          entityType: 'communityPost',
          entityId: postId,
          data: expect.objectContaining({ body: 'Phone words' }),
        }),
      ]),
    );
  });

  it('lists pages of at most 100, refusing more', async () => {
    const user = await registerAndSignIn(api);
    expect(errorCodes(await api.gql(CONFLICTS, { first: 101 }, user.accessToken))).toEqual([
      'VALIDATION/INVALID_INPUT',
    ]);
    expect(errorCodes(await api.gql(CONFLICTS, { after: 'nonsense' }, user.accessToken))).toEqual([
      'VALIDATION/INVALID_CURSOR',
    ]);
  });
});
