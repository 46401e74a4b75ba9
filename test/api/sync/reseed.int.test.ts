import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chatConversationStream } from '../../../src/domain/chat/streams.ts';
import { SYNC_LIMITS } from '../../../src/domain/sync/change-types.ts';
import { startDirect } from '../chat/conversation-support.ts';
import { errorCodes, type IdentityApp, startIdentityApp } from '../support/identity-app.ts';
import { registerAndSignIn } from '../support/identity-operations.ts';
import {
  feedPast,
  minutesAgo,
  registerSyncDevice,
  SYNC,
  type SyncPayloadView,
  syncOf,
} from './sync-support.ts';

let api: IdentityApp;

beforeAll(async () => {
  api = await startIdentityApp();
});
afterAll(() => api.close());

describe('re-seeding over several snapshot pages', () => {
  it('pages carry their reason and a token until the last; scopes changing halfway start it again', async () => {
    const ada = await registerAndSignIn(api, 'Ada Pages');
    const bob = await registerAndSignIn(api, 'Bob Pages');
    const conversation = await startDirect(api, ada, bob);
    const laptop = await registerSyncDevice(api, ada.accessToken);
    // More messages than a page holds, written offline and pushed as one NDJSON batch.
    const messages = Array.from({ length: SYNC_LIMITS.pageSize + 20 }, (_, i) => ({
      changeId: `msg-${randomUUID()}`,
      type: 'chat.message',
      entityId: conversation.id,
      baseVersion: -1,
      clientTime: minutesAgo(60 - i / 100),
      payload: { text: `offline message ${i}` },
    }));
    const started = Date.now();
    const pushed = await api.app.inject({
      method: 'POST',
      url: '/sync',
      headers: { 'content-type': 'application/x-ndjson', authorization: `Bearer ${ada.accessToken}` },
      payload: [{ deviceId: laptop }, ...messages].map((line) => JSON.stringify(line)).join('\n'),
    });
    const pushMs = Date.now() - started;
    expect(pushed.statusCode).toBe(200);
    const outcomes = pushed.body
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as { outcome?: { status: string } })
      .flatMap((line) => (line.outcome ? [line.outcome.status] : []));
    expect(outcomes).toEqual(messages.map(() => 'APPLIED'));
    console.info(`NDJSON push of ${messages.length} chat messages: ${pushMs} ms`);
    await feedPast(api, [chatConversationStream(conversation.id), `user-${ada.id}`]);

    const phone = await registerSyncDevice(api, ada.accessToken);
    const first = await syncOf(api, ada.accessToken, { deviceId: phone });
    expect(first.reseed?.reason).toBe('NEW_DEVICE');
    expect(first.reseed?.nextSnapshotToken).toEqual(expect.any(String));
    expect(first.hasMore).toBe(true);
    expect(first.changes).toHaveLength(SYNC_LIMITS.pageSize);

    // A token that is not one this server gave refuses the sync (and whatever it pushed).
    const token = first.reseed?.nextSnapshotToken ?? '';
    const tampered = `${token.slice(0, -2)}xx`;
    const refused = await api.gql(
      SYNC,
      { input: { deviceId: phone, snapshotToken: tampered } },
      ada.accessToken,
    );
    expect(errorCodes(refused)).toEqual(['VALIDATION/SNAPSHOT_TOKEN_INVALID']);

    // Before the device finishes, its cursor is not trusted: it is told to re-seed.
    const early = await syncOf(api, ada.accessToken, { deviceId: phone, cursor: first.cursor });
    expect(early.reseed?.reason).toBe('SCOPE_CHANGED');

    const restart = await syncOf(api, ada.accessToken, { deviceId: phone });
    const second = await syncOf(api, ada.accessToken, {
      deviceId: phone,
      snapshotToken: restart.reseed?.nextSnapshotToken,
    });
    expect(second.reseed).toEqual({ reason: 'NEW_DEVICE', nextSnapshotToken: null });
    expect(second.hasMore).toBe(false);
    const seen = new Set([...restart.changes, ...second.changes].map((r) => `${r.entityType}:${r.entityId}`));
    const messageRecords = [...seen].filter((key) => key.startsWith('chatMessage:'));
    expect(messageRecords).toHaveLength(messages.length);
    expect(seen).toContain(`profile:${ada.id}`);

    // Seeded: the cursor now pulls.
    const pulled = await syncOf(api, ada.accessToken, { deviceId: phone, cursor: second.cursor });
    expect(pulled.reseed).toBeNull();

    // Scopes changing between pages: the snapshot starts over, as SCOPE_CHANGED.
    const tablet = await registerSyncDevice(api, ada.accessToken);
    const page: SyncPayloadView = await syncOf(api, ada.accessToken, { deviceId: tablet });
    const carol = await registerAndSignIn(api, 'Carol Pages');
    await startDirect(api, carol, ada);
    const next = await syncOf(api, ada.accessToken, {
      deviceId: tablet,
      snapshotToken: page.reseed?.nextSnapshotToken,
    });
    expect(next.reseed?.reason).toBe('SCOPE_CHANGED');
    expect(next.changes[0]?.entityType).toBe(first.changes[0]?.entityType);
  }, 120_000);
});
