import pg from 'pg';
import type { Logger } from '../../logger.ts';

export const APPENDED_CHANNEL = 'es_appended';

/**
 * Tells waiting subscriptions that new events may be readable: at once for appends made by this
 * process, through LISTEN/NOTIFY for appends made by other processes, and by a poll timer as the
 * fallback if the listening connection is down.
 *
 * NOTIFY is sent after the append has committed, never inside it: PostgreSQL serialises the
 * commits of transactions that NOTIFY, which would cap append throughput. Notifications are
 * coalesced to at most one in flight per process.
 */
export class Wakeups {
  private readonly waiters = new Set<() => void>();
  /** Counts wake-ups, so a reader can tell whether one came while it was not waiting. */
  private wakeCount = 0;
  private listener: pg.Client | undefined;
  private listening: Promise<void> | undefined;
  private notifying = false;
  private notifyAgain = false;
  private closed = false;

  constructor(
    private readonly pool: pg.Pool,
    private readonly connectionString: string | undefined,
    private readonly log: Logger,
  ) {}

  /** A mark to pass to `wait`: wake-ups after it are not missed. */
  mark(): number {
    return this.wakeCount;
  }

  /**
   * Resolves on the next wake-up, after `timeoutMs`, or when the signal aborts; at once if a
   * wake-up came since `since` (taken before the reader's last read: what woke it then may not
   * have been in that read).
   */
  wait(timeoutMs: number, signal?: AbortSignal, since?: number): Promise<void> {
    this.ensureListening();
    if (since !== undefined && since !== this.wakeCount) return Promise.resolve();
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        signal?.removeEventListener('abort', done);
        this.waiters.delete(done);
        resolve();
      };
      const timer = setTimeout(done, timeoutMs);
      signal?.addEventListener('abort', done, { once: true });
      this.waiters.add(done);
      if (signal?.aborted) done();
    });
  }

  /** Called after a local append committed. */
  appended(): void {
    this.wakeAll();
    if (this.notifying) {
      this.notifyAgain = true;
      return;
    }
    this.notifying = true;
    void this.notifyLoop();
  }

  async close(): Promise<void> {
    this.closed = true;
    this.wakeAll();
    const listener = this.listener;
    this.listener = undefined;
    await listener?.end().catch(() => undefined);
  }

  private async notifyLoop(): Promise<void> {
    try {
      do {
        this.notifyAgain = false;
        if (this.closed) return;
        await this.pool.query(`select pg_notify('${APPENDED_CHANNEL}', '')`);
      } while (this.notifyAgain);
    } catch (error) {
      // Other processes fall back to polling; nothing is lost.
      this.log.warn({ err: error }, 'could not send the append notification');
    } finally {
      this.notifying = false;
    }
  }

  private wakeAll(): void {
    this.wakeCount++;
    const waiters = [...this.waiters];
    this.waiters.clear();
    for (const wake of waiters) wake();
  }

  private ensureListening(): void {
    if (this.listening || this.closed || !this.connectionString) return;
    this.listening = this.listen(this.connectionString).catch((error) => {
      this.log.warn({ err: error }, 'LISTEN failed; subscriptions poll until it reconnects');
      this.listener = undefined;
      setTimeout(() => {
        this.listening = undefined;
      }, 1000).unref();
    });
  }

  private async listen(connectionString: string): Promise<void> {
    const client = new pg.Client({ connectionString });
    client.on('notification', () => this.wakeAll());
    client.on('error', (error) => {
      this.log.warn({ err: error }, 'LISTEN connection lost; subscriptions poll until it reconnects');
      this.listener = undefined;
      this.listening = undefined;
      void client.end().catch(() => undefined);
    });
    await client.connect();
    if (this.closed) {
      await client.end();
      return;
    }
    await client.query(`listen ${APPENDED_CHANNEL}`);
    this.listener = client;
    // Events may have arrived while we were connecting.
    this.wakeAll();
  }
}
