import type { Actor } from '../../domain/shared/decider.ts';
import { forbidden } from '../../domain/shared/domain-error.ts';
import { clampClientTimes, clockSkewMs } from '../../domain/sync/clock.ts';
import type { SyncOutcome } from '../../domain/sync/outcomes.ts';
import { nowFrom, type RequestContext } from '../shared/command-context.ts';
import type { SyncDeps } from './deps.ts';
import { feedHead } from './feed/cursor.ts';
import { pullChanges, type ReseedReason, type SyncRecord } from './feed/pull.ts';
import { scopeHash, userScopes } from './feed/scopes.ts';
import { snapshotPage } from './feed/snapshot.ts';
import { decodeSnapshotToken } from './feed/snapshot-token.ts';
import { type PushedChange, pushChanges } from './push/push.ts';
import { changeFingerprint } from './push/receipts.ts';
import { withUserSyncLock } from './push/user-lock.ts';
import { decodeReseedToken, encodeReseedToken, type ReseedToken } from './reseed-token.ts';
import { assertDeviceMaySync, deviceSyncState, recordSync } from './sync-device.ts';
import {
  assertWithinLimits,
  changesBytes,
  parseChange,
  parseCursor,
  type SyncForm,
  syncRequestInput,
} from './sync-input.ts';

/** The answer to one sync: what became of each pushed change, and what the device should now hold. */
export interface SyncReply {
  outcomes: SyncOutcome[];
  /** Changes since the cursor, or a page of the snapshot while re-seeding. */
  changes: SyncRecord[];
  /** The position to sync from next time (a 64-bit integer as a string). */
  cursor: string;
  /** More is waiting: sync again right away. */
  hasMore: boolean;
  /** Set while the device is re-seeded; `nextSnapshotToken` null on the last page. */
  reseed: { reason: ReseedReason; nextSnapshotToken: string | null } | null;
  serverTime: string;
  clockSkewMs: number;
}

export interface SyncOptions {
  /** Which limits apply (SYNC_LIMITS[form]). */
  form: SyncForm;
  /** The bytes of the changes as received, when the way in counted them (NDJSON); else their JSON. */
  bytes?: number;
}

/**
 * One sync round trip, as docs/sync.md describes it for client authors:
 *
 * 1. Everything that refuses the whole request is checked before anything is stored: its size
 *    (SYNC_TOO_LARGE), its cursor and snapshot token, and the device (its own stream says whether
 *    it exists, is the caller's, and is still registered).
 * 2. Each change is validated on its own (an invalid one is refused, the others go on), its client
 *    time clamped to the server's when in the future, and the lot pushed in order while holding
 *    the person's sync lock (push/push.ts: receipts, conflict rules, the contexts' use cases).
 * 3. The read models are waited for up to what the push stored, so the reply's feed carries the
 *    device's own changes as the server now has them.
 * 4. The device gets its feed since the cursor, or a snapshot page when it has to re-seed: a new
 *    device, one whose scopes (communities, conversations) changed since it was seeded, or what
 *    the feed itself asks for (too far behind, an erasure, a cursor past the feed's head).
 * 5. `sync_devices` notes the sync: when, the cursor, the scopes, the clock's skew, and where a
 *    finished snapshot started (a device back with a cursor below it lost that reply: re-seeded again).
 */
