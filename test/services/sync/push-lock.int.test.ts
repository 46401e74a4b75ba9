import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { userStream } from '../../../src/domain/identity/streams.ts';
import { userEventCatalogue } from '../../../src/domain/identity/user-events.ts';
import { entityStream } from '../../../src/services/sync/push/entity-stream.ts';
import { pushChanges } from '../../../src/services/sync/push/push.ts';
import { changeFingerprint } from '../../../src/services/sync/push/receipts.ts';
import {
  assertSyncLockHeld,
  SYNC_LOCK_POOL_SIZE,
  SyncBusy,
  withUserSyncLock,
} from '../../../src/services/sync/push/user-lock.ts';
import { type IdentityApp, startIdentityApp } from '../../api/support/identity-app.ts';
import { registerAndSignIn, type TestUser } from '../../api/support/identity-operations.ts';
import { change, contextOf, syncDeps, versionOf } from './push-support.ts';

let api: IdentityApp;
let learner: TestUser;
const phone = randomUUID();

beforeAll(async () => {
  api = await startIdentityApp();
  learner = await registerAndSignIn(api, 'Lena Learner');
}, 60_000);

afterAll(async () => {
  await api?.close();
});

/** A gate a test opens when it is done holding locks. */
function gate() {
  let open: () => void = () => {};
  const opened = new Promise<void>((resolve) => {
    open = resolve;
  });
  return { open, opened };
}

describe('the sync lock on its own pool', () => {
  it("keeps the request pool free while many people's pushes hold or wait for locks", async () => {
    const { pool } = api.runtime;
    const release = gate();
    const people = Array.from({ length: SYNC_LOCK_POOL_SIZE }, () => randomUUID());
    let inside = 0;
    // As many pushes as the lock pool has connections, each holding its person's lock...
    const holding = people.map((person) =>
      withUserSyncLock(pool, person, async () => {
        inside += 1;
        await release.opened;
        return person;
      }),
    );
    // ...more people's pushes waiting for a lock connection, and second syncs of the same people.
    const waiting = [...Array.from({ length: 10 }, () => randomUUID()), ...people].map((person) =>
      withUserSyncLock(pool, person, async () => person),
    );
    while (inside < SYNC_LOCK_POOL_SIZE) await sleep(10);
    await sleep(200);

    // The rest of the API still gets connections at once: no push holds one of the request pool.
    const started = Date.now();
    const answers = await Promise.all(Array.from({ length: 12 }, () => pool.query('select 1 as one')));
    expect(answers.every(({ rows }) => rows[0]?.one === 1)).toBe(true);
    expect(Date.now() - started).toBeLessThan(2_000);
    expect(pool.waitingCount).toBe(0);

    // A push that cannot get a lock connection in time is told to retry, not stalled.
    const busy = await withUserSyncLock(pool, randomUUID(), async () => 'never', { timeoutMs: 200 }).catch(
      (error: unknown) => error,
    );
    expect(busy).toBeInstanceOf(SyncBusy);

    release.open();
    expect(await Promise.all(holding)).toEqual(people);
    expect(await Promise.all(waiting)).toHaveLength(10 + people.length);
  }, 30_000);

  it('aborts the push before its next change when the lock connection is killed', async () => {
    const deps = syncDeps(api);
    const profile = entityStream(userStream(learner.id), userEventCatalogue);
    const base = await versionOf(api, profile, 'profile', learner.id);
    const first = change({
      type: 'profile.update',
      entityId: learner.id,
      baseVersion: base,
      payload: { bio: 'Before the lock went' },
    });
    const second = change({
      type: 'profile.update',
      entityId: learner.id,
      baseVersion: base,
      payload: { bio: 'After the lock went' },
    });
    const pushOne = (sent: typeof first) =>
      pushChanges(deps, contextOf(learner), {
        userId: learner.id,
        deviceId: phone,
        changes: [{ change: sent, clamped: false, fingerprint: changeFingerprint(sent) }],
      });

    const aborted = await withUserSyncLock(api.runtime.pool, learner.id, async () => {
      const settled = await pushOne(first);
      // The lock's connection: the only one holding an advisory lock taken by the sync lock.
      const { rows } = await api.runtime.pool.query<{ pid: number; killed: boolean }>(
        `select a.pid, pg_terminate_backend(a.pid) as killed
           from pg_stat_activity a join pg_locks l on l.pid = a.pid
          where l.locktype = 'advisory' and l.granted and a.query like '%pg_try_advisory_lock%'`,
      );
      expect(rows).toHaveLength(1);
      expect(rows[0]?.killed).toBe(true);
      // The connection learns it was ended as the server's notice arrives.
      const until = Date.now() + 5_000;
      while (Date.now() < until) {
        try {
          assertSyncLockHeld();
          await sleep(20);
        } catch {
          break;
        }
      }
      return { settled, next: await pushOne(second).catch((error: unknown) => error) };
    });
    expect(aborted.settled.outcomes[0]).toMatchObject({ status: 'applied' });
    expect(aborted.next).toBeInstanceOf(SyncBusy);
    expect((aborted.next as SyncBusy).extensions).toMatchObject({ code: 'UNAVAILABLE', reason: 'SYNC_BUSY' });

    // The settled change keeps its receipt; the next one was neither decided nor receipted.
    const { rows: receipts } = await api.runtime.pool.query<{ change_id: string }>(
      'select change_id from sync_receipts where user_id = $1 and change_id = any($2)',
      [learner.id, [first.changeId, second.changeId]],
    );
    expect(receipts.map((row) => row.change_id)).toEqual([first.changeId]);
    expect(await versionOf(api, profile, 'profile', learner.id)).toBe(aborted.settled.outcomes[0]?.version);
    // The lock went with its connection: the retry gets it at once.
    expect(
      await withUserSyncLock(api.runtime.pool, learner.id, async () => 'retry', { timeoutMs: 500 }),
    ).toBe('retry');
  }, 30_000);
});
