import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { PostgresEventStore } from '../../src/eventstore/postgres/postgres-event-store.ts';
import { createLogger } from '../../src/logger.ts';
import { InProcessChangeBus } from '../../src/projections/change-bus.ts';
import type { Projection } from '../../src/projections/projection.ts';
import { Projector } from '../../src/projections/projector.ts';
import { rebuildProjection, rebuildProjections } from '../../src/projections/rebuild.ts';
import { readAllStates } from '../../src/projections/state.ts';
import { tableChecksums } from '../../src/projections/tables.ts';
import { waitForPosition } from '../../src/projections/wait-for-position.ts';
import { event } from '../eventstore/conformance.ts';
import { freshDatabase } from '../support/database.ts';
import { ledger } from './fixtures/ledger.ts';

/** A second read model over other events, so a batch can touch one, both or neither. */
const notes: Projection = {
  name: 'notes',
  version: 1,
  eventTypes: ['Noted'],
  tables: {
    notes_by_stream: { columns: 'stream text not null, count int not null', primaryKey: ['stream'] },
  },
  async apply(e, writer) {
    const current = await writer.get('notes_by_stream', { stream: e.streamName });
    writer.upsert('notes_by_stream', { stream: e.streamName, count: Number(current?.count ?? 0) + 1 });
  },
};
/** Counts events per bucket (a bigint key), reading its rows ahead in bulk. */
const buckets: Projection = {
  name: 'buckets',
  version: 1,
  eventTypes: ['Deposited'],
  tables: {
    bucket_counts: { columns: 'bucket bigint not null, count int not null', primaryKey: ['bucket'] },
  },
  prefetch: (events) => events.map((e) => ({ table: 'bucket_counts', key: { bucket: bucketOf(e.data) } })),
  async apply(e, writer) {
    const key = { bucket: bucketOf(e.data) };
    const current = await writer.get('bucket_counts', key);
    writer.upsert('bucket_counts', { ...key, count: Number(current?.count ?? 0) + 1 });
  },
};
const bucketOf = (data: unknown) => String(Number((data as { amount: number }).amount) % 3);
const renamed = (projection: Projection, version: number): Projection => ({ ...projection, version });

