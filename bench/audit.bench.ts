/**
 * Audit benchmark: `aggregateAt` on 10,000-event streams, with snapshots against the same-run
 * baseline without them, and against a plain SELECT of the stream's rows (the floor of any fold
 * that reads every event). Two streams: a video post (no personal data: plain snapshots) and a user
 * who changed their display name 9,999 times (every event encrypted: snapshots sealed under the
 * user's key). Each stream is written by its aggregate's own decider and the event codec, in
 * batches, exactly as the command pipeline would encode it. Prints the machine, p50/p99 per case,
 * and one JSON line at the end.
 */
import { randomUUID } from 'node:crypto';
import { isDeepStrictEqual } from 'node:util';
import pg from 'pg';
import { type AggregateAtDeps, aggregateAt, type PointInTime } from '../src/audit/aggregate-at.ts';
import { DEFAULT_SNAPSHOT_EVERY, postgresSnapshotStore, snapshotMacKey } from '../src/audit/snapshots.ts';
import { createEventCodec, definitionOf, type EventCodec } from '../src/commands/event-codec.ts';
import { eventId } from '../src/commands/event-ids.ts';
import { eventMetadata } from '../src/commands/event-metadata.ts';
import type { AggregateSpec } from '../src/commands/types.ts';
import type { UserCommand } from '../src/domain/identity/user-commands.ts';
import type { Actor, DomainEvent } from '../src/domain/shared/decider.ts';
import type { VideoPostCommand } from '../src/domain/videos/video-commands.ts';
import { videoPostAggregate } from '../src/domain/videos/video-post-decider.ts';
import type { EventStore } from '../src/eventstore/port.ts';
import { PostgresEventStore } from '../src/eventstore/postgres/postgres-event-store.ts';
import { createLogger } from '../src/logger.ts';
import { PostgresPersonalDataKeys } from '../src/privacy/postgres-personal-data-keys.ts';
import { users } from '../src/services/identity/aggregates.ts';
import { printMachine } from './support/machine.ts';
import { benchDatabase } from './support/postgres.ts';

const EVENTS = Number(process.env.BENCH_AUDIT_EVENTS ?? 10_000);
const FAST_RUNS = Number(process.env.BENCH_AUDIT_RUNS ?? 200);
const BASELINE_RUNS = Number(process.env.BENCH_AUDIT_BASELINE_RUNS ?? 20);
const BATCH = 500;
const START = Date.parse('2025-01-01T00:00:00.000Z');
/** Event i occurred i seconds after START. */
const occurredAt = (i: number) => new Date(START + i * 1000);

