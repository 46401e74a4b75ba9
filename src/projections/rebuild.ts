import type pg from 'pg';
import type { EventStore, RecordedEvent } from '../eventstore/port.ts';
import type { Logger } from '../logger.ts';
import { applyEvents } from './apply-events.ts';
import type { ChangeBus } from './change-bus.ts';
import { dropGeneration, prepareProjection } from './generations.ts';
import { lowest } from './lowest.ts';
import type { Projection } from './projection.ts';
import { readState, withTransaction } from './state.ts';
import { createTables, pointViews, type TableChecksum, tableChecksums } from './tables.ts';

export interface RebuildDeps {
  store: EventStore;
  pool: pg.Pool;
  bus: ChangeBus;
  log: Logger;
}

export interface RebuildProgress {
  projection: string;
  eventsDone: number;
  eventsPerSecond: number;
  /** Estimated from how far through the log's positions the rebuild is; undefined until measurable. */
  etaSeconds: number | undefined;
}

export interface TableComparison {
  table: string;
  live: TableChecksum;
  rebuilt: TableChecksum;
  same: boolean;
}

export interface RebuildOptions {
  /** Compare the rebuilt tables with the live ones before swapping. */
  compare?: boolean;
  /** false: stop after building (and comparing); the rebuild stays resumable. */
  swap?: boolean;
  batchSize?: number;
  onProgress?: (progress: RebuildProgress) => void;
  signal?: AbortSignal;
}

export interface RebuildReport {
  projection: string;
  generation: number;
  eventsDone: number;
  seconds: number;
  eventsPerSecond: number;
  comparison?: TableComparison[];
  swapped: boolean;
}

interface Job {
  generation: number;
  checkpoint: bigint;
  eventsDone: number;
}

/**
 * Rebuilds a projection without downtime: fills a new generation of its tables from position 0
 * while the live generation keeps serving, then, holding the projection's state row (which the
 * live runner takes for every batch), applies the last events and re-points the views in one
 * transaction. Every batch commits its progress, so a killed rebuild resumes where it stopped.
 */
export async function rebuildProjection(
  deps: RebuildDeps,
  projection: Projection,
  options: RebuildOptions = {},
): Promise<RebuildReport> {
  const [report] = await rebuildProjections(deps, [projection], options);
  if (!report) throw new Error(`Rebuild of ${projection.name} reported nothing`);
  return report;
}

interface RunningJob extends Job {
  projection: Projection;
  startedDone: number;
  firstCheckpoint: bigint;
}

/**
 * rebuildProjection for several projections in one pass over the log: each batch of events is
 * read once and applied to every rebuilt projection that handles some of it, in one transaction.
 * Rebuilding every read model costs about the sum of their apply work, not one read of the log each.
 */
export async function rebuildProjections(
  deps: RebuildDeps,
  projections: readonly Projection[],
  options: RebuildOptions = {},
): Promise<RebuildReport[]> {
  const { pool, log } = deps;
  const started = performance.now();
  const batchSize = options.batchSize ?? 5000;
  const jobs: RunningJob[] = [];
  for (const projection of [...projections].sort((a, b) => (a.name < b.name ? -1 : 1))) {
    await prepareProjection(pool, projection);
    const job = await beginOrResume(pool, projection);
    jobs.push({ ...job, projection, startedDone: job.eventsDone, firstCheckpoint: job.checkpoint });
    log.info(
      { projection: projection.name, generation: job.generation, from: job.checkpoint.toString() },
      'rebuild started',
    );
  }
  const head = (await deps.store.readAll({ direction: 'backwards', maxCount: 1 }))[0]?.position ?? -1n;

  let from = lowest(
    jobs.map((j) => j.checkpoint),
    -1n,
  );
  for (;;) {
    if (options.signal?.aborted) {
      const names = jobs.map((j) => j.projection.name).join(', ');
      throw new Error(`Rebuild of ${names} interrupted; run it again to resume`);
    }
    const events = await readAfter(deps.store, from, batchSize);
    const last = events.at(-1);
    if (!last) break;
    const read = jobs.map((job) => events.filter((e) => e.position > job.checkpoint));
    await withTransaction(
      pool,
      async (client) => {
        for (const [i, job] of jobs.entries()) {
          await lockJob(client, job.projection.name, job.generation);
          const mine = read[i] ?? [];
          if (mine.length > 0) await applyEvents(client, job.projection, job.generation, mine);
        }
        await client.query(
          `update projection_rebuilds r
            set checkpoint = $2, events_done = events_done + d.done, updated_at = now()
           from unnest($1::text[], $3::bigint[]) as d(name, done)
          where r.name = d.name`,
          [jobs.map((j) => j.projection.name), last.position.toString(), read.map((r) => r.length)],
        );
      },
      { readModel: true },
    );
    for (const [i, job] of jobs.entries()) {
      job.checkpoint = last.position;
      job.eventsDone += read[i]?.length ?? 0;
      options.onProgress?.(
        progress(job.projection.name, job, job.startedDone, started, job.firstCheckpoint, head),
      );
    }
    from = last.position;
  }

  const reports: RebuildReport[] = [];
  for (const job of jobs) {
    const { projection } = job;
    const comparison = options.compare ? await compare(pool, projection, job.generation) : undefined;
    const swapped = options.swap !== false;
    if (swapped) await swap(deps, projection, job);
    const seconds = (performance.now() - started) / 1000;
    const report: RebuildReport = {
      projection: projection.name,
      generation: job.generation,
      eventsDone: job.eventsDone,
      seconds,
      eventsPerSecond: (job.eventsDone - job.startedDone) / seconds,
      swapped,
      ...(comparison ? { comparison } : {}),
    };
    log.info(
      { ...report, comparison: undefined },
      swapped ? 'rebuild swapped in' : 'rebuild built, not swapped',
    );
    reports.push(report);
  }
  return reports;
}