describe('one reader for every projection', () => {
  let pool: pg.Pool;
  let store: PostgresEventStore;
  let commits = 0;
  const bus = new InProcessChangeBus();
  const log = createLogger(process.env.TEST_LOG_LEVEL ?? 'silent');
  let projector: Projector | undefined;

  /** A pool for the projector that counts the transactions it commits. */
  const counting = (connectionString: string): pg.Pool => {
    const counted = new pg.Pool({ connectionString, max: 4 });
    counted.on('connect', (client) => {
      const query = client.query.bind(client) as (...args: unknown[]) => unknown;
      (client as { query: unknown }).query = (...args: unknown[]) => {
        if (args[0] === 'commit') commits++;
        return query(...args);
      };
    });
    return counted;
  };
  let projectorPool: pg.Pool;

  beforeAll(async () => {
    const url = await freshDatabase('group');
    pool = new pg.Pool({ connectionString: url, max: 8 });
    projectorPool = counting(url);
    store = new PostgresEventStore({ connectionString: url, log, pollIntervalMs: 100 });
  });
  afterEach(async () => {
    await projector?.stop();
    projector = undefined;
  });
  afterAll(async () => {
    await store.close();
    await pool.end();
    await projectorPool.end();
  });

  it('commits once per batch however many read models it touches, and not at all for none', async () => {
    projector = new Projector({ store, pool: projectorPool, bus, log }, [ledger, notes], {
      lazyCheckpointMs: 60_000,
    });
    await projector.start();
    const warm = await store.append(`account-${randomUUID()}`, [event('Deposited', { amount: 1 })]);
    expect(
      await waitForPosition(pool, bus, warm.position, { timeoutMs: 5000, projections: ['ledger'] }),
    ).toBe(true);

    commits = 0;
    const stream = `account-${randomUUID()}`;
    // One append, so one batch: both read models in one transaction.
    const both = await store.append(stream, [event('Deposited', { amount: 5 }), event('Noted')]);
    expect(
      await waitForPosition(pool, bus, both.position, { timeoutMs: 5000, projections: ['ledger', 'notes'] }),
    ).toBe(true);
    expect(commits).toBe(1);

    // Events neither handles: no commit, and the stored checkpoints stay where they were.
    const before = await readAllStates(pool);
    for (let i = 0; i < 20; i++) await store.append(`other-${randomUUID()}`, [event('Ignored')]);
    await new Promise((r) => setTimeout(r, 500));
    expect(commits).toBe(1);
    expect(await readAllStates(pool)).toEqual(before);

    // The next handled event moves the checkpoint past all of them.
    const last = await store.append(stream, [event('Noted')]);
    expect(await waitForPosition(pool, bus, last.position, { timeoutMs: 5000, projections: ['notes'] })).toBe(
      true,
    );
    const { rows } = await pool.query('select count from notes_by_stream where stream = $1', [stream]);
    expect(rows).toEqual([{ count: 2 }]);
  });

  it('writes a checkpoint that saw only foreign events lazily, once it is due', async () => {
    projector = new Projector({ store, pool, bus, log }, [ledger, notes], { lazyCheckpointMs: 200 });
    await projector.start();
    const { position } = await store.append(`other-${randomUUID()}`, [event('Ignored')]);
    await expect
      .poll(async () => (await readAllStates(pool)).every((s) => s.checkpoint >= position), { timeout: 5000 })
      .toBe(true);
  });

  it('rebuilds several projections in one pass to the same tables as one at a time', async () => {
    for (let i = 0; i < 30; i++) {
      await store.append(`account-${randomUUID()}`, [
        event('Deposited', { amount: i }),
        event(i % 3 === 0 ? 'Noted' : 'Ignored'),
      ]);
    }
    const deps = { store, pool, bus, log };
    const [ledger2, notes2] = [renamed(ledger, 2), renamed(notes, 2)];
    const together = await rebuildProjections(deps, [ledger2, notes2], { batchSize: 7 });
    expect(together.map((r) => [r.projection, r.swapped])).toEqual([
      ['ledger', true],
      ['notes', true],
    ]);
    const [ledgerTogether, notesTogether] = await Promise.all([
      tableChecksums(pool, ledger2, together[0]?.generation ?? -1),
      tableChecksums(pool, notes2, together[1]?.generation ?? -1),
    ]);
    const ledgerAlone = await rebuildProjection(deps, renamed(ledger, 3));
    const notesAlone = await rebuildProjection(deps, renamed(notes, 3));
    expect(await tableChecksums(pool, renamed(ledger, 3), ledgerAlone.generation)).toEqual(ledgerTogether);
    expect(await tableChecksums(pool, renamed(notes, 3), notesAlone.generation)).toEqual(notesTogether);
    expect(Number(notesTogether.notes_by_stream?.rows)).toBeGreaterThan(0);
  });

  it('reads rows ahead in bulk without losing what earlier batches wrote', async () => {
    const deps = { store, pool, bus, log };
    // Its own deposits, so it does not depend on what the tests before it wrote.
    for (let i = 0; i < 12; i++)
      await store.append(`account-${randomUUID()}`, [event('Deposited', { amount: i })]);
    // Small batches: most rows a batch reads ahead were written by an earlier one.
    const [report] = await rebuildProjections(deps, [buckets], { batchSize: 5 });
    const { rows } = await pool.query<{ bucket: string; count: number }>(
      'select bucket::text, count from bucket_counts order by bucket',
    );
    const deposits = await store.readAll({ filter: { eventTypePrefixes: ['Deposited'] } });
    const expected = new Map<string, number>();
    for (const e of deposits.filter((d) => d.type === 'Deposited'))
      expected.set(bucketOf(e.data), (expected.get(bucketOf(e.data)) ?? 0) + 1);
    expect(report?.swapped).toBe(true);
    expect([...expected.values()].reduce((a, b) => a + b, 0)).toBeGreaterThanOrEqual(12);
    expect(rows).toEqual([...expected].sort().map(([bucket, count]) => ({ bucket, count })));
  });
});
