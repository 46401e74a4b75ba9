import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type AggregateAtDeps, aggregateAt, type PointInTime } from '../../src/audit/aggregate-at.ts';
import { audited, requireAuditedAggregate } from '../../src/audit/aggregate-registry.ts';
import { recordAuditQuery } from '../../src/audit/record-query.ts';
import {
  encodeState,
  postgresSnapshotStore,
  type SnapshotStore,
  snapshotMacKey,
} from '../../src/audit/snapshots.ts';
import { loadConfig } from '../../src/config.ts';
import { auditLogAggregate } from '../../src/domain/audit/audit-log-decider.ts';
import type { Actor } from '../../src/domain/shared/decider.ts';
import { createLogger } from '../../src/logger.ts';
import { openRuntime, type Runtime } from '../../src/roles/runtime.ts';
import { updateProfile } from '../../src/services/identity/account.ts';
import { forgetUser } from '../../src/services/identity/erasure.ts';
import { register } from '../../src/services/identity/registration.ts';
import { TEST_AUTH_SECRET } from '../api/support/identity-app.ts';
import { freshDatabase } from '../support/database.ts';

const EVERY = 4;
const START = Date.parse('2025-03-01T09:00:00.000Z');

describe('aggregateAt with snapshots', () => {
  let runtime: Runtime;
  let snapshots: SnapshotStore;
  let withSnapshots: AggregateAtDeps;
  let withoutSnapshots: AggregateAtDeps;
  let tick = 0;
  /** Each command happens one minute after the previous one. */
  const clock = () => new Date(START + tick++ * 60_000);
  const log = createLogger('silent');

  beforeAll(async () => {
    const url = await freshDatabase('audit_at');
    runtime = await openRuntime(
      loadConfig({ AUTH_SECRET: TEST_AUTH_SECRET, DATA_DIR: '/nonexistent' }),
      log,
      url,
    );
    const { store, codec, keys, pool } = runtime;
    snapshots = postgresSnapshotStore(
      pool,
      snapshotMacKey(new TextEncoder().encode(TEST_AUTH_SECRET)),
      EVERY,
    );
    withSnapshots = { store, codec, keys, log, snapshots };
    withoutSnapshots = { store, codec, keys, log };
  });
  afterAll(async () => {
    await runtime?.close();
  });

  const services = () => ({ store: runtime.store, codec: runtime.codec, keys: runtime.keys, log, clock });

  /** An auditor's log stream of `count` recorded queries, written through the command pipeline. */
  async function auditLogOf(count: number): Promise<string> {
    const auditorId = randomUUID();
    const actor: Actor = { kind: 'user', userId: auditorId, role: 'auditor' };
    for (let i = 0; i < count; i++) {
      await recordAuditQuery(
        services(),
        { actor, correlationId: randomUUID() },
        {
          query: 'history',
          arguments: { stream: `user-${randomUUID()}`, after: null, first: i + 1 },
          resultCount: i,
        },
      );
    }
    return auditorId;
  }

  /** A user who changed their display name `changes` times. */
  async function userWithChanges(changes: number) {
    const email = `snap-${randomUUID()}@example.org`;
    const context = { actor: { kind: 'system', process: 'register' } as Actor, correlationId: randomUUID() };
    const { userId } = await register(services(), context, {
      email,
      password: 'correct horse battery staple',
      displayName: 'Name 0',
    });
    const self = { actor: { kind: 'user', userId, role: 'user' } as Actor, correlationId: randomUUID() };
    for (let i = 1; i <= changes; i++) await updateProfile(services(), self, { displayName: `Name ${i}` });
    return { userId, email, self };
  }

  const points = (count: number): PointInTime[] => [
    ...Array.from({ length: count }, (_, revision) => ({ revision: BigInt(revision) })),
    { at: new Date(START - 1) },
    { at: new Date(START + tick * 30_000) },
    { at: new Date(START + tick * 60_000 + 1) },
  ];

  async function snapshotRows(stream: string) {
    const { rows } = await runtime.pool.query<{ revision: string; subject: string | null; state: unknown }>(
      'select s.revision::text as revision, subject, state from audit_snapshots s where stream_name = $1 order by s.revision',
      [stream],
    );
    return rows;
  }

  it('answers exactly what a fold without snapshots answers, at every revision and instant', async () => {
    // Revisions of two digits: snapshots must be found by number, not by their text.
    const id = await auditLogOf(23);
    for (const pass of ['writes snapshots', 'reads them']) {
      for (const point of points(23)) {
        const query = { category: 'auditlog', id, point };
        const fast = await aggregateAt(withSnapshots, query);
        const slow = await aggregateAt(withoutSnapshots, query);
        const { snapshotRevision, eventsRead, ...answer } = fast;
        const { snapshotRevision: none, eventsRead: all, ...baseline } = slow;
        expect(answer, `${pass} at ${JSON.stringify(point, (_k, v) => String(v))}`).toEqual(baseline);
        expect(none).toBeNull();
        if (pass === 'reads them' && 'revision' in point && point.revision >= BigInt(EVERY - 1)) {
          expect(snapshotRevision).not.toBeNull();
          expect(eventsRead).toBeLessThanOrEqual(EVERY);
          expect(all).toBe(Number(point.revision) + 1);
        }
      }
    }
    const latest = await aggregateAt(withSnapshots, { category: 'auditlog', id, point: { revision: 22n } });
    expect(latest).toMatchObject({
      revision: 22n,
      snapshotRevision: 19n,
      eventsRead: 4,
      state: { queries: 23 },
    });
    expect((await snapshotRows(`auditlog-${id}`)).map((row) => [row.revision, row.subject])).toEqual(
      ['3', '7', '11', '15', '19'].map((revision) => [revision, null]),
    );
  });

  it('ignores a snapshot from an older decider version (another fingerprint)', async () => {
    const id = await auditLogOf(6);
    const stream = `auditlog-${id}`;
    const current = requireAuditedAggregate('auditlog');
    const older = audited('auditlog', auditLogAggregate, current.snapshotVersion - 1);
    expect(older.fingerprint).not.toBe(current.fingerprint);
    const [event] = await runtime.store.readStream(stream, { fromRevision: 3n, maxCount: 1 });
    await snapshots.save([
      {
        stream,
        fingerprint: older.fingerprint,
        revision: 3n,
        eventHash: event?.hash ?? '',
        maxOccurredAt: new Date(START),
        state: encodeState({ queries: 999 }),
        subject: null,
      },
    ]);
    const answer = await aggregateAt(withSnapshots, { category: 'auditlog', id, point: { revision: 5n } });
    expect(answer).toMatchObject({ snapshotRevision: null, eventsRead: 6, state: { queries: 6 } });
  });

  it('ignores a snapshot forged with the true event hash (no valid MAC), and replaces it', async () => {
    const id = await auditLogOf(6);
    const stream = `auditlog-${id}`;
    await aggregateAt(withSnapshots, { category: 'auditlog', id, point: { revision: 5n } });
    // Someone with database access only: keeps the real event hash, writes another state.
    await runtime.pool.query('update audit_snapshots set state = $2::jsonb where stream_name = $1', [
      stream,
      JSON.stringify(encodeState({ queries: 999 })),
    ]);
    const answer = await aggregateAt(withSnapshots, { category: 'auditlog', id, point: { revision: 5n } });
    expect(answer).toMatchObject({ snapshotRevision: null, state: { queries: 6 } });
    const again = await aggregateAt(withSnapshots, { category: 'auditlog', id, point: { revision: 5n } });
    expect(again).toMatchObject({ snapshotRevision: 3n, state: { queries: 6 } });
  });

  it('ignores a snapshot whose event hash does not match the stored event, and replaces it', async () => {
    const id = await auditLogOf(6);
    const stream = `auditlog-${id}`;
    await aggregateAt(withSnapshots, { category: 'auditlog', id, point: { revision: 5n } });
    expect((await snapshotRows(stream)).map((row) => row.revision)).toEqual(['3']);
    await runtime.pool.query(
      `update audit_snapshots set event_hash = sha256('forged'::bytea), state = $2::jsonb where stream_name = $1`,
      [stream, JSON.stringify(encodeState({ queries: 999 }))],
    );
    const answer = await aggregateAt(withSnapshots, { category: 'auditlog', id, point: { revision: 5n } });
    expect(answer).toMatchObject({ snapshotRevision: null, state: { queries: 6 } });
    // The fold from the events wrote the snapshot again, with the true hash: used from now on.
    const again = await aggregateAt(withSnapshots, { category: 'auditlog', id, point: { revision: 5n } });
    expect(again).toMatchObject({ snapshotRevision: 3n, eventsRead: 3, state: { queries: 6 } });
  });

  it('stores a person`s state only encrypted under their key, and never uses it once they are forgotten', async () => {
    const { userId, email, self } = await userWithChanges(5);
    const stream = `user-${userId}`;
    // Registration writes UserRegistered and EmailVerificationRequested, then come the five changes:
    // revision 6 is "Name 5", and the snapshot at revision 3 holds "Name 2".
    const at = (deps: AggregateAtDeps) =>
      aggregateAt(deps, { category: 'user', id: userId, point: { revision: 6n } });
    const first = await at(withSnapshots);
    expect(first.state).toMatchObject({ email, displayName: 'Name 5' });
    const rows = await snapshotRows(stream);
    expect(rows.map((row) => [row.revision, row.subject])).toEqual([['3', userId]]);
    expect(JSON.stringify(rows)).not.toContain(email);
    expect(JSON.stringify(rows)).not.toContain('Name 2');
    expect(rows[0]?.state).toMatchObject({ $pii: 1 });
    const second = await at(withSnapshots);
    expect(second).toMatchObject({ snapshotRevision: 3n, state: first.state });

    await forgetUser(services(), self, {});
    const forgotten = await at(withSnapshots);
    expect(forgotten.snapshotRevision).toBeNull();
    expect(forgotten.state).toMatchObject({ email: null, displayName: null });
    expect(forgotten).toEqual({ ...(await at(withoutSnapshots)), snapshotRevision: null, eventsRead: 7 });
    expect(JSON.stringify(forgotten.state)).not.toContain(email);
    expect((await runtime.store.verifyStream(stream)).ok).toBe(true);
  });

  it('refuses to fold a stream whose metadata hides its first events, instead of answering a wrong state', async () => {
    for (const metadata of [{ truncateBefore: 2n }, { maxCount: 2 }]) {
      const id = await auditLogOf(5);
      const stream = `auditlog-${id}`;
      await runtime.store.setStreamMetadata(stream, metadata);
      await expect(
        aggregateAt(withoutSnapshots, { category: 'auditlog', id, point: { revision: 4n } }),
      ).rejects.toMatchObject({ code: 'CONFLICT', reason: 'HISTORY_TRUNCATED', details: { stream } });
    }
  });

  it('names an event it cannot fold instead of failing without a reason', async () => {
    const id = await auditLogOf(3);
    const stream = `auditlog-${id}`;
    await runtime.pool.query(
      `update es_events set data = '{"not": "an audit query"}'::jsonb where stream_name = $1 and revision = 1`,
      [stream],
    );
    await expect(
      aggregateAt(withoutSnapshots, { category: 'auditlog', id, point: { revision: 2n } }),
    ).rejects.toMatchObject({
      code: 'CONFLICT',
      reason: 'UNDECODABLE_EVENT',
      details: { stream, revision: '1' },
    });
    await expect(
      aggregateAt(withoutSnapshots, { category: 'auditlog', id, point: { revision: 2n ** 63n } }),
    ).rejects.toMatchObject({ code: 'VALIDATION', reason: 'INVALID_REVISION' });
    await expect(
      aggregateAt(withoutSnapshots, {
        category: 'auditlog',
        id,
        point: { at: new Date('0000-06-01T00:00:00Z') },
      }),
    ).rejects.toMatchObject({ code: 'VALIDATION', reason: 'INVALID_TIME' });
  });

  it('keeps states the encoding can represent, and refuses the ones it cannot', () => {
    const state = {
      n: 12n,
      at: new Date(START),
      tags: new Set(['a']),
      byId: new Map([['x', { y: undefined }]]),
    };
    expect(encodeState(state)).toBeDefined();
    expect(encodeState({ when: () => 1 })).toBeUndefined();
    expect(encodeState({ $snapshot: 'bigint', value: '1' })).toBeUndefined();
  });
});