async function main() {
  const db = await benchDatabase('audit');
  printMachine({ PostgreSQL: db.version });
  console.log(
    `streams of ${EVENTS} events; snapshots every ${DEFAULT_SNAPSHOT_EVERY}; ${FAST_RUNS} runs with snapshots, ${BASELINE_RUNS} without\n`,
  );
  const log = createLogger('warn');
  const pool = new pg.Pool({ connectionString: db.url, max: 10 });
  pool.on('error', () => {}); // idle clients see the server stop at the end
  const store = new PostgresEventStore({ connectionString: db.url, log, pool });
  const keys = new PostgresPersonalDataKeys(pool);
  const codec = createEventCodec(keys);
  const baseline: AggregateAtDeps = { store, codec, keys, log };
  const fast: AggregateAtDeps = {
    ...baseline,
    snapshots: postgresSnapshotStore(pool, snapshotMacKey(new TextEncoder().encode('bench-secret'))),
  };
  const figures: Record<string, number> = {};

  const postId = randomUUID();
  const ownerId = randomUUID();
  const assetId = randomUUID();
  const poster: Actor = { kind: 'user', userId: ownerId, role: 'user' };
  await writeStream(
    { store, codec },
    videoPostAggregate,
    `videopost-${postId}`,
    poster,
    (i): VideoPostCommand =>
      i === 0
        ? {
            type: 'CreateVideoPost',
            postId,
            assetId,
            asset: { assetId, ownerId, kind: 'video', status: 'ready' },
            title: 'Take 0',
          }
        : { type: 'UpdateVideoPost', title: `Take ${i}`, tags: [`t${i % 7}`] },
  );
  const userId = randomUUID();
  const self: Actor = { kind: 'user', userId, role: 'user' };
  await writeStream(
    { store, codec },
    users,
    `user-${userId}`,
    self,
    (i): UserCommand =>
      i === 0
        ? {
            type: 'RegisterUser',
            userId,
            email: `bench-${userId}@example.org`,
            displayName: 'Name 0',
            passwordHash: 'scrypt$bench',
          }
        : { type: 'ChangeProfile', displayName: `Name ${i}` },
  );

  for (const [label, category, id] of [
    ['videopost (plain snapshots)', 'videopost', postId],
    ['user (encrypted snapshots)', 'user', userId],
  ] as const) {
    console.log(`${label}:`);
    const stream = `${category}-${id}`;
    const raw = await sample(BASELINE_RUNS, () =>
      pool.query('select * from es_events where stream_name = $1 order by revision', [stream]),
    );
    line('plain SELECT of the stream`s rows', raw);
    figures[`${category}_select_p50_ms`] = raw.p50;
    const points: [string, PointInTime][] = [
      ['latest revision', { revision: BigInt(EVENTS - 1) }],
      ['middle revision', { revision: BigInt(EVENTS / 2 + 123) }],
      ['at a time (middle)', { at: occurredAt(EVENTS / 2 + 123) }],
    ];
    for (const [name, point] of points) {
      const query = { category, id, point };
      const without = await sample(BASELINE_RUNS, () => aggregateAt(baseline, query));
      await aggregateAt(fast, query); // the first fold writes the snapshots it passes
      const withSnapshots = await sample(FAST_RUNS, () => aggregateAt(fast, query));
      const check = await aggregateAt(fast, query);
      const truth = await aggregateAt(baseline, query);
      if (!isDeepStrictEqual(check.state, truth.state) || check.revision !== truth.revision) {
        throw new Error(`${stream} ${name}: the snapshot answer differs from the fold`);
      }
      line(`aggregateAt ${name}, without snapshots`, without);
      line(
        `aggregateAt ${name}, with snapshots (from ${check.snapshotRevision}, ${check.eventsRead} events read)`,
        withSnapshots,
      );
      const key = `${category}_${name.split(' ')[0]}`;
      figures[`${key}_baseline_p50_ms`] = without.p50;
      figures[`${key}_baseline_p99_ms`] = without.p99;
      figures[`${key}_snapshot_p50_ms`] = withSnapshots.p50;
      figures[`${key}_snapshot_p99_ms`] = withSnapshots.p99;
    }
    console.log('');
  }

  await store.close();
  await pool.end();
  await db.stop();
  console.log('target: aggregateAt on a 10,000-event stream under 100 ms (p99 with snapshots).');
  console.log(
    JSON.stringify({
      bench: 'audit',
      cores: (await import('node:os')).cpus().length,
      events: EVENTS,
      snapshotEvery: DEFAULT_SNAPSHOT_EVERY,
      ...figures,
    }),
  );
}

/**
 * Decides each command against the state folded so far and appends the events in batches with
 * the pipeline's metadata, ids and encoding (one command after another, one second apart).
 */
async function writeStream<Command, Event extends DomainEvent, State>(
  deps: { store: EventStore; codec: EventCodec },
  spec: AggregateSpec<Command, Event, State>,
  stream: string,
  actor: Actor,
  commandAt: (i: number) => Command,
) {
  let state = spec.decider.initialState;
  let expected: bigint | 'no_stream' = 'no_stream';
  let batch: Awaited<ReturnType<EventCodec['encode']>>[] = [];
  const started = performance.now();
  for (let i = 0; i < EVENTS; i++) {
    const commandId = randomUUID();
    const now = occurredAt(i);
    const events = spec.decider.decide(commandAt(i), state, { actor, now });
    const metadata = eventMetadata({ commandId, actor, now });
    for (const [index, event] of events.entries()) {
      state = spec.decider.evolve(state, event);
      const definition = definitionOf(spec.catalogue, event.type);
      if (!definition) throw new Error(`${event.type} is not catalogued`);
      batch.push(await deps.codec.encode(definition, event, metadata, eventId(commandId, stream, index)));
    }
    if (batch.length >= BATCH || i === EVENTS - 1) {
      const appended = await deps.store.append(stream, batch, { expectedRevision: expected });
      expected = appended.nextExpectedRevision;
      batch = [];
    }
  }
  console.log(`wrote ${stream}: ${EVENTS} events in ${Math.round(performance.now() - started)} ms`);
}

interface Sample {
  p50: number;
  p99: number;
  runs: number;
}

async function sample(runs: number, work: () => Promise<unknown>): Promise<Sample> {
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    const started = performance.now();
    await work();
    times.push(performance.now() - started);
  }
  times.sort((a, b) => a - b);
  const at = (q: number) => times[Math.min(times.length - 1, Math.ceil(q * times.length) - 1)] ?? Number.NaN;
  return { p50: round1(at(0.5)), p99: round1(at(0.99)), runs };
}

const round1 = (ms: number) => Math.round(ms * 10) / 10;

function line(what: string, s: Sample) {
  console.log(
    `  ${what.padEnd(78)} p50 ${String(s.p50).padStart(7)} ms  p99 ${String(s.p99).padStart(7)} ms  (${s.runs} runs)`,
  );
}

await main();
