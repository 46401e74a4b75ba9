/**
 * Audit replay benchmark: a history of ≥10,000 events (users registering and editing their
 * profiles, one event per append, interleaved across streams as real traffic is; a tenth of the
 * users forgotten; anchors every 1,000 events), exported, then replayed into a second, empty
 * database: verify (SHA-256, chains, anchors), load through the EventStore port, rebuild every
 * registered read model. Baseline in the same run: a plain multi-row INSERT of the same rows into
 * a copy of es_events (no chain, no expected-revision check), the ceiling for loading.
 */
import { randomUUID } from 'node:crypto';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { anchorRound } from '../src/audit/anchoring-loop.ts';
import { listAnchors } from '../src/audit/anchors.ts';
import { exportEvents } from '../src/audit/export.ts';
import { REPLAY_SESSION, replayExport } from '../src/audit/replay.ts';
import { readModelChecksums } from '../src/audit/table-checksums.ts';
import { createEventCodec } from '../src/commands/event-codec.ts';
import { eventId } from '../src/commands/event-ids.ts';
import { eventMetadata } from '../src/commands/event-metadata.ts';
import { userStream } from '../src/domain/identity/streams.ts';
import { type UserEvent, userEventCatalogue } from '../src/domain/identity/user-events.ts';
import { PostgresEventStore } from '../src/eventstore/postgres/postgres-event-store.ts';
import { migrate } from '../src/infra/migrate.ts';
import { createLogger } from '../src/logger.ts';
import { PostgresPersonalDataKeys } from '../src/privacy/postgres-personal-data-keys.ts';
import { InProcessChangeBus } from '../src/projections/change-bus.ts';
import { rebuildProjections } from '../src/projections/rebuild.ts';
import { createProjections } from '../src/projections/registry.ts';
import { printMachine, ratio, round } from './support/machine.ts';
import { benchDatabase } from './support/postgres.ts';

const USERS = Number(process.env.BENCH_USERS ?? 1000);
const EVENTS_PER_USER = 10;
const SEED_CONCURRENCY = 8;
const log = createLogger('warn', { component: 'bench' });

function system(url: string, replayTarget = false) {
  const pool = new pg.Pool({ connectionString: url, max: 10, ...(replayTarget ? REPLAY_SESSION : {}) });
  const store = new PostgresEventStore({ connectionString: url, log, pool });
  const keys = new PostgresPersonalDataKeys(pool);
  const codec = createEventCodec(keys);
  const projections = createProjections({ codec });
  const bus = new InProcessChangeBus();
  return {
    pool,
    store,
    keys,
    codec,
    projections,
    bus,
    close: async () => {
      await store.close();
      await pool.end();
    },
  };
}

type System = ReturnType<typeof system>;

/** The event a user's n-th command would store, encoded (personal fields encrypted) by the codec. */
async function userEvent(source: System, userId: string, n: number, now: Date) {
  const commandId = randomUUID();
  const stream = userStream(userId);
  const event: UserEvent =
    n === 0
      ? {
          type: 'UserRegistered',
          data: {
            userId,
            email: `bench-${userId}@example.org`,
            displayName: `Bench ${userId.slice(0, 8)}`,
            passwordHash: 'scrypt$bench$0000',
            role: 'user',
            at: now.toISOString(),
          },
        }
      : { type: 'UserProfileChanged', data: { userId, bio: `Edit ${n} of a bench profile.` } };
  const definition = userEventCatalogue[event.type];
  return source.codec.encode(
    definition,
    event,
    eventMetadata({ commandId, actor: { kind: 'user', userId, role: 'user' }, now }),
    eventId(commandId, stream, 0),
  );
}

async function seed(source: System): Promise<number> {
  const users = Array.from({ length: USERS }, () => randomUUID());
  const now = new Date('2026-01-01T00:00:00Z');
  let count = 0;
  for (let n = 0; n < EVENTS_PER_USER; n++) {
    for (let i = 0; i < users.length; i += SEED_CONCURRENCY) {
      await Promise.all(
        users.slice(i, i + SEED_CONCURRENCY).map(async (userId) => {
          const event = await userEvent(source, userId, n, now);
          await source.store.append(userStream(userId), [event], {
            expectedRevision: n === 0 ? 'no_stream' : BigInt(n - 1),
          });
        }),
      );
      count += Math.min(SEED_CONCURRENCY, users.length - i);
    }
    if (n === EVENTS_PER_USER / 2) {
      await anchorRound(source.store, { everyEvents: 1000, everyMs: 0 }, { now, force: false });
    }
  }
  // A tenth of the people are forgotten: their keys are destroyed and the erasure recorded.
  for (const userId of users.slice(0, USERS / 10)) {
    const destroyed = await source.keys.destroy(userId);
    const commandId = randomUUID();
    const stream = userStream(userId);
    const event = await source.codec.encode(
      userEventCatalogue.UserForgotten,
      {
        type: 'UserForgotten',
        data: {
          userId,
          keyId: destroyed.keyId,
          erasedFields: ['email', 'displayName', 'bio'],
          at: now.toISOString(),
        },
      },
      eventMetadata({ commandId, actor: { kind: 'user', userId, role: 'user' }, now }),
      eventId(commandId, stream, 0),
    );
    await source.store.append(stream, [event], { expectedRevision: BigInt(EVENTS_PER_USER - 1) });
    count++;
  }
  const anchored = await anchorRound(source.store, { everyEvents: 1000, everyMs: 0 }, { now, force: true });
  return count + anchored.written.length;
}

