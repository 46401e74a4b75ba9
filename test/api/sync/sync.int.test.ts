import { randomUUID } from 'node:crypto';
import { parse } from 'graphql';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { queryComplexity } from '../../../src/api/limits/query-complexity.ts';
import { chatConversationStream } from '../../../src/domain/chat/streams.ts';
import { deviceStream } from '../../../src/domain/notifications/streams.ts';
import { SYNC_LIMITS } from '../../../src/domain/sync/change-types.ts';
import { startDirect } from '../chat/conversation-support.ts';
import { errorCodes, fieldOf, type IdentityApp, startIdentityApp } from '../support/identity-app.ts';
import { registerAndSignIn, signIn, type TestUser } from '../support/identity-operations.ts';
import {
  feedPast,
  minutesAgo,
  profileChange,
  pushSubscription,
  registerSyncDevice,
  SYNC,
  type SyncPayloadView,
  storedFor,
  syncOf,
  UNREGISTER_DEVICE,
} from './sync-support.ts';

let api: IdentityApp;

beforeAll(async () => {
  api = await startIdentityApp();
});
afterAll(() => api.close());

/** A person with a device that finished its first (re-seeding) sync: its cursor is live. */
async function seededDevice(): Promise<{ user: TestUser; deviceId: string; cursor: string }> {
  const user = await registerAndSignIn(api);
  const deviceId = await registerSyncDevice(api, user.accessToken);
  let reply = await syncOf(api, user.accessToken, { deviceId });
  while (reply.reseed?.nextSnapshotToken) {
    reply = await syncOf(api, user.accessToken, { deviceId, snapshotToken: reply.reseed.nextSnapshotToken });
  }
  return { user, deviceId, cursor: reply.cursor };
}

const profileRecord = (reply: SyncPayloadView, userId: string) =>
  reply.changes.find((record) => record.entityType === 'profile' && record.entityId === userId);

