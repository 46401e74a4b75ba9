/**
 * Projection benchmark: rebuild of a 200k-event history into a representative read model (a
 * content list: one create and nine edits per item), against the ceiling of the same work in
 * plain SQL (reading the same event rows, multi-row INSERT of the same final rows); every
 * registered read model plus the content list rebuilt together in one pass, against the slowest
 * of them rebuilt alone; and append-to-visible lag under a steady write load, against the event
 * store's own delivery lag.
 */
import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { z } from 'zod';
import { createEventCodec } from '../src/commands/event-codec.ts';
import { PostgresEventStore } from '../src/eventstore/postgres/postgres-event-store.ts';
import { createLogger } from '../src/logger.ts';
import { PostgresPersonalDataKeys } from '../src/privacy/postgres-personal-data-keys.ts';
import { InProcessChangeBus } from '../src/projections/change-bus.ts';
import type { Projection } from '../src/projections/projection.ts';
import { Projector } from '../src/projections/projector.ts';
import { rebuildProjection, rebuildProjections } from '../src/projections/rebuild.ts';
import { createProjections } from '../src/projections/registry.ts';
import { printMachine, ratio, round, throughput } from './support/machine.ts';
import { benchDatabase } from './support/postgres.ts';

const ITEMS = Number(process.env.BENCH_ITEMS ?? 20_000);
const EVENTS_PER_ITEM = 10;
const LAG_SECONDS = Number(process.env.BENCH_SECONDS ?? 10);
const LAG_RATE = Number(process.env.BENCH_LAG_RATE ?? 500);

const contentData = z.object({ brand: z.string().optional(), title: z.string(), body: z.string() });

const contentList: Projection = {
  name: 'bench_content',
  version: 1,
  // Not the content context's own type names: its projection must not read these.
  eventTypes: ['BenchContentCreated', 'BenchContentEdited'],
  tables: {
    bench_content_list: {
      columns: `id text not null, brand text not null, title text not null, body text not null,
        version int not null, created_at timestamptz not null, updated_at timestamptz not null`,
      primaryKey: ['id'],
      indexes: ['(brand, updated_at desc)'],
    },
  },
  async apply(event, writer) {
    const data = contentData.parse(event.data);
    const at = event.createdAt.toISOString();
    if (event.type === 'BenchContentCreated') {
      writer.upsert('bench_content_list', {
        id: event.streamName,
        brand: data.brand,
        title: data.title,
        body: data.body,
        version: 1,
        created_at: at,
        updated_at: at,
      });
    } else {
      const current = await writer.get('bench_content_list', { id: event.streamName });
      if (current) {
        writer.upsert('bench_content_list', {
          ...current,
          title: data.title,
          body: data.body,
          version: Number(current.version) + 1,
          updated_at: at,
        });
      }
    }
  },
};

const body =
  'Lorem ipsum dolor sit amet, consectetur adipiscing elit, sed do eiusmod tempor incididunt ut labore.';
const itemEvents = (i: number) =>
  Array.from({ length: EVENTS_PER_ITEM }, (_, n) => ({
    id: randomUUID(),
    type: n === 0 ? 'BenchContentCreated' : 'BenchContentEdited',
    data: { brand: `brand-${i % 50}`, title: `Title ${i} v${n + 1}`, body },
    metadata: { actor: 'user:bench', commandId: randomUUID() },
  }));

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? Number.NaN;
}

