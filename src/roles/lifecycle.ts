import type { Logger } from '../logger.ts';

const SHUTDOWN_SIGNALS = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const;

interface Owned {
  name: string;
  close: () => Promise<void>;
}

/**
 * What a long-running role has started, stopped in reverse order on SIGINT/SIGTERM/SIGHUP or on a
 * start-up failure. Whatever is still running after `deadlineMs` is abandoned with exit code 1, so
 * a stuck dependency never turns Ctrl-C into a hang (children started with a parent-death signal
 * and the embedded PostgreSQL exit hook still take their processes down).
 */
export class Lifecycle {
  private readonly owned: Owned[] = [];
  private stopping: Promise<void> | undefined;
  readonly stopped: Promise<void>;
  private markStopped: () => void = () => {};

  constructor(
    private readonly log: Logger,
    private readonly deadlineMs = 9_000,
  ) {
    this.stopped = new Promise((resolve) => {
      this.markStopped = resolve;
    });
  }

  get isStopping(): boolean {
    return this.stopping !== undefined;
  }

  /** The first signal starts the shutdown; later ones are logged (not the default: die at once). */
  handleSignals(): void {
    for (const signal of SHUTDOWN_SIGNALS) {
      process.on(signal, () => {
        if (this.isStopping) {
          this.log.info({ signal }, 'already shutting down');
          return;
        }
        this.log.info({ signal }, 'shutting down');
        void this.shutdown();
      });
    }
  }

  /** Registers something to close on shutdown; if shutdown already began, closes it right away. */
  async own(name: string, close: () => Promise<void>): Promise<void> {
    if (this.isStopping) {
      await this.closeOne({ name, close });
      return;
    }
    this.owned.push({ name, close });
  }

  shutdown(): Promise<void> {
    this.stopping ??= this.closeAll();
    return this.stopping;
  }

  private async closeAll(): Promise<void> {
    const deadline = setTimeout(() => {
      this.log.error(
        { still: this.owned.map((o) => o.name) },
        `shutdown exceeded ${this.deadlineMs} ms; exiting`,
      );
      process.exit(1);
    }, this.deadlineMs);
    deadline.unref();
    for (let next = this.owned.at(-1); next; next = this.owned.at(-1)) {
      await this.closeOne(next);
      this.owned.pop();
    }
    clearTimeout(deadline);
    this.markStopped();
  }

  private async closeOne(owned: Owned): Promise<void> {
    try {
      await owned.close();
      this.log.info({ component: owned.name }, 'stopped');
    } catch (error) {
      this.log.error({ err: error, component: owned.name }, 'failed to stop');
    }
  }
}
