import { setMaxListeners } from 'node:events';
import { prepareProjection } from './generations.ts';
import type { Projection } from './projection.ts';
import { rebuildProjection } from './rebuild.ts';
import { ProjectionRunner, type RunnerDeps, type RunnerOptions } from './runner.ts';

/**
 * Runs every registered projection side by side, each with its own checkpoint and loop, so a slow
 * or failing one never holds the others back. A projection whose version changed in code is
 * rebuilt first (its old tables keep serving meanwhile), then followed live.
 */
export class Projector {
  private readonly controller = new AbortController();
  private readonly running: Promise<void>[] = [];

  constructor(
    private readonly deps: RunnerDeps,
    private readonly projections: readonly Projection[],
    private readonly options: RunnerOptions = {},
  ) {
    // Every projection's loop listens on this one signal: more than Node's default of 10 is expected.
    setMaxListeners(projections.length + 10, this.controller.signal);
    const names = new Set<string>();
    for (const p of projections) {
      if (names.has(p.name)) throw new Error(`Two projections are named ${p.name}`);
      names.add(p.name);
    }
  }

  /**
   * Prepares each projection's tables and starts its loop. If preparing one fails (or `stop` was
   * called meanwhile), the loops already started are stopped too: a half-started projector must
   * not keep running, nor keep its process alive.
   */
  async start(): Promise<void> {
    try {
      for (const projection of this.projections) {
        if (this.controller.signal.aborted) return;
        const mode = await prepareProjection(this.deps.pool, projection);
        this.running.push(this.runOne(projection, mode));
      }
    } catch (error) {
      await this.stop();
      throw error;
    }
    this.deps.log.info({ projections: this.projections.map((p) => p.name) }, 'projector started');
  }

  async stop(): Promise<void> {
    this.controller.abort();
    await Promise.allSettled(this.running);
  }

  private async runOne(projection: Projection, mode: 'live' | 'rebuild'): Promise<void> {
    const { signal } = this.controller;
    const log = this.deps.log.child({ projection: projection.name });
    if (mode === 'rebuild') {
      log.warn({ version: projection.version }, 'projection version changed: rebuilding before going live');
      for (let attempt = 1; !signal.aborted; attempt++) {
        try {
          await rebuildProjection(this.deps, projection, {
            signal,
            onProgress: (p) => log.info(p, 'rebuild progress'),
          });
          break;
        } catch (error) {
          if (signal.aborted) return;
          log.error({ err: error, attempt }, 'rebuild failed; it resumes from its last batch');
          await new Promise((r) => setTimeout(r, Math.min(30_000, 1000 * attempt)));
        }
      }
    }
    await new ProjectionRunner(this.deps, projection, this.options).run(signal);
  }
}