/** The ceiling: the same rows, one multi-row INSERT per 1,000, into a plain copy of es_events. */
async function baselineInsert(pool: pg.Pool, file: string): Promise<number> {
  await pool.query('create table baseline_events (like es_events including defaults)');
  const lines = (await readFile(file, 'utf8')).split('\n').filter((l) => l.length > 0);
  const started = performance.now();
  for (let i = 0; i < lines.length; i += 1000) {
    await pool.query(
      `insert into baseline_events (position, stream_name, revision, event_id, type, data, metadata, hash, created_at)
       select (r->>'position')::bigint, r->>'stream', (r->>'revision')::bigint, (r->>'id')::uuid, r->>'type',
              r->'data', r->'metadata', decode(r->>'hash', 'hex'), (r->>'createdAt')::timestamptz
         from jsonb_array_elements($1::jsonb) r`,
      [`[${lines.slice(i, i + 1000).join(',')}]`],
    );
  }
  return lines.length / ((performance.now() - started) / 1000);
}

async function main() {
  const db = await benchDatabase('audit_replay');
  printMachine({ PostgreSQL: db.version });
  const dir = await mkdtemp(path.join(tmpdir(), 'chronicle-audit-bench-'));
  const source = system(db.url);
  const targetUrl = new URL(db.url);
  targetUrl.pathname = `/bench_audit_replay_target_${Date.now()}`;
  const adminUrl = new URL(db.url);
  adminUrl.pathname = '/postgres';
  let target: System | undefined;
  try {
    const seedStarted = performance.now();
    const seeded = await seed(source);
    console.log(`seeded ${seeded} events in ${((performance.now() - seedStarted) / 1000).toFixed(1)} s`);
    const sourceRebuildStarted = performance.now();
    await rebuildProjections({ ...source, log }, source.projections);
    const sourceRebuildSeconds = (performance.now() - sourceRebuildStarted) / 1000;

    const file = path.join(dir, 'history.ndjson');
    const exported = await exportEvents(
      {
        store: source.store,
        keys: source.keys,
        anchorsWithin: async (from, to) =>
          (await listAnchors(source.store, { from, to }))
            .filter((a) => a.fromPosition >= from && a.toPosition <= to)
            .map((a) => ({
              stream: a.stream,
              fromPosition: a.fromPosition.toString(),
              toPosition: a.toPosition.toString(),
              eventCount: a.eventCount,
              merkleRoot: a.merkleRoot,
              algorithm: a.algorithm,
            })),
      },
      { out: file, toolVersion: 'bench' },
    );
    const { manifest } = exported;
    console.log(
      `export: ${manifest.eventCount} events, ${(manifest.file.bytes / 2 ** 20).toFixed(1)} MiB, ${round(manifest.eventCount / exported.seconds)} events/s, ${manifest.anchors.length} anchors`,
    );

    const admin = new pg.Client({ connectionString: adminUrl.toString() });
    await admin.connect();
    await admin.query(`create database ${pg.escapeIdentifier(targetUrl.pathname.slice(1))}`);
    await admin.end();
    await migrate(targetUrl.toString(), log);
    target = system(targetUrl.toString(), process.env.BENCH_SYNC_COMMIT !== 'on');
    const report = await replayExport({ ...target, log, keepsRecordedAt: true }, { file });
    const rebuild = report.rebuild;
    if (!rebuild) throw new Error('the replay did not rebuild');
    const [sourceSums, targetSums] = await Promise.all([
      readModelChecksums(source.pool, source.projections),
      readModelChecksums(target.pool, target.projections),
    ]);
    const identical = JSON.stringify(sourceSums) === JSON.stringify(targetSums);
    const baseline = await baselineInsert(target.pool, file);

    console.log(
      `replay verify   ${round(report.verify.eventsPerSecond)} events/s (SHA-256 + chains + ${report.anchorsVerified} anchors)`,
    );
    console.log(
      `replay load     ${round(report.load.eventsPerSecond)} events/s through EventStore.append (${ratio(report.load.eventsPerSecond, baseline)} of a plain INSERT of the same rows: ${round(baseline)} events/s)`,
    );
    console.log(
      `replay rebuild  ${round(rebuild.eventsPerSecond)} events/s for ${rebuild.projections.length} read models (the source's own rebuild of all of them: ${round(manifest.eventCount / sourceRebuildSeconds)} events/s)`,
    );
    console.log(`read models identical to the source's (table checksums): ${identical}`);
    console.log(
      JSON.stringify({
        bench: 'audit-replay',
        cores: (await import('node:os')).cpus().length,
        events: report.events,
        exportEventsPerSecond: round(manifest.eventCount / exported.seconds),
        verifyEventsPerSecond: round(report.verify.eventsPerSecond),
        loadEventsPerSecond: round(report.load.eventsPerSecond),
        baselineInsertEventsPerSecond: round(baseline),
        load_ratio: ratio(report.load.eventsPerSecond, baseline),
        rebuildEventsPerSecond: round(rebuild.eventsPerSecond),
        readModels: rebuild.projections.length,
        anchorsVerified: report.anchorsVerified,
        identical,
      }),
    );
  } finally {
    await target?.close();
    await source.close();
    await rm(dir, { recursive: true, force: true });
    await db.stop();
  }
}

await main();
