import type pg from 'pg';
import { type LoadDeps, loadAggregate } from '../../commands/load-aggregate.ts';
import { deviceAggregate } from '../../domain/notifications/device-decider.ts';
import { deviceStream } from '../../domain/notifications/streams.ts';
import { forbidden, notFound } from '../../domain/shared/domain-error.ts';
import type { ReseedReason } from './feed/pull.ts';

/**
 * Whether `deviceId` may sync for `userId`, as the device's own stream (`device-<id>`, the registry
 * of issue 22) tells it, not the `devices` read model: a revocation counts from the moment it is
 * stored. A device that does not exist and another person's device are the same NOT_FOUND, so
 * device ids cannot be probed; an unregistered one (by its owner, its push service, or a
 * revocation) is FORBIDDEN DEVICE_REVOKED: it syncs again only once registered again.
 *
 * So is one last registered at or before the person's `sessions_revoked_before` ("sign out
 * everywhere", a password reset: UserSessionsRevoked): the saga that unregisters their devices
 * (revokeUserDevices) may lag behind, and a device signed in again meanwhile must not keep
 * syncing on the strength of a registration the person has disowned. The `users` read model is
 * what the access token's own check reads (api/auth/authenticate.ts), so a revoked session and its
 * device stop at the same moment. Registering a device that is still registered stores nothing
 * (the registry's rule), so such a device is unregistered and registered again (DeviceRegistered
 * after the revocation) before it syncs. Answers when it was (last) registered: a device registered
 * again since its last sync starts over.
 */
export async function assertDeviceMaySync(
  deps: LoadDeps & { pool: pg.Pool },
  userId: string,
  deviceId: string,
): Promise<{ registeredAt: string }> {
  const [{ state, events }, revokedBefore] = await Promise.all([
    loadAggregate(deps, deviceAggregate, deviceStream(deviceId)),
    sessionsRevokedBefore(deps.pool, userId),
  ]);
  if (state.status === 'none' || state.userId !== userId) {
    throw notFound('DEVICE_NOT_FOUND', 'No such device; register it first (registerDevice)');
  }
  const registered = events.findLast(({ event }) => event.type === 'DeviceRegistered');
  const registeredAt = registered?.metadata.occurredAt ?? new Date(0).toISOString();
  if (
    state.status === 'unregistered' ||
    (revokedBefore !== null && Date.parse(registeredAt) <= revokedBefore.getTime())
  ) {
    throw forbidden('DEVICE_REVOKED', 'This device was unregistered or revoked; register it again to sync');
  }
  return { registeredAt };
}

/** When the person last signed out everywhere (or reset their password); null: never. */
async function sessionsRevokedBefore(pool: pg.Pool, userId: string): Promise<Date | null> {
  const { rows } = await pool.query<{ sessions_revoked_before: Date | null }>(
    'select sessions_revoked_before from users where user_id = $1::uuid',
    [userId],
  );
  return rows[0]?.sessions_revoked_before ?? null;
}

/** What the last sync of a device left behind (`sync_devices`). */
export interface DeviceSyncState {
  cursor: bigint;
  /** The scope hash the device was seeded with; '' while a re-seed is under way (see `recordSync`). */
  scopeHash: string;
  lastSyncedAt: string;
  /** Null until the device sends `deviceTime` (a skew of 0 would claim a clock in step). */
  clockSkewMs: number | null;
  /**
   * Where its last finished snapshot started (-1: none noted) and why it was re-seeded: a device
   * that received that snapshot syncs from there or later (see `recordSync`).
   */
  seededFrom: bigint;
  seedReason: ReseedReason | null;
}

const SEED_REASONS: readonly string[] = [
  'NEW_DEVICE',
  'SCOPE_CHANGED',
  'TOO_FAR_BEHIND',
  'ERASURE',
  'CURSOR_AHEAD',
] satisfies ReseedReason[];

const seedReasonOf = (reason: string | null): ReseedReason | null =>
  reason !== null && SEED_REASONS.includes(reason) ? (reason as ReseedReason) : null;

