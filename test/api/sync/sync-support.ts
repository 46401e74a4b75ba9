import { createECDH, randomBytes, randomUUID } from 'node:crypto';
import { waitForPosition } from '../../../src/projections/wait-for-position.ts';
import { FEED_BOUND_PROJECTIONS } from '../../../src/services/sync/feed/cursor.ts';
import { fieldOf, type IdentityApp } from '../support/identity-app.ts';

export const SYNC = `mutation ($input: SyncInput!) {
  sync(input: $input) {
    outcomes { changeId status version value conflictId clientTimeClamped error { code category message details } }
    changes { position entityType entityId version op data }
    cursor hasMore reseed { reason nextSnapshotToken } serverTime clockSkewMs
  }
}`;

const REGISTER_DEVICE = `mutation ($input: RegisterDeviceInput!) { registerDevice(input: $input) { id } }`;
export const UNREGISTER_DEVICE = 'mutation ($deviceId: ID!) { unregisterDevice(deviceId: $deviceId) }';

export interface SyncOutcomeView {
  changeId: string;
  status: string;
  version: number | null;
  value: Record<string, unknown> | null;
  conflictId: string | null;
  clientTimeClamped: boolean;
  error: { code: string; category: string; message: string; details: Record<string, unknown> | null } | null;
}

export interface SyncRecordView {
  position: string;
  entityType: string;
  entityId: string;
  version: number;
  op: 'UPSERT' | 'DELETE';
  data: Record<string, unknown> | null;
}

export interface SyncPayloadView {
  outcomes: SyncOutcomeView[];
  changes: SyncRecordView[];
  cursor: string;
  hasMore: boolean;
  reseed: { reason: string; nextSnapshotToken: string | null } | null;
  serverTime: string;
  clockSkewMs: number;
}

/** A browser's push subscription, as PushSubscription.toJSON() gives it. */
export function pushSubscription() {
  const ecdh = createECDH('prime256v1');
  ecdh.generateKeys();
  return {
    endpoint: `https://fcm.googleapis.com/fcm/send/${randomUUID()}`,
    keys: { p256dh: ecdh.getPublicKey().toString('base64url'), auth: randomBytes(16).toString('base64url') },
  };
}

/** A device of `token`'s person, registered as a browser registers for web push (again, with the same subscription). */
export async function registerSyncDevice(
  api: IdentityApp,
  token: string,
  subscription = pushSubscription(),
): Promise<string> {
  const input = { platform: 'WEB', appVersion: '1.0.0', pushSubscription: subscription };
  return fieldOf<{ id: string }>(await api.gql(REGISTER_DEVICE, { input }, token), 'registerDevice').id;
}

export const syncOf = async (api: IdentityApp, token: string, input: Record<string, unknown>) =>
  fieldOf<SyncPayloadView>(await api.gql(SYNC, { input }, token), 'sync');

/** A device's time `minutes` ago (negative: in the future), as a device in UTC+2 writes it. */
export function minutesAgo(minutes: number): string {
  const local = new Date(Date.now() - minutes * 60_000 + 2 * 3_600_000);
  return `${local.toISOString().slice(0, 23)}+02:00`;
}

export const profileChange = (
  userId: string,
  payload: Record<string, unknown>,
  extra: Record<string, unknown> = {},
) => ({
  changeId: `c-${randomUUID()}`,
  type: 'profile.update',
  entityId: userId,
  baseVersion: -1,
  clientTime: minutesAgo(1),
  payload,
  ...extra,
});

/** Every event of the person's account stream and their receipts: what a refused sync must not add to. */
export async function storedFor(api: IdentityApp, userId: string) {
  const { rows } = await api.runtime.pool.query<{ receipts: number }>(
    'select count(*)::int as receipts from sync_receipts where user_id = $1',
    [userId],
  );
  const events = await api.runtime.store.readStream(`user-${userId}`);
  return { receipts: rows[0]?.receipts ?? 0, events: events.length };
}

/**
 * Waits until the feed is served past the last event of `streams`: what a device syncing right
 * after a change made elsewhere may otherwise not see until its next sync (the feed's head is the
 * lowest checkpoint of the read models it is served from, some of which move on lazily).
 */
export async function feedPast(api: IdentityApp, streams: readonly string[]): Promise<void> {
  let position = -1n;
  for (const stream of streams) {
    const last = (await api.runtime.store.readStream(stream)).at(-1);
    if (last && last.position > position) position = last.position;
  }
  const reached = await waitForPosition(api.runtime.pool, api.runtime.bus, position, {
    timeoutMs: 5_000,
    projections: FEED_BOUND_PROJECTIONS,
  });
  if (!reached) throw new Error(`the feed did not reach ${position} in time`);
}