export async function sync(
  deps: SyncDeps,
  context: RequestContext,
  raw: unknown,
  options: SyncOptions,
): Promise<SyncReply> {
  const userId = personOf(context.actor);
  const input = syncRequestInput.parse(raw);
  assertWithinLimits(options.form, {
    changes: input.changes.length,
    bytes: options.bytes ?? changesBytes(input.changes),
  });
  const cursor = parseCursor(input.cursor);
  const signer = { authSecret: deps.authSecret, userId };
  const reseedToken = input.snapshotToken ? decodeReseedToken(signer, input.snapshotToken) : null;
  // The snapshot's own position is checked now too: a bad token found after the push would
  // refuse a request whose changes had been stored.
  if (reseedToken) decodeSnapshotToken(reseedToken.snapshot, await feedHead(deps.pool));
  const { registeredAt } = await assertDeviceMaySync(deps, userId, input.deviceId);

  const now = nowFrom(deps);
  const pushed = prepared(input.changes, now);
  let outcomes: SyncOutcome[] = [];
  if (pushed.length > 0) {
    const result = await withUserSyncLock(deps.pool, userId, () =>
      pushChanges(deps, context, { userId, deviceId: input.deviceId, changes: pushed }),
    );
    outcomes = result.outcomes;
    if (result.lastPosition !== null && deps.settle) {
      // Given the pushed events' types, the settle waits for what the feed needs to show them (the
      // feed projection and the read models serving their entities: feed/cursor.ts, projectionsFor),
      // not for every read model the feed is served from: one that holds no record of the push
      // holds nothing of it back. On a timeout the feed stops short of the push: its records come
      // with the next sync.
      await deps.settle(result.lastPosition, result.eventTypes);
    }
  }

  const scopes = await userScopes(deps.pool, userId);
  const hash = scopeHash(scopes);
  const feed = await feedFor(deps, {
    userId,
    deviceId: input.deviceId,
    registeredAt,
    scopes,
    hash,
    cursor,
    reseedToken,
  });
  const skew = input.deviceTime ? clockSkewMs(input.deviceTime, now) : null;
  await recordSync(deps.pool, {
    deviceId: input.deviceId,
    userId,
    at: now,
    cursor: feed.cursor,
    scopeHash: feed.seededWith,
    clockSkewMs: skew,
    seeded: feed.seeded,
  });
  const reply: SyncReply = {
    outcomes,
    changes: feed.records,
    cursor: feed.cursor.toString(),
    hasMore: feed.hasMore,
    reseed: feed.reseed,
    serverTime: now.toISOString(),
    clockSkewMs: skew ?? 0,
  };
  logSync(deps, { userId, deviceId: input.deviceId, form: options.form }, reply, reseedToken === null);
  return reply;
}

/** Sync is a person's device talking for them; an integration (an API key's program) has no device. */
function personOf(actor: Actor): string {
  if (actor.kind === 'user') return actor.userId.toLowerCase();
  throw forbidden('PEOPLE_ONLY', 'Only a signed-in person syncs a device');
}

/**
 * The changes ready to push: an invalid one refused already; the others fingerprinted as sent (a
 * retry an hour later clamps differently but must match its first try), then their client times
 * clamped together, so future times keep their order (domain/sync/clock.ts).
 */
function prepared(raws: readonly unknown[], now: Date): PushedChange[] {
  const parsed = raws.map(parseChange);
  const valid = parsed.flatMap((one) => ('change' in one ? [one.change] : []));
  const clamped = clampClientTimes(
    valid.map((change) => change.clientTime),
    now,
  );
  let next = 0;
  return parsed.map((one) => {
    if ('invalid' in one) return one;
    const time = clamped[next++] ?? { clientTime: one.change.clientTime, clamped: false };
    return {
      change: { ...one.change, clientTime: time.clientTime },
      clamped: time.clamped,
      fingerprint: changeFingerprint(one.change),
    };
  });
}

interface Feed {
  records: SyncRecord[];
  cursor: bigint;
  hasMore: boolean;
  reseed: SyncReply['reseed'];
  /** The scope hash to note for the device: '' while a snapshot has pages left. */
  seededWith: string;
  /** On a snapshot's last page: where it started and why (null: what was noted stays). */
  seeded: { from: bigint; reason: ReseedReason } | null;
}

