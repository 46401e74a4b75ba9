import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { aggregateAt } from '../../src/audit/aggregate-at.ts';
import { recordAuditQuery } from '../../src/audit/record-query.ts';
import { SnapshotLoop } from '../../src/audit/snapshot-loop.ts';
import { postgresSnapshotStore, snapshotMacKey } from '../../src/audit/snapshots.ts';
import { loadConfig } from '../../src/config.ts';
import type { Actor } from '../../src/domain/shared/decider.ts';
import { createLogger } from '../../src/logger.ts';
import type { Projector } from '../../src/projections/projector.ts';
import { createProjector } from '../../src/roles/projector.ts';
import { openRuntime, type Runtime } from '../../src/roles/runtime.ts';
import { TEST_AUTH_SECRET } from '../api/support/identity-app.ts';
import { freshDatabase } from '../support/database.ts';

const EVERY = 4;

describe('the audit snapshot loop', () => {
  let runtime: Runtime;
  let projector: Projector;
  const log = createLogger('silent');

  beforeAll(async () => {
    const url = await freshDatabase('audit_snapshot_loop');
    runtime = await openRuntime(
      loadConfig({ AUTH_SECRET: TEST_AUTH_SECRET, DATA_DIR: '/nonexistent' }),
      log,
      url,
    );
    projector = createProjector(runtime, log);
    await projector.start();
  });
  afterAll(async () => {
    await projector?.stop();
    await runtime?.close();
  });

  const deps = () => {
    const { store, codec, keys, pool } = runtime;
    return {
      store,
      codec,
      keys,
      log,
      snapshots: postgresSnapshotStore(
        pool,
        snapshotMacKey(new TextEncoder().encode(TEST_AUTH_SECRET)),
        EVERY,
      ),
    };
  };

  /** An auditor's log of `count` recorded queries (revisions 0 … count − 1), through the command pipeline. */
  async function auditLogOf(count: number): Promise<string> {
    const auditorId = randomUUID();
    const actor: Actor = { kind: 'user', userId: auditorId, role: 'auditor' };
    const services = { store: runtime.store, codec: runtime.codec, log };
    for (let i = 0; i < count; i++) {
      await recordAuditQuery(
        services,
        { actor, correlationId: randomUUID() },
        { query: 'history', arguments: { stream: `user-${randomUUID()}` }, resultCount: i },
      );
    }
    const stream = `auditlog-${auditorId}`;
    await vi.waitFor(
      async () => {
        const { rows } = await runtime.pool.query(
          'select last_revision from stream_catalogue where stream_name = $1',
          [stream],
        );
        expect(rows[0]?.last_revision).toBe(String(count - 1));
      },
      { timeout: 15_000, interval: 50 },
    );
    return auditorId;
  }

  const snapshotRevisions = async (stream: string) =>
    (
      await runtime.pool.query<{ revision: string }>(
        'select revision from audit_snapshots where stream_name = $1 order by revision',
        [stream],
      )
    ).rows.map((row) => row.revision);

  it('snapshots long streams in the background, so an auditor`s first question does not fold them all', async () => {
    const auditorId = await auditLogOf(10);
    const stream = `auditlog-${auditorId}`;
    expect(await snapshotRevisions(stream)).toEqual([]);

    const loop = new SnapshotLoop(runtime.pool, deps(), log, { batch: 100 });
    expect(await loop.round()).toBeGreaterThanOrEqual(1);
    // Every boundary the stream passed (revisions 3 and 7); nothing is due any more.
    expect(await snapshotRevisions(stream)).toEqual(['3', '7']);
    const again = await loop.round();
    expect(again).toBe(0);

    const answer = await aggregateAt(deps(), {
      category: 'auditlog',
      id: auditorId,
      point: { revision: 9n },
    });
    // The snapshot's own event (its hash is checked), then revisions 8 and 9.
    expect(answer).toMatchObject({ snapshotRevision: 7n, eventsRead: 3 });
  });

  it('goes on with the other streams when one cannot be folded, and does not retry it every round', async () => {
    // A stream of an audited category whose events do not decode: folding it throws.
    const broken = `auditlog-${randomUUID()}`;
    await runtime.store.append(
      broken,
      Array.from({ length: 12 }, (_, i) => ({
        id: randomUUID(),
        type: 'AuditQueryRecorded',
        data: { not: 'an audit query', i },
        metadata: { schemaVersion: 1 },
      })),
    );
    const auditorId = await auditLogOf(6);
    await vi.waitFor(
      async () => {
        const { rows } = await runtime.pool.query('select 1 from stream_catalogue where stream_name = $1', [
          broken,
        ]);
        expect(rows).toHaveLength(1);
      },
      { timeout: 15_000, interval: 50 },
    );

    // One stream per round, longest first: the broken one, then (skipped from now on) the good one.
    const loop = new SnapshotLoop(runtime.pool, deps(), log, { batch: 1 });
    await loop.round();
    await loop.round();
    expect(await snapshotRevisions(`auditlog-${auditorId}`)).toEqual(['3']);
    expect(await snapshotRevisions(broken)).toEqual([]);
  });

  it('runs until stopped, and stops promptly', async () => {
    const auditorId = await auditLogOf(5);
    const loop = new SnapshotLoop(runtime.pool, deps(), log, { pollMs: 50 });
    loop.start();
    await vi.waitFor(async () => expect(await snapshotRevisions(`auditlog-${auditorId}`)).toEqual(['3']), {
      timeout: 10_000,
      interval: 50,
    });
    await loop.stop();
  });
});
