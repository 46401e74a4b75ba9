import type pg from 'pg';
import type { Logger } from '../logger.ts';
import { type AggregateAtDeps, aggregateAt } from './aggregate-at.ts';
import { AUDITED_AGGREGATES } from './aggregate-registry.ts';

export interface SnapshotLoopSettings {
  /** Streams folded per round. */
  batch?: number;
  pollMs?: number;
}

/**
 * Streams of audited aggregates whose last revision passed a snapshot boundary that no current
 * snapshot covers yet (the stream catalogue read model says how long each stream is, so this
 * works whichever event store holds the events). Longest first: they cost an auditor the most.
 */
const DUE_SQL = `
  select c.stream_name, c.category, c.last_revision
    from stream_catalogue c
   where c.category = any($1::text[])
     and c.last_revision >= $2::bigint - 1
     and not exists (select 1 from unnest($5::text[], $6::bigint[]) skipped(stream_name, boundary)
                      where skipped.stream_name = c.stream_name
                        and skipped.boundary = (c.last_revision + 1) / $2::bigint * $2::bigint - 1)
     and coalesce((select max(s.revision) from audit_snapshots s
                    where s.stream_name = c.stream_name and s.fingerprint = any($3::text[])), -1)
         < (c.last_revision + 1) / $2::bigint * $2::bigint - 1
   order by c.last_revision desc
   limit $4`;

/**
 * Keeps `aggregateAt` fast from an auditor's first question on: `aggregateAt` writes snapshots
 * as its folds pass each multiple of `every`, so without this the first query of a long stream
 * pays the whole fold. Runs in the projector role, folding due streams in the background. A
 * stream whose state cannot be snapshotted (several people's personal data in one state) is
 * remembered and not folded again until it grows past the next boundary. Several processes may
 * run it: at worst two fold the same stream and write the same snapshot (its key is unique).
 */
export class SnapshotLoop {
  private readonly controller = new AbortController();
  private running: Promise<void> | undefined;
  /** Stream → the boundary it was last folded for without yielding a snapshot. */
  private readonly unsnapshottable = new Map<string, bigint>();
  private readonly every: number;

  constructor(
    private readonly pool: pg.Pool,
    private readonly deps: AggregateAtDeps & { snapshots: NonNullable<AggregateAtDeps['snapshots']> },
    private readonly log: Logger,
    private readonly settings: SnapshotLoopSettings = {},
  ) {
    this.every = deps.snapshots.every;
  }

  start(): void {
    this.running ??= this.run();
  }

  async stop(): Promise<void> {
    this.controller.abort();
    await this.running;
  }

  /** One round: folds the due streams; returns how many were folded. */
  async round(): Promise<number> {
    const { rows } = await this.pool.query<{ stream_name: string; category: string; last_revision: string }>(
      DUE_SQL,
      [
        AUDITED_AGGREGATES.map((a) => a.category),
        this.every,
        AUDITED_AGGREGATES.map((a) => a.fingerprint),
        this.settings.batch ?? 20,
        // Streams skipped at their current boundary stay out of the batch, so they cannot fill it.
        [...this.unsnapshottable.keys()],
        [...this.unsnapshottable.values()].map(String),
      ],
    );
    let folded = 0;
    for (const row of rows) {
      if (this.controller.signal.aborted) break;
      const revision = BigInt(row.last_revision);
      const boundary = boundaryOf(revision, this.every);
      const id = row.stream_name.slice(row.category.length + 1);
      try {
        await aggregateAt(this.deps, { category: row.category, id, point: { revision } });
        folded++;
        if (!(await this.covered(row, boundary))) this.unsnapshottable.set(row.stream_name, boundary);
      } catch (error) {
        // One stream that cannot be folded (undecodable, deleted) must not hold up all the others.
        this.log.warn({ err: error, stream: row.stream_name }, 'could not fold a stream for its snapshot');
        this.unsnapshottable.set(row.stream_name, boundary);
      }
    }
    return folded;
  }

  /** A current snapshot (this decider's fingerprint) at the boundary or beyond. */
  private async covered(row: { stream_name: string; category: string }, boundary: bigint): Promise<boolean> {
    const fingerprint = AUDITED_AGGREGATES.find((a) => a.category === row.category)?.fingerprint ?? '';
    const { rows } = await this.pool.query(
      'select 1 from audit_snapshots where stream_name = $1 and fingerprint = $2 and revision >= $3 limit 1',
      [row.stream_name, fingerprint, boundary.toString()],
    );
    return rows.length > 0;
  }

  private async run(): Promise<void> {
    const { signal } = this.controller;
    const pollMs = this.settings.pollMs ?? 10_000;
    let failures = 0;
    while (!signal.aborted) {
      try {
        const folded = await this.round();
        if (folded > 0) this.log.debug({ streams: folded }, 'audit snapshots brought up to date');
        failures = 0;
      } catch (error) {
        if (signal.aborted) return;
        failures++;
        this.log.warn({ err: error, failures }, 'audit snapshots could not be written; retrying');
      }
      await sleep(failures === 0 ? pollMs : Math.min(120_000, pollMs * 2 ** failures), signal);
    }
  }
}

/** The last revision a snapshot can be taken at for a stream whose last revision is `revision`. */
const boundaryOf = (revision: bigint, every: number) =>
  ((revision + 1n) / BigInt(every)) * BigInt(every) - 1n;

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve();
    const timer = setTimeout(done, ms);
    signal.addEventListener('abort', done, { once: true });
    function done() {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    }
  });
}
