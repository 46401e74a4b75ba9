import type pg from 'pg';
import type { Logger } from '../../logger.ts';

/** One append as es_append_batch takes it: its events already validated and encoded. */
export interface AppendRequest {
  stream: string;
  expected: string;
  count: number;
  /** The events' JSON objects joined by commas (no brackets), as built by appendPayload. */
  events: string;
}

export interface AppendOutcome {
  status: string;
  revision: string | null;
  position: string | null;
}

export interface GroupCommitOptions {
  /** Batches sent at once. Positions serialise commits anyway; more than one measured no faster. */
  maxInFlight?: number;
  /** Appends per batch. */
  maxRequests?: number;
  /** JSON bytes per batch (a single larger append still goes, alone). */
  maxBytes?: number;
}

interface Pending {
  request: AppendRequest;
  resolve(outcome: AppendOutcome): void;
  reject(error: unknown): void;
}

/**
 * Group commit: appends that arrive while a batch is being written wait and go together in the
 * next one, one statement and one commit (one WAL flush) for all of them. Each keeps its own
 * expected-revision check and its own answer; es_append_batch never lets one refusal fail the rest.
 * A batch is a run of the queue that ends before a second append to a stream already in it, so
 * appends take positions in the order they were made (across streams too).
 *
 * If a batch of several fails as a whole (an error the function does not turn into a status, a
 * lost connection), each of its appends is sent again on its own: event ids make that safe, and
 * only the append at fault fails.
 */
export class GroupCommit {
  private readonly queue: Pending[] = [];
  private inFlight = 0;
  private scheduled = false;
  /** Appends in the batch sent last: more than one means callers are appending concurrently. */
  private lastBatch = 0;
  private readonly maxInFlight: number;
  private readonly maxRequests: number;
  private readonly maxBytes: number;

  constructor(
    private readonly pool: pg.Pool,
    private readonly log: Logger,
    options: GroupCommitOptions = {},
  ) {
    this.maxInFlight = options.maxInFlight ?? 1;
    this.maxRequests = options.maxRequests ?? 500;
    this.maxBytes = options.maxBytes ?? 4 * 1024 * 1024;
  }

  submit(request: AppendRequest): Promise<AppendOutcome> {
    return new Promise((resolve, reject) => {
      this.queue.push({ request, resolve, reject });
      // A lone writer goes at once; under concurrency, wait a turn for the others.
      if (this.inFlight === 0 && !this.scheduled && this.lastBatch <= 1) this.pump();
      else this.schedule();
    });
  }

  /**
   * Sends on the next turn of the event loop: the callers a finished batch just answered append
   * again from their continuations, and they should all go in the next batch rather than the
   * first of them alone and the rest after it.
   */
  private schedule(): void {
    if (this.scheduled) return;
    this.scheduled = true;
    setImmediate(() => {
      this.scheduled = false;
      this.pump();
    });
  }

  private pump(): void {
    while (this.inFlight < this.maxInFlight && this.queue.length > 0) {
      const batch = this.take();
      this.lastBatch = batch.length;
      this.inFlight++;
      void this.write(batch).finally(() => {
        this.inFlight--;
        this.schedule();
      });
    }
  }

  /** The longest run at the head of the queue that fits and names each stream once. */
  private take(): Pending[] {
    const streams = new Set<string>();
    let bytes = 0;
    let count = 0;
    for (const pending of this.queue) {
      const size = pending.request.events.length;
      if (count === this.maxRequests || streams.has(pending.request.stream)) break;
      if (count > 0 && bytes + size > this.maxBytes) break;
      streams.add(pending.request.stream);
      bytes += size;
      count++;
    }
    return this.queue.splice(0, count);
  }

  private async write(batch: Pending[]): Promise<void> {
    let rows: (AppendOutcome & { request: number })[];
    try {
      rows = await this.send(batch.map((p) => p.request));
    } catch (error) {
      if (batch.length === 1) {
        batch[0]?.reject(error);
        return;
      }
      this.log.warn({ err: error, appends: batch.length }, 'a batch of appends failed; sending each alone');
      await Promise.all(batch.map((p) => this.write([p])));
      return;
    }
    for (const row of rows) batch[row.request - 1]?.resolve(row);
  }

  private async send(requests: AppendRequest[]): Promise<(AppendOutcome & { request: number })[]> {
    const heads = requests.map((r) => ({ stream: r.stream, expected: r.expected, count: r.count }));
    const events = `[${requests.map((r) => r.events).join(',')}]`;
    const { rows } = await this.pool.query<AppendOutcome & { request: number }>({
      name: 'es_append_batch',
      text: 'select request, status, revision::text, position::text from es_append_batch($1::jsonb, $2::jsonb)',
      values: [JSON.stringify(heads), events],
    });
    if (rows.length !== requests.length)
      throw new Error(`es_append_batch answered ${rows.length} of ${requests.length} appends`);
    return rows;
  }
}