describe('sync over GraphQL', () => {
  it('a new device is re-seeded: its first reply is a snapshot holding the person`s profile', async () => {
    const ada = await registerAndSignIn(api, 'Ada Offline');
    const deviceId = await registerSyncDevice(api, ada.accessToken);
    await feedPast(api, [`user-${ada.id}`]);
    const reply = await syncOf(api, ada.accessToken, { deviceId, deviceTime: minutesAgo(-2) });
    expect(reply.reseed).toEqual({ reason: 'NEW_DEVICE', nextSnapshotToken: null });
    expect(reply.outcomes).toEqual([]);
    expect(profileRecord(reply, ada.id)).toMatchObject({
      op: 'UPSERT',
      data: expect.objectContaining({ displayName: 'Ada Offline' }),
    });
    expect(BigInt(reply.cursor)).toBeGreaterThanOrEqual(0n);
    // The device's clock is two minutes ahead, give or take the request's own time.
    expect(reply.clockSkewMs).toBeGreaterThan(110_000);
    expect(reply.clockSkewMs).toBeLessThan(130_000);
    const devices = fieldOf<{ id: string; lastSyncedAt: string | null; clockSkewMs: number | null }[]>(
      await api.gql('{ myDevices { id lastSyncedAt clockSkewMs } }', {}, ada.accessToken),
      'myDevices',
    );
    expect(devices).toEqual([
      { id: deviceId, lastSyncedAt: reply.serverTime, clockSkewMs: reply.clockSkewMs },
    ]);
  });

  it('pushes a change, answers it with its outcome and the feed carries it back; a retry applies nothing twice', async () => {
    const { user, deviceId, cursor } = await seededDevice();
    const change = profileChange(user.id, { displayName: 'Ada on a train' }, { baseVersion: 0 });
    const reply = await syncOf(api, user.accessToken, { deviceId, cursor, changes: [change] });
    expect(reply.reseed).toBeNull();
    expect(reply.outcomes).toEqual([
      expect.objectContaining({
        changeId: change.changeId,
        status: 'APPLIED',
        clientTimeClamped: false,
        error: null,
      }),
    ]);
    expect(profileRecord(reply, user.id)).toMatchObject({
      op: 'UPSERT',
      data: expect.objectContaining({ displayName: 'Ada on a train' }),
    });
    expect(BigInt(reply.cursor)).toBeGreaterThan(BigInt(cursor));

    const stored = await storedFor(api, user.id);
    const again = await syncOf(api, user.accessToken, { deviceId, cursor, changes: [change] });
    expect(again.outcomes).toEqual(reply.outcomes);
    expect(await storedFor(api, user.id)).toEqual(stored);
  });

  it('clamps a client time in the future and says so; the device`s skew is recorded', async () => {
    const { user, deviceId, cursor } = await seededDevice();
    const change = profileChange(
      user.id,
      { bio: 'from the future' },
      { clientTime: minutesAgo(-60), baseVersion: 0 },
    );
    const reply = await syncOf(api, user.accessToken, {
      deviceId,
      cursor,
      deviceTime: minutesAgo(-60),
      changes: [change],
    });
    expect(reply.outcomes[0]).toMatchObject({ status: 'APPLIED', clientTimeClamped: true });
    expect(reply.clockSkewMs).toBeGreaterThan(59 * 60_000);
    const { rows } = await api.runtime.pool.query(
      'select clock_skew_ms, syncs from sync_devices where device_id = $1',
      [deviceId],
    );
    expect(rows[0]).toMatchObject({ syncs: '2' });
    expect(Number(rows[0]?.clock_skew_ms)).toBe(Math.round(reply.clockSkewMs));
  });

  it('a device clock years ahead (over 2^31 ms) still syncs: its skew is stored whole, its push applied', async () => {
    const { user, deviceId, cursor } = await seededDevice();
    const devices = async () =>
      fieldOf<{ id: string; clockSkewMs: number | null }[]>(
        await api.gql('{ myDevices { id clockSkewMs } }', {}, user.accessToken),
        'myDevices',
      );
    // Its first sync sent no deviceTime: the skew is unknown, not 0.
    expect(await devices()).toEqual([{ id: deviceId, clockSkewMs: null }]);
    const change = profileChange(user.id, { bio: 'from 2030' }, { clientTime: '2030-01-01T00:00:00Z' });
    const reply = await syncOf(api, user.accessToken, {
      deviceId,
      cursor,
      deviceTime: '2030-01-01T00:00:00Z',
      changes: [change],
    });
    expect(reply.outcomes[0]).toMatchObject({ status: 'APPLIED', clientTimeClamped: true });
    expect(reply.clockSkewMs).toBeGreaterThan(2 ** 31);
    expect(await devices()).toEqual([{ id: deviceId, clockSkewMs: reply.clockSkewMs }]);
    // A later sync without deviceTime keeps the skew last reported.
    await syncOf(api, user.accessToken, { deviceId, cursor: reply.cursor });
    expect(await devices()).toEqual([{ id: deviceId, clockSkewMs: reply.clockSkewMs }]);
  });

  it('a fast clock`s two offline edits of one field keep their order when clamped: the later one wins', async () => {
    const { user, deviceId, cursor } = await seededDevice();
    // Online meanwhile (the laptop): the phone's edits now conflict, and are judged by client time.
    fieldOf(
      await api.gql(
        'mutation ($input: UpdateProfileInput!) { updateProfile(input: $input) { bio } }',
        { input: { bio: 'from the laptop' } },
        user.accessToken,
      ),
      'updateProfile',
    );
    // Written a minute apart on a phone an hour fast: both times are after the server's now. Clamped
    // to one and the same now, the second would tie with the first and lose (ties go to the server).
    const first = profileChange(
      user.id,
      { bio: 'first draft' },
      { clientTime: minutesAgo(-59), baseVersion: 0 },
    );
    const second = profileChange(
      user.id,
      { bio: 'second draft' },
      { clientTime: minutesAgo(-60), baseVersion: 0 },
    );
    const reply = await syncOf(api, user.accessToken, { deviceId, cursor, changes: [first, second] });
    expect(reply.outcomes.map((o) => [o.changeId, o.status, o.clientTimeClamped])).toEqual([
      [first.changeId, 'APPLIED', true],
      [second.changeId, 'APPLIED', true],
    ]);
    expect(profileRecord(reply, user.id)?.data).toMatchObject({ bio: 'second draft' });
    const profile = fieldOf<{ bio: string | null }>(
      await api.gql('{ me { bio } }', {}, user.accessToken),
      'me',
    );
    expect(profile.bio).toBe('second draft');
  });

  it('refuses an invalid change on its own (VALIDATION, zod`s message) while the others go', async () => {
    const { user, deviceId, cursor } = await seededDevice();
    const good = profileChange(user.id, { displayName: 'Still goes' }, { baseVersion: 0 });
    const changes = [
      profileChange(user.id, { displayName: '' }),
      { ...profileChange(user.id, { displayName: 'x' }), changeId: 'short' },
      { ...profileChange(user.id, { displayName: 'x' }), type: 'profile.delete' },
      { ...profileChange(user.id, { displayName: 'x' }), entityId: 'not-a-uuid' },
      { ...profileChange(user.id, { displayName: 'x' }), clientTime: 'yesterday' },
      { ...profileChange(user.id, {}), payload: { displayName: 'x'.repeat(SYNC_LIMITS.maxPayloadBytes) } },
      good,
    ];
    const reply = await syncOf(api, user.accessToken, { deviceId, cursor, changes });
    expect(reply.outcomes.map((o) => [o.status, o.error?.category, o.error?.code])).toEqual([
      ['REFUSED', 'VALIDATION', 'INVALID_CHANGE'],
      ['REFUSED', 'VALIDATION', 'INVALID_CHANGE'],
      ['REFUSED', 'VALIDATION', 'UNKNOWN_CHANGE_TYPE'],
      ['REFUSED', 'VALIDATION', 'INVALID_CHANGE'],
      ['REFUSED', 'VALIDATION', 'INVALID_CHANGE'],
      ['REFUSED', 'VALIDATION', 'PAYLOAD_TOO_LARGE'],
      ['APPLIED', undefined, undefined],
    ]);
    expect(reply.outcomes[0]?.error?.message).toContain('payload.displayName');
    expect(reply.outcomes[1]).toMatchObject({ changeId: 'short' });
    expect(reply.outcomes[1]?.error?.message).toContain('changeId');
    expect(reply.outcomes[2]?.error?.details).toMatchObject({
      knownTypes: expect.arrayContaining(['profile.update']),
    });
    expect(profileRecord(reply, user.id)?.data).toMatchObject({ displayName: 'Still goes' });
  });

  it('whole-request refusals store nothing, each with its code', async () => {
    const { user, deviceId, cursor } = await seededDevice();
    const bob = await registerAndSignIn(api);
    const bobsDevice = await registerSyncDevice(api, bob.accessToken);
    const revoked = await registerSyncDevice(api, user.accessToken);
    fieldOf(await api.gql(UNREGISTER_DEVICE, { deviceId: revoked }, user.accessToken), 'unregisterDevice');
    const change = () => profileChange(user.id, { displayName: 'Never stored' }, { baseVersion: 0 });
    const before = await storedFor(api, user.id);

    const refusals: [Record<string, unknown>, string][] = [
      [{ deviceId, cursor, changes: Array.from({ length: 101 }, change) }, 'VALIDATION/SYNC_TOO_LARGE'],
      [{ deviceId: randomUUID(), cursor, changes: [change()] }, 'NOT_FOUND/DEVICE_NOT_FOUND'],
      [{ deviceId: bobsDevice, cursor, changes: [change()] }, 'NOT_FOUND/DEVICE_NOT_FOUND'],
      [{ deviceId: revoked, cursor, changes: [change()] }, 'FORBIDDEN/DEVICE_REVOKED'],
      [{ deviceId, cursor: 'abc', changes: [change()] }, 'VALIDATION/CURSOR_INVALID'],
      [{ deviceId, cursor: '-2', changes: [change()] }, 'VALIDATION/CURSOR_INVALID'],
      [
        { deviceId, snapshotToken: 'bm90LWEtdG9rZW4', changes: [change()] },
        'VALIDATION/SNAPSHOT_TOKEN_INVALID',
      ],
      [{ deviceId: 'not-a-uuid', cursor, changes: [change()] }, 'VALIDATION/INVALID_INPUT'],
    ];
    for (const [input, code] of refusals) {
      const response = await api.gql(SYNC, { input }, user.accessToken);
      expect(errorCodes(response), code).toEqual([code]);
      expect(response.data).toBeNull();
    }
    const tooLarge = await api.gql(SYNC, { input: refusals[0]?.[0] }, user.accessToken);
    expect(tooLarge.errors?.[0]?.extensions).toMatchObject({
      form: 'graphql',
      changes: 101,
      maxChanges: SYNC_LIMITS.graphql.maxChanges,
      maxBytes: SYNC_LIMITS.graphql.maxBytes,
    });
    expect(await storedFor(api, user.id)).toEqual(before);
    const anonymous = await api.gql(SYNC, { input: { deviceId, changes: [] } });
    expect(errorCodes(anonymous)).toEqual(['UNAUTHENTICATED/SIGN_IN_REQUIRED']);
  });

  it('a device whose person joined a conversation since its last sync re-seeds (SCOPE_CHANGED), then pulls on', async () => {
    const { user, deviceId, cursor } = await seededDevice();
    const bob = await registerAndSignIn(api);
    const conversation = await startDirect(api, bob, user);
    await feedPast(api, [chatConversationStream(conversation.id)]);
    const reseeded = await syncOf(api, user.accessToken, { deviceId, cursor });
    expect(reseeded.reseed).toEqual({ reason: 'SCOPE_CHANGED', nextSnapshotToken: null });

    const message = {
      changeId: `m-${randomUUID()}`,
      type: 'chat.message',
      entityId: conversation.id,
      baseVersion: -1,
      clientTime: minutesAgo(5),
      payload: { text: 'written in a tunnel' },
    };
    const reply = await syncOf(api, user.accessToken, {
      deviceId,
      cursor: reseeded.cursor,
      changes: [message],
    });
    expect(reply.reseed).toBeNull();
    expect(reply.outcomes[0]).toMatchObject({ status: 'APPLIED' });
    expect(reply.changes).toContainEqual(
      expect.objectContaining({
        entityType: 'chatMessage',
        op: 'UPSERT',
        data: expect.objectContaining({ text: 'written in a tunnel', conversationId: conversation.id }),
      }),
    );
  });

  it('a cursor without a finished seed, or past the feed, re-seeds', async () => {
    const { user, deviceId, cursor } = await seededDevice();
    const ahead = await syncOf(api, user.accessToken, {
      deviceId,
      cursor: (BigInt(cursor) + 1_000_000n).toString(),
    });
    expect(ahead.reseed?.reason).toBe('CURSOR_AHEAD');
    const other = await registerSyncDevice(api, user.accessToken);
    const unseeded = await syncOf(api, user.accessToken, { deviceId: other, cursor });
    expect(unseeded.reseed?.reason).toBe('SCOPE_CHANGED');
  });

  it('a device unregistered is refused; registered again, it starts over as a new device', async () => {
    const user = await registerAndSignIn(api);
    const subscription = pushSubscription();
    const deviceId = await registerSyncDevice(api, user.accessToken, subscription);
    const first = await syncOf(api, user.accessToken, { deviceId });
    fieldOf(await api.gql(UNREGISTER_DEVICE, { deviceId }, user.accessToken), 'unregisterDevice');
    const refused = await api.gql(SYNC, { input: { deviceId, cursor: first.cursor } }, user.accessToken);
    expect(errorCodes(refused)).toEqual(['FORBIDDEN/DEVICE_REVOKED']);
    expect(await registerSyncDevice(api, user.accessToken, subscription)).toBe(deviceId);
    // The feed past the registration, so the new snapshot starts after the old cursor: one that
    // started at it could not tell a device that stored it from one whose reply was lost, and
    // would be sent again (lost-replies.int.test.ts).
    await feedPast(api, [deviceStream(deviceId)]);
    const again = await syncOf(api, user.accessToken, { deviceId, cursor: first.cursor });
    expect(again.reseed?.reason).toBe('NEW_DEVICE');
    const seeded = await syncOf(api, user.accessToken, { deviceId, cursor: again.cursor });
    expect(seeded.reseed).toBeNull();
  });

  it('a device registered before "sign out everywhere" is refused at once, before the saga unregisters it', async () => {
    const user = await registerAndSignIn(api);
    const subscription = pushSubscription();
    const deviceId = await registerSyncDevice(api, user.accessToken, subscription);
    const first = await syncOf(api, user.accessToken, { deviceId });
    fieldOf(await api.gql('mutation { revokeAllSessions }', {}, user.accessToken), 'revokeAllSessions');
    // Once the old token is refused, the users read model holds the revocation. This app runs no
    // Temporal worker: revokeUserDevices never unregisters the device, the device check alone refuses.
    const revokedAt = Date.now();
    while (!(await api.gql('{ me { id } }', {}, user.accessToken)).errors && Date.now() - revokedAt < 2_000);
    const again = await signIn(api, user.email);
    const refused = await api.gql(SYNC, { input: { deviceId, cursor: first.cursor } }, again.accessToken);
    expect(errorCodes(refused)).toEqual(['FORBIDDEN/DEVICE_REVOKED']);
    // Registering a device still registered changes nothing: it is unregistered (what the saga
    // would do) and registered again, and syncs once more, starting over.
    fieldOf(await api.gql(UNREGISTER_DEVICE, { deviceId }, again.accessToken), 'unregisterDevice');
    expect(await registerSyncDevice(api, again.accessToken, subscription)).toBe(deviceId);
    const resumed = await syncOf(api, again.accessToken, { deviceId, cursor: first.cursor });
    expect(resumed.reseed?.reason).toBe('NEW_DEVICE');
  });

  it('prices a sync by the changes it pushes', () => {
    const document = parse(SYNC);
    const cost = (changes: number) =>
      queryComplexity(api.app.graphql.schema, document, {
        input: {
          deviceId: randomUUID(),
          changes: Array.from({ length: changes }, () => profileChange(randomUUID(), {})),
        },
      });
    expect(cost(10) - cost(0)).toBe(100);
    expect(cost(SYNC_LIMITS.graphql.maxChanges)).toBeLessThan(2_000);
  });
});
