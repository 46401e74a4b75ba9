import { randomUUID } from 'node:crypto';
import { createLocalProvider } from '../../../src/ai/local-provider.ts';
import type { SyncChangeType, SyncEntityType } from '../../../src/domain/sync/change-types.ts';
import { entityVersion } from '../../../src/domain/sync/entity-version.ts';
import type { SyncChange, SyncOutcome } from '../../../src/domain/sync/outcomes.ts';
import { createLogger } from '../../../src/logger.ts';
import { waitForPosition } from '../../../src/projections/wait-for-position.ts';
import type { RequestContext } from '../../../src/services/shared/command-context.ts';
import type { SyncDeps } from '../../../src/services/sync/deps.ts';
import { type EntityStream, readEntityStream } from '../../../src/services/sync/push/entity-stream.ts';
import { pushChanges } from '../../../src/services/sync/push/push.ts';
import { changeFingerprint } from '../../../src/services/sync/push/receipts.ts';
import { withUserSyncLock } from '../../../src/services/sync/push/user-lock.ts';
import { type IdentityApp, TEST_AUTH_SECRET } from '../../api/support/identity-app.ts';
import type { TestUser } from '../../api/support/identity-operations.ts';

/** Everything sync's use cases need, on the test app's runtime (read-your-writes included). */
export function syncDeps(api: IdentityApp): SyncDeps {
  const { store, codec, pool, bus, keys } = api.runtime;
  return {
    store,
    codec,
    pool,
    authSecret: new TextEncoder().encode(TEST_AUTH_SECRET),
    log: createLogger('silent'),
    ai: createLocalProvider(),
    personalDataKeys: keys,
    keys,
    settle: async (position: bigint) => waitForPosition(pool, bus, position, { timeoutMs: 5_000 }),
  };
}

export const contextOf = (user: TestUser): RequestContext => ({
  actor: { kind: 'user', userId: user.id, role: 'user' },
  correlationId: randomUUID(),
});

/** A device's time `minutes` ago (negative: in the future), as a device in UTC+2 writes it. */
export function minutesAgo(minutes: number): string {
  const local = new Date(Date.now() - minutes * 60_000 + 2 * 3_600_000);
  return `${local.toISOString().slice(0, 23)}+02:00`;
}

export interface ChangeSpec {
  type: SyncChangeType;
  entityId: string;
  baseVersion: number;
  payload: Record<string, unknown>;
  clientTime?: string;
  changeId?: string;
}

export const change = (spec: ChangeSpec): SyncChange => ({
  changeId: spec.changeId ?? `c-${randomUUID()}`,
  type: spec.type,
  entityId: spec.entityId,
  baseVersion: spec.baseVersion,
  clientTime: spec.clientTime ?? minutesAgo(1),
  payload: spec.payload,
});

/**
 * Pushes as the orchestrator does: under the person's lock, each change with its fingerprint, then
 * waits for the read models to show what was stored.
 */
export async function push(
  api: IdentityApp,
  user: TestUser,
  deviceId: string,
  changes: readonly SyncChange[],
) {
  const deps = syncDeps(api);
  const result = await withUserSyncLock(deps.pool, user.id, () =>
    pushChanges(deps, contextOf(user), {
      userId: user.id,
      deviceId,
      changes: changes.map((c) => ({ change: c, clamped: false, fingerprint: changeFingerprint(c) })),
    }),
  );
  if (result.lastPosition !== null) {
    await waitForPosition(api.runtime.pool, api.runtime.bus, result.lastPosition, { timeoutMs: 5_000 });
  }
  return result;
}

/** The entity's version now, as a device that just synced would hold it. */
export async function versionOf(
  api: IdentityApp,
  entity: EntityStream,
  entityType: SyncEntityType,
  entityId: string,
): Promise<number> {
  const { events } = await readEntityStream(api.runtime, entity);
  return entityVersion(events, entityType, entityId);
}

/** The global position of the store's last event: a push that stores nothing leaves it. */
export async function storeHead(api: IdentityApp): Promise<bigint> {
  const [last] = await api.runtime.store.readAll({
    direction: 'backwards',
    fromPosition: 'end',
    maxCount: 1,
  });
  return last?.position ?? -1n;
}

/** A string field of an outcome's value (the id of what it made), or an error naming the outcome. */
export function valueField(outcome: SyncOutcome | undefined, field: string): string {
  const value = outcome?.value?.[field];
  if (typeof value !== 'string') throw new Error(`no ${field} in ${JSON.stringify(outcome)}`);
  return value;
}