/** Drops a rebuild's tables and forgets it; the live generation is untouched. */
export async function abandonRebuild(pool: pg.Pool, projectionName: string): Promise<boolean> {
  return withTransaction(pool, async (client) => {
    const { rows } = await client.query<{ generation: number }>(
      'delete from projection_rebuilds where name = $1 returning generation',
      [projectionName],
    );
    const [row] = rows;
    if (!row) return false;
    await dropGeneration(client, projectionName, row.generation);
    await client.query(
      `update projection_state set status = 'live' where name = $1 and status = 'rebuilding'`,
      [projectionName],
    );
    return true;
  });
}

async function beginOrResume(pool: pg.Pool, projection: Projection): Promise<Job> {
  return withTransaction(pool, async (client) => {
    const state = await readState(client, projection.name, true);
    if (!state) throw new Error(`Projection ${projection.name} has no state`);
    const { rows } = await client.query<{
      code_version: number;
      generation: number;
      checkpoint: string;
      events_done: string;
    }>(
      'select code_version, generation, checkpoint, events_done from projection_rebuilds where name = $1 for update',
      [projection.name],
    );
    const [existing] = rows;
    if (existing && existing.code_version === projection.version) {
      return {
        generation: existing.generation,
        checkpoint: BigInt(existing.checkpoint),
        eventsDone: Number(existing.events_done),
      };
    }
    if (existing) await dropGeneration(client, projection.name, existing.generation);
    const generation = Math.max(state.generation, existing?.generation ?? 0) + 1;
    await dropGeneration(client, projection.name, generation);
    await createTables(client, projection, generation);
    await client.query(
      `insert into projection_rebuilds (name, code_version, generation) values ($1, $2, $3)
       on conflict (name) do update set code_version = excluded.code_version, generation = excluded.generation,
         checkpoint = -1, events_done = 0, started_at = now(), updated_at = now()`,
      [projection.name, projection.version, generation],
    );
    return { generation, checkpoint: -1n, eventsDone: 0 };
  });
}

async function swap(deps: RebuildDeps, projection: Projection, job: Job): Promise<void> {
  const { pool, store, bus } = deps;
  const previous = await withTransaction(pool, async (client) => {
    const state = await readState(client, projection.name, true);
    if (!state) throw new Error(`Projection ${projection.name} has no state`);
    await lockJob(client, projection.name, job.generation);
    // The live runner is blocked on the state row now: whatever we apply here is the last word.
    for (;;) {
      const events = await readAfter(store, job.checkpoint, 5000);
      const last = events.at(-1);
      if (!last) break;
      await applyEvents(client, projection, job.generation, events);
      job.checkpoint = last.position;
      job.eventsDone += events.length;
    }
    await pointViews(client, projection, job.generation);
    await client.query(
      `update projection_state
          set generation = $2, code_version = $3, checkpoint = $4, status = 'live', error = null,
              error_position = null, failed_at = null, attempts = 0, updated_at = now()
        where name = $1`,
      [projection.name, job.generation, projection.version, job.checkpoint.toString()],
    );
    await client.query('delete from projection_rebuilds where name = $1', [projection.name]);
    return state.generation;
  });
  await withTransaction(pool, (client) => dropGeneration(client, projection.name, previous));
  await bus.publish({
    projection: projection.name,
    position: job.checkpoint.toString(),
    keys: [],
    truncated: true,
  });
}

async function lockJob(client: pg.ClientBase, name: string, generation: number): Promise<void> {
  const { rows } = await client.query<{ generation: number }>(
    'select generation from projection_rebuilds where name = $1 for update',
    [name],
  );
  if (rows[0]?.generation !== generation) {
    throw new Error(`The rebuild of ${name} (generation ${generation}) was abandoned or replaced`);
  }
}

async function compare(
  pool: pg.Pool,
  projection: Projection,
  generation: number,
): Promise<TableComparison[]> {
  const client = await pool.connect();
  try {
    const state = await readState(client, projection.name);
    if (!state) return [];
    const live = await tableChecksums(client, projection, state.generation).catch(() => ({}));
    const rebuilt = await tableChecksums(client, projection, generation);
    return Object.entries(rebuilt).map(([table, r]) => {
      const l: TableChecksum = (live as Record<string, TableChecksum>)[table] ?? {
        rows: 0,
        checksum: '(missing)',
      };
      return { table, live: l, rebuilt: r, same: l.rows === r.rows && l.checksum === r.checksum };
    });
  } finally {
    client.release();
  }
}

function readAfter(store: EventStore, checkpoint: bigint, maxCount: number): Promise<RecordedEvent[]> {
  return store.readAll({ fromPosition: checkpoint < 0n ? 'start' : checkpoint + 1n, maxCount });
}

function progress(
  projection: string,
  job: Job,
  startedDone: number,
  started: number,
  firstCheckpoint: bigint,
  head: bigint,
): RebuildProgress {
  const seconds = (performance.now() - started) / 1000;
  const eventsPerSecond = (job.eventsDone - startedDone) / seconds;
  const span = Number(head - firstCheckpoint);
  const covered = Number(job.checkpoint - firstCheckpoint);
  const etaSeconds =
    span > 0 && covered > 0 && head > job.checkpoint ? (seconds * (span - covered)) / covered : undefined;
  return { projection, eventsDone: job.eventsDone, eventsPerSecond, etaSeconds };
}