async function main() {
  const db = await benchDatabase('projections');
  printMachine({ PostgreSQL: db.version });
  const log = createLogger('warn');
  const store = new PostgresEventStore({ connectionString: db.url, log, poolSize: 20 });
  const pool = new pg.Pool({ connectionString: db.url, max: 10 });
  pool.on('error', () => {});
  const bus = new InProcessChangeBus();
  const figures: Record<string, number> = {};

  // Seed: one append per item (its ten events), sixteen writers.
  const seedStart = performance.now();
  let next = 0;
  await throughput(16, 3600, async () => {
    const i = next++;
    if (i >= ITEMS) throw new Done();
    await store.append(`content-${randomUUID()}`, itemEvents(i), { expectedRevision: 'no_stream' });
  }).catch((e) => {
    if (!(e instanceof Done)) throw e;
  });
  const total = ITEMS * EVENTS_PER_ITEM;
  console.log(`seeded ${total} events in ${((performance.now() - seedStart) / 1000).toFixed(1)} s\n`);

  // Rebuild into the content list.
  const rebuild = await rebuildProjection({ store, pool, bus, log }, contentList, { batchSize: 5000 });

  // Ceiling: the same reads and writes in plain SQL — page through the event rows, then insert
  // the final rows with multi-row INSERTs of 1000.
  const finalRows = (await pool.query('select * from bench_content_list')).rows;
  await pool.query('create table bench_plain_list (like bench_content_list including all)');
  const plainStart = performance.now();
  for (let after = -1n; ; ) {
    const { rows } = await pool.query<{ position: string }>(
      'select * from es_events where position > $1 order by position limit 5000',
      [after.toString()],
    );
    const last = rows.at(-1);
    if (!last) break;
    after = BigInt(last.position);
  }
  for (let i = 0; i < finalRows.length; i += 1000) {
    await pool.query(
      'insert into bench_plain_list select * from jsonb_populate_recordset(null::bench_plain_list, $1::jsonb)',
      [JSON.stringify(finalRows.slice(i, i + 1000))],
    );
  }
  const plainSeconds = (performance.now() - plainStart) / 1000;
  const rebuildRate = rebuild.eventsDone / rebuild.seconds;
  const ceilingRate = total / plainSeconds;
  figures.rebuild_events_per_s = round(rebuildRate);
  figures.rebuild_events_per_s_ceiling = round(ceilingRate);
  figures.rebuild_ratio = ratio(rebuildRate, ceilingRate);
  figures.rebuild_seconds = Math.round(rebuild.seconds * 10) / 10;
  console.log(
    `rebuild ${rebuild.eventsDone} events → ${finalRows.length} rows: ${rebuild.seconds.toFixed(1)} s, ${round(rebuildRate)} ev/s` +
      `   ceiling ${round(ceilingRate)} ev/s (${plainSeconds.toFixed(1)} s)   ratio ${figures.rebuild_ratio}`,
  );

  // Every read model at once: the registered ones (two of which, the stream catalogue and the
  // audit index, read every event) and the content list, rebuilt together in one pass, against
  // each rebuilt alone. The ratio compares with the slowest alone: together costs about the sum
  // of the apply work, no longer one read of the log per read model.
  const everyModel = [
    ...createProjections({ codec: createEventCodec(new PostgresPersonalDataKeys(pool)) }),
    contentList,
  ];
  const together = await rebuildProjections({ store, pool, bus, log }, everyModel, { batchSize: 5000 });
  const togetherSeconds = Math.max(...together.map((r) => r.seconds));
  const togetherRate = total / togetherSeconds;
  let slowest = { name: '', rate: Number.POSITIVE_INFINITY };
  for (const projection of everyModel) {
    const alone = await rebuildProjection({ store, pool, bus, log }, projection, { batchSize: 5000 });
    const rate = alone.eventsDone / alone.seconds;
    if (rate < slowest.rate) slowest = { name: projection.name, rate };
  }
  figures.rebuild_all_read_models = everyModel.length;
  figures.rebuild_all_events_per_s = round(togetherRate);
  figures.rebuild_all_slowest_alone_events_per_s = round(slowest.rate);
  figures.rebuild_all_ratio = ratio(togetherRate, slowest.rate);
  console.log(
    `rebuild all ${everyModel.length} read models together: ${togetherSeconds.toFixed(1)} s, ${round(togetherRate)} ev/s` +
      `   slowest alone (${slowest.name}) ${round(slowest.rate)} ev/s   ratio ${figures.rebuild_all_ratio}`,
  );

  // Lag: steady appends while the projector runs; time from append to the change notification.
  const projector = new Projector({ store, pool, bus, log }, [contentList], { batchSize: 500 });
  await projector.start();
  // Positions can be seen before the appender registers them (the append resolves after the
  // notification went out): both sides remember what they saw, so a late waiter resolves at once.
  const waiting = new Map<bigint, () => void>();
  let projectedUpTo = -1n;
  bus.subscribe((change) => {
    const reached = BigInt(change.position);
    if (reached > projectedUpTo) projectedUpTo = reached;
    for (const [position, resolve] of waiting) if (position <= reached) resolve();
  });
  const items = (await pool.query<{ id: string }>('select id from bench_content_list limit 1000')).rows.map(
    (r) => r.id,
  );
  const raw = new AbortController();
  const rawSeen = new Map<bigint, () => void>();
  const rawDelivered = new Set<bigint>();
  void (async () => {
    for await (const event of store.subscribeToAll({ fromPosition: 'end', signal: raw.signal })) {
      rawDelivered.add(event.position);
      rawSeen.get(event.position)?.();
    }
  })();

  const projected: number[] = [];
  const delivered: number[] = [];
  const until = performance.now() + LAG_SECONDS * 1000;
  const inFlight: Promise<void>[] = [];
  for (let n = 0; performance.now() < until; n++) {
    const id = items[n % items.length] ?? '';
    inFlight.push(
      (async () => {
        const started = performance.now();
        let resolveRaw: () => void = () => {};
        const rawDone = new Promise<void>((r) => {
          resolveRaw = r;
        });
        const event = { id: randomUUID(), type: 'BenchContentEdited', data: { title: `t${n}`, body } };
        const result = await store.append(id, [event]);
        rawSeen.set(result.position, resolveRaw);
        if (rawDelivered.has(result.position)) resolveRaw();
        const visible = new Promise<void>((r) => {
          waiting.set(result.position, r);
          if (projectedUpTo >= result.position) r();
        });
        await Promise.all([
          rawDone.then(() => delivered.push(performance.now() - started)),
          visible.then(() => projected.push(performance.now() - started)),
        ]);
        waiting.delete(result.position);
        rawSeen.delete(result.position);
        rawDelivered.delete(result.position);
      })(),
    );
    await new Promise((r) => setTimeout(r, 1000 / LAG_RATE));
  }
  await Promise.all(inFlight);
  raw.abort();
  await projector.stop();
  projected.sort((a, b) => a - b);
  delivered.sort((a, b) => a - b);
  for (const p of [50, 99]) {
    figures[`lag_ms_p${p}`] = Math.round(percentile(projected, p) * 10) / 10;
    figures[`lag_ms_p${p}_baseline`] = Math.round(percentile(delivered, p) * 10) / 10;
    figures[`lag_p${p}_ratio`] = ratio(percentile(projected, p), percentile(delivered, p));
    console.log(
      `append-to-visible lag p${p} at ${LAG_RATE} appends/s: ${figures[`lag_ms_p${p}`]} ms` +
        `   baseline (append-to-subscriber) ${figures[`lag_ms_p${p}_baseline`]} ms   ratio ${figures[`lag_p${p}_ratio`]}`,
    );
  }
  figures.lag_samples = projected.length;

  await store.close();
  await pool.end();
  await db.stop();
  console.log(
    JSON.stringify({ bench: 'projections', cores: (await import('node:os')).cpus().length, ...figures }),
  );
}

class Done extends Error {}

await main();