/** The re-seed decision, then the feed page or the snapshot page. */
async function feedFor(
  deps: SyncDeps,
  at: {
    userId: string;
    deviceId: string;
    /** When the device was last registered (again). */
    registeredAt: string;
    scopes: readonly string[];
    hash: string;
    cursor: bigint | null;
    reseedToken: ReseedToken | null;
  },
): Promise<Feed> {
  /**
   * A snapshot page. `atCursor`: the snapshot starts exactly at the cursor the device came with
   * (the feed has not moved since it last synced). A device that stored it then syncs from the
   * same position as one whose reply was lost, and the two cannot be told apart: both are sent
   * it again (`seeded.from` one past the start) until the feed has moved on and a snapshot starts
   * past the old cursor.
   */
  const snapshot = async (
    reason: ReseedReason,
    token: { snapshot: string; atCursor: boolean } | null,
  ): Promise<Feed> => {
    const page = await snapshotPage(deps, {
      userId: at.userId,
      scopes: at.scopes,
      token: token?.snapshot ?? null,
    });
    const atCursor = token ? token.atCursor : at.cursor !== null && at.cursor === page.cursor;
    const next =
      page.nextToken === null
        ? null
        : encodeReseedToken(
            { authSecret: deps.authSecret, userId: at.userId },
            { reason, scopeHash: at.hash, snapshot: page.nextToken, atCursor },
          );
    return {
      records: page.records,
      cursor: page.cursor,
      hasMore: next !== null,
      reseed: { reason, nextSnapshotToken: next },
      seededWith: next === null ? at.hash : '',
      seeded: next === null ? { from: atCursor ? page.cursor + 1n : page.cursor, reason } : null,
    };
  };
  if (at.reseedToken) {
    // Pages already sent were read for other scopes: start again.
    if (at.reseedToken.scopeHash !== at.hash) return snapshot('SCOPE_CHANGED', null);
    return snapshot(at.reseedToken.reason, at.reseedToken);
  }
  if (at.cursor === null) return snapshot('NEW_DEVICE', null);
  const state = await deviceSyncState(deps.pool, at.deviceId);
  // Unregistered (revoked, say) and registered again since it last synced: whatever it kept
  // meanwhile is not trusted, it starts over as the new device it now is.
  if (state && Date.parse(state.lastSyncedAt) < Date.parse(at.registeredAt))
    return snapshot('NEW_DEVICE', null);
  // No row (never seeded here, or a re-seed dropped halfway) counts as other scopes too.
  if (state?.scopeHash !== at.hash) return snapshot('SCOPE_CHANGED', null);
  // The snapshot noted last was answered but never stored by the device (the reply was lost): it
  // comes back with a cursor from before, and a pull from there would skip what the snapshot
  // held at or before it. It is re-seeded again, for the reason it was the first time.
  if (at.cursor < state.seededFrom) return snapshot(state.seedReason ?? 'SCOPE_CHANGED', null);
  const pulled = await pullChanges(deps, { userId: at.userId, scopes: at.scopes, cursor: at.cursor });
  if ('reseed' in pulled) return snapshot(pulled.reseed, null);
  return { ...pulled, reseed: null, seededWith: at.hash, seeded: null };
}

function logSync(
  deps: SyncDeps,
  sync: { userId: string; deviceId: string; form: SyncForm },
  reply: SyncReply,
  firstPage: boolean,
): void {
  const statuses: Record<string, number> = {};
  for (const outcome of reply.outcomes) statuses[outcome.status] = (statuses[outcome.status] ?? 0) + 1;
  const fields = {
    ...sync,
    outcomes: statuses,
    records: reply.changes.length,
    cursor: reply.cursor,
    hasMore: reply.hasMore,
    ...(reply.reseed ? { reseed: reply.reseed.reason } : {}),
  };
  // A re-seed starting is worth seeing in the log (a device drops its copy); a routine sync is not.
  if (reply.reseed && firstPage) deps.log.info(fields, 'sync: device re-seeding');
  else deps.log.debug(fields, 'sync');
}
