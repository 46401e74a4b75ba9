import { randomUUID } from 'node:crypto';
import { chmod, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { anchorRound } from '../../src/audit/anchoring-loop.ts';
import { verifyAll } from '../../src/audit/verify.ts';
import type { EventToAppend } from '../../src/eventstore/port.ts';
import { PostgresEventStore } from '../../src/eventstore/postgres/postgres-event-store.ts';
import { migrate } from '../../src/infra/migrate.ts';
import { createLogger } from '../../src/logger.ts';
import { freePort } from '../support/ports.ts';
import {
  createDatabase,
  dumpAndRestore,
  hasPostgresTools,
  startToolCluster,
  type ToolCluster,
} from '../support/postgres-tools.ts';

const log = createLogger('silent');
const event = (type: string, data: unknown = {}): EventToAppend => ({ id: randomUUID(), type, data });
const HOUR = 3_600_000;

/**
 * What an operator does with a backup: pg_dump the store, pg_restore it into a new cluster (whose
 * transaction counter starts far behind the old one's), and carry on there.
 */
describe.skipIf(!hasPostgresTools())(
  'embedded event store across pg_dump and pg_restore into a new cluster',
  () => {
    let dir: string;
    let source: ToolCluster;
    let target: ToolCluster;
    let sourceUrl: string;
    let targetUrl: string;

    beforeAll(async () => {
      dir = await mkdtemp(path.join(tmpdir(), 'chronicle-dump-'));
      await chmod(dir, 0o755);
      [source, target] = await Promise.all([
        freePort().then((port) => startToolCluster(path.join(dir, 'source'), port)),
        freePort().then((port) => startToolCluster(path.join(dir, 'target'), port)),
      ]);
      sourceUrl = await createDatabase(source, 'chronicle');
      targetUrl = await createDatabase(target, 'chronicle');
      await migrate(sourceUrl, log);
    }, 120_000);
    afterAll(async () => {
      await Promise.allSettled([source?.stop(), target?.stop()]);
      await rm(dir, { recursive: true, force: true });
    });

    it('reads the whole history on the new cluster, appends after it, and verifies', async () => {
      const streams = Array.from({ length: 10 }, () => `restored-${randomUUID()}`);
      const sourceStore = new PostgresEventStore({ connectionString: sourceUrl, log });
      const raw = new pg.Pool({ connectionString: sourceUrl, max: 2 });
      try {
        // An old cluster: many transactions behind it.
        await raw.query(
          'do $$ begin for i in 1..3000 loop perform pg_current_xact_id(); commit; end loop; end $$',
        );
        await Promise.all(
          streams.map(async (stream, s) => {
            for (let i = 0; i < 20; i++) await sourceStore.append(stream, [event('Noted', { s, i })]);
          }),
        );
        await sourceStore.append(streams[0] as string, [event('Noted', { last: true })]);
        await anchorRound(sourceStore, { everyEvents: 50, everyMs: HOUR }, { now: new Date(), force: true });
      } finally {
        await sourceStore.close();
      }
      const before = await readEverything(sourceUrl);
      const sourceXid = await currentXid(raw);
      await raw.end();

      await dumpAndRestore(sourceUrl, targetUrl, path.join(dir, 'store.dump'));
      expect(await migrate(targetUrl, log)).toEqual([]);
      const targetPool = new pg.Pool({ connectionString: targetUrl, max: 2 });
      // The situation that broke round 1's positions (transaction id × 2^20): a counter far behind.
      expect(await currentXid(targetPool)).toBeLessThan(sourceXid);
      await targetPool.end();

      const store = new PostgresEventStore({ connectionString: targetUrl, log });
      try {
        const restored = await store.readAll();
        expect(restored.map((e) => [e.position, e.id, e.hash])).toEqual(
          before.map((e) => [e.position, e.id, e.hash]),
        );
        expect(restored.filter((e) => e.type === 'Noted')).toHaveLength(201);

        const head = restored.at(-1)?.position ?? -1n;
        const continued = await store.append(streams[1] as string, [event('AfterRestore')], {
          expectedRevision: 19n,
        });
        const fresh = await store.append(`new-${randomUUID()}`, [event('AfterRestore')]);
        expect(continued.position).toBeGreaterThan(head);
        expect(fresh.position).toBeGreaterThan(continued.position);
        const tail = await store.readAll({ fromPosition: head + 1n });
        expect(tail.map((e) => e.type)).toEqual(['AfterRestore', 'AfterRestore']);
        // From the start too, nothing new sorts before the restored history.
        expect((await store.readAll()).slice(-2).map((e) => e.position)).toEqual([
          continued.position,
          fresh.position,
        ]);

        await anchorRound(store, { everyEvents: 50, everyMs: HOUR }, { now: new Date(), force: true });
        const report = await verifyAll(store);
        expect(report.findings).toEqual([]);
        expect(report.streams.events).toBeGreaterThanOrEqual(203);
        expect(report.unanchored?.events ?? 0).toBe(0);
      } finally {
        await store.close();
      }
    });
  },
);

async function readEverything(url: string) {
  const store = new PostgresEventStore({ connectionString: url, log });
  try {
    return await store.readAll();
  } finally {
    await store.close();
  }
}

async function currentXid(pool: pg.Pool): Promise<bigint> {
  const { rows } = await pool.query<{ xid: string }>('select pg_current_xact_id()::text as xid');
  return BigInt(rows[0]?.xid ?? 0);
}