export async function deviceSyncState(pool: pg.Pool, deviceId: string): Promise<DeviceSyncState | null> {
  const { rows } = await pool.query<{
    cursor: string;
    scope_hash: string;
    last_synced_at: Date;
    clock_skew_ms: string | null;
    seeded_from: string;
    seed_reason: string | null;
  }>(
    `select cursor, scope_hash, last_synced_at, clock_skew_ms, seeded_from, seed_reason
       from sync_devices where device_id = $1`,
    [deviceId],
  );
  const row = rows[0];
  if (!row) return null;
  return {
    cursor: BigInt(row.cursor),
    scopeHash: row.scope_hash,
    lastSyncedAt: row.last_synced_at.toISOString(),
    clockSkewMs: row.clock_skew_ms === null ? null : Number(row.clock_skew_ms),
    seededFrom: BigInt(row.seeded_from),
    seedReason: seedReasonOf(row.seed_reason),
  };
}

/**
 * Notes a sync of a device: when, the cursor its reply ended at, the scopes it is now seeded with
 * (none, '', while a snapshot has pages left: a device that drops a re-seed halfway and comes back
 * with the cursor is told to re-seed again rather than trusted with half a copy) and its clock's
 * skew (kept from before when the device sent no time; null until it sends one). One row per
 * device, upserted. Every parameter is cast: an uncast `coalesce($6, 0)` types the skew int4, and a
 * clock off by more than 2^31 ms (a device set to 2030) would fail the sync after its push was stored.
 *
 * All of it is noted before the reply reaches the device, which may never get it. When the reply
 * is a snapshot's last page, `seeded` notes where the snapshot started and why: a device that
 * stored it continues from that position or later, so one that comes back with a cursor below it
 * lost the snapshot and must be sent it again, not pulled from the old cursor (which would skip
 * whatever the snapshot held at or before that cursor: the posts of a community joined since, say).
 * Without `seeded` (a pull, a page with more to come) what was noted before stays.
 */
export async function recordSync(
  pool: pg.Pool,
  sync: {
    deviceId: string;
    userId: string;
    at: Date;
    cursor: bigint;
    scopeHash: string;
    clockSkewMs: number | null;
    seeded: { from: bigint; reason: ReseedReason } | null;
  },
): Promise<void> {
  await pool.query(
    `insert into sync_devices
       (device_id, user_id, last_synced_at, cursor, scope_hash, clock_skew_ms, syncs, seeded_from, seed_reason)
     values ($1::uuid, $2::uuid, $3::timestamptz, $4::bigint, $5::text, $6::bigint, 1,
             coalesce($7::bigint, -1), $8::text)
     on conflict (device_id) do update set
       user_id = excluded.user_id,
       last_synced_at = greatest(sync_devices.last_synced_at, excluded.last_synced_at),
       cursor = excluded.cursor,
       scope_hash = excluded.scope_hash,
       clock_skew_ms = coalesce($6::bigint, sync_devices.clock_skew_ms),
       syncs = sync_devices.syncs + 1,
       seeded_from = coalesce($7::bigint, sync_devices.seeded_from),
       seed_reason = case when $7::bigint is null then sync_devices.seed_reason else $8::text end`,
    [
      sync.deviceId,
      sync.userId,
      sync.at,
      sync.cursor.toString(),
      sync.scopeHash,
      sync.clockSkewMs === null ? null : Math.round(sync.clockSkewMs),
      sync.seeded?.from.toString() ?? null,
      sync.seeded?.reason ?? null,
    ],
  );
}

/** Last sync time and clock skew of each of `deviceIds` that ever synced (for `Device` in the API). */
export async function deviceSyncStates(
  pool: pg.Pool,
  userId: string,
  deviceIds: readonly string[],
): Promise<Map<string, DeviceSyncState>> {
  const { rows } = await pool.query<{
    device_id: string;
    cursor: string;
    scope_hash: string;
    last_synced_at: Date;
    clock_skew_ms: string | null;
    seeded_from: string;
    seed_reason: string | null;
  }>(
    `select device_id, cursor, scope_hash, last_synced_at, clock_skew_ms, seeded_from, seed_reason
       from sync_devices where user_id = $1 and device_id = any($2::uuid[])`,
    [userId, deviceIds],
  );
  return new Map(
    rows.map((row) => [
      row.device_id,
      {
        cursor: BigInt(row.cursor),
        scopeHash: row.scope_hash,
        lastSyncedAt: row.last_synced_at.toISOString(),
        clockSkewMs: row.clock_skew_ms === null ? null : Number(row.clock_skew_ms),
        seededFrom: BigInt(row.seeded_from),
        seedReason: seedReasonOf(row.seed_reason),
      },
    ]),
  );
}
