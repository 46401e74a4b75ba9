/**
 * Event store benchmark: the embedded PostgreSQL adapter against the ceiling of the same work
 * done with plain SQL on the same server and pool size (rows of the same size into a bare table).
 * Prints the machine, each figure with its ceiling and ratio, and one JSON line at the end.
 */
import { randomUUID } from 'node:crypto';
import pg from 'pg';
import type { EventToAppend } from '../src/eventstore/port.ts';
import { PostgresEventStore } from '../src/eventstore/postgres/postgres-event-store.ts';
import { createLogger } from '../src/logger.ts';
import { printMachine, ratio, round, throughput } from './support/machine.ts';
import { benchDatabase } from './support/postgres.ts';

const SECONDS = Number(process.env.BENCH_SECONDS ?? 5);
const CATCH_UP_EVENTS = Number(process.env.BENCH_CATCH_UP_EVENTS ?? 100_000);
const POOL = 20;

// A typical command event: a few fields of data and the pipeline's metadata.
const data = (i: number) => ({
  title: `Quarterly update ${i}`,
  body: 'Lorem ipsum dolor sit amet, consectetur adipiscing elit, sed do eiusmod tempor incididunt.',
  tags: ['news', 'finance'],
  version: i,
});
const metadata = () => ({
  commandId: randomUUID(),
  correlationId: randomUUID(),
  causationId: randomUUID(),
  actor: 'user:5d0c4b52-3a58-4c59-9a43-8f1f2a7f0e11',
  occurredAt: new Date().toISOString(),
  schemaVersion: 1,
});
const newEvent = (i: number): EventToAppend => ({
  id: randomUUID(),
  type: 'ContentEdited',
  data: data(i),
  metadata: metadata(),
});

async function main() {
  const db = await benchDatabase('eventstore');
  printMachine({ PostgreSQL: db.version });
  console.log(`phases: ${SECONDS} s each; catch-up over ${CATCH_UP_EVENTS} events\n`);

  const store = new PostgresEventStore({
    connectionString: db.url,
    log: createLogger('warn'),
    poolSize: POOL,
  });
  const plain = new pg.Pool({ connectionString: db.url, max: POOL });
  plain.on('error', () => {}); // idle clients see the server stop at the end
  await plain.query(
    'create table bench_plain (id bigserial primary key, stream text not null, event_id uuid not null, type text not null, data jsonb not null, metadata jsonb not null)',
  );
  const plainInsert = (events: EventToAppend[], stream: string) => {
    const values = events.map(
      (_, i) => `($${i * 5 + 1}, $${i * 5 + 2}, $${i * 5 + 3}, $${i * 5 + 4}, $${i * 5 + 5})`,
    );
    const params = events.flatMap((e) => [
      stream,
      e.id,
      e.type,
      JSON.stringify(e.data),
      JSON.stringify(e.metadata),
    ]);
    return plain.query(
      `insert into bench_plain (stream, event_id, type, data, metadata) values ${values.join(',')}`,
      params,
    );
  };

  const figures: Record<string, number> = {};
  const report = (label: string, key: string, value: number, ceiling: number, unit: string) => {
    figures[`${key}`] = round(value);
    figures[`${key}_ceiling`] = round(ceiling);
    figures[`${key}_ratio`] = ratio(value, ceiling);
    console.log(
      `${label.padEnd(44)} ${round(value).toString().padStart(8)} ${unit}   ceiling ${round(ceiling).toString().padStart(8)}   ratio ${ratio(value, ceiling)}`,
    );
  };

  for (const writers of [1, 16]) {
    const revisions = new Map<number, bigint>();
    const streams = Array.from({ length: writers }, () => `bench-${randomUUID()}`);
    const appends = await throughput(writers, SECONDS, async (w, i) => {
      const result = await store.append(streams[w] ?? '', [newEvent(i)], {
        expectedRevision: revisions.get(w) ?? 'no_stream',
      });
      revisions.set(w, result.nextExpectedRevision);
    });
    const inserts = await throughput(writers, SECONDS, (w, i) =>
      plainInsert([newEvent(i)], streams[w] ?? ''),
    );
    report(
      `appends/s, ${writers} writer(s), 1 event each`,
      `appends_per_s_${writers}w`,
      appends.opsPerSecond,
      inserts.opsPerSecond,
      'ops/s',
    );
  }

  {
    const stream = `bench-${randomUUID()}`;
    let revision: bigint | 'no_stream' = 'no_stream';
    const batches = await throughput(1, SECONDS, async () => {
      const result = await store.append(
        stream,
        Array.from({ length: 100 }, (_, i) => newEvent(i)),
        {
          expectedRevision: revision,
        },
      );
      revision = result.nextExpectedRevision;
    });
    const inserts = await throughput(1, SECONDS, () =>
      plainInsert(
        Array.from({ length: 100 }, (_, i) => newEvent(i)),
        stream,
      ),
    );
    report(
      'events/s, batches of 100, 1 writer',
      'batch100_events_per_s',
      batches.opsPerSecond * 100,
      inserts.opsPerSecond * 100,
      'ev/s',
    );
  }

  // Top both tables up to the catch-up size, then read everything back.
  const count = async (table: string) =>
    Number((await plain.query(`select count(*)::int as n from ${table}`)).rows[0]?.n);
  for (let have = await count('es_events'); have < CATCH_UP_EVENTS; have += 1000) {
    await store.append(
      `seed-${randomUUID()}`,
      Array.from({ length: 1000 }, (_, i) => newEvent(i)),
    );
  }
  for (let have = await count('bench_plain'); have < CATCH_UP_EVENTS; have += 1000) {
    await plainInsert(
      Array.from({ length: 1000 }, (_, i) => newEvent(i)),
      `seed-${randomUUID()}`,
    );
  }
  const eventTotal = await count('es_events');
  const plainTotal = await count('bench_plain');

  const plainScan = await timed(async () => {
    let after = 0;
    for (;;) {
      const { rows } = await plain.query<{ id: string }>(
        'select * from bench_plain where id > $1 order by id limit 1000',
        [after],
      );
      if (rows.length === 0) return;
      after = Number(rows.at(-1)?.id);
    }
  });
  const plainRate = plainTotal / plainScan;

  const readAllTime = await timed(async () => {
    let from: bigint | 'start' = 'start';
    for (;;) {
      const page = await store.readAll({ fromPosition: from, maxCount: 1000 });
      const last = page.at(-1);
      if (!last) return;
      from = last.position + 1n;
    }
  });
  report(
    'readAll events/s, pages of 1000',
    'readall_events_per_s',
    eventTotal / readAllTime,
    plainRate,
    'ev/s',
  );

  const catchUpTime = await timed(async () => {
    let seen = 0;
    for await (const _ of store.subscribeToAll({ fromPosition: 'start' })) {
      if (++seen === eventTotal) break;
    }
  });
  report(
    `catch-up subscription events/s (${eventTotal} events)`,
    'catchup_events_per_s',
    eventTotal / catchUpTime,
    plainRate,
    'ev/s',
  );

  await store.close();
  await plain.end();
  await db.stop();
  console.log(
    `\nceilings: plain INSERT into a bare table (same pool, same row size); plain paged SELECT for reads.`,
  );
  console.log(
    JSON.stringify({ bench: 'eventstore', cores: (await import('node:os')).cpus().length, ...figures }),
  );
}

async function timed(work: () => Promise<void>): Promise<number> {
  const started = performance.now();
  await work();
  return (performance.now() - started) / 1000;
}

await main();
