import { setMaxListeners } from 'node:events';
import { ProjectionFailure } from './apply-events.ts';
import { prepareProjection } from './generations.ts';
import { type GroupOptions, GroupRunner } from './group-runner.ts';
import type { Projection } from './projection.ts';
import { rebuildProjections } from './rebuild.ts';
import { ProjectionRunner, type RunnerDeps, sleep } from './runner.ts';

/**
 * Runs every registered projection: one reader of `$all` feeds them all (GroupRunner), each with
 * its own checkpoint, committing once per batch whatever the number of read models it touches.
 * Projections whose version changed in code are rebuilt first, together, in one pass over the log
 * (their old tables keep serving meanwhile), then join the reader. A projection that fails leaves
 * the shared reader and retries on its own, so it never holds the others back.
 */
export class Projector {
  private readonly controller = new AbortController();
  private readonly running: Promise<void>[] = [];

  constructor(
    private readonly deps: RunnerDeps,
    private readonly projections: readonly Projection[],
    private readonly options: GroupOptions = {},
  ) {
    setMaxListeners(projections.length + 10, this.controller.signal);
    const names = new Set<string>();
    for (const p of projections) {
      if (names.has(p.name)) throw new Error(`Two projections are named ${p.name}`);
      names.add(p.name);
    }
  }

  /**
   * Prepares each projection's tables and starts the reader. If preparing one fails (or `stop` was
   * called meanwhile), what was started is stopped too: a half-started projector must not keep
   * running, nor keep its process alive.
   */
  async start(): Promise<void> {
    const live: Projection[] = [];
    const rebuild: Projection[] = [];
    try {
      for (const projection of this.projections) {
        if (this.controller.signal.aborted) return;
        const mode = await prepareProjection(this.deps.pool, projection);
        (mode === 'live' ? live : rebuild).push(projection);
      }
    } catch (error) {
      await this.stop();
      throw error;
    }
    const { signal } = this.controller;
    const group = new GroupRunner(this.deps, live, {
      ...this.options,
      onDetached: (projection) => {
        this.running.push(new ProjectionRunner(this.deps, projection, this.options).run(signal));
      },
    });
    this.running.push(group.run(signal));
    if (rebuild.length > 0) this.running.push(this.rebuildThenJoin(rebuild, group));
    this.deps.log.info({ projections: this.projections.map((p) => p.name) }, 'projector started');
  }

  async stop(): Promise<void> {
    this.controller.abort();
    await Promise.allSettled(this.running);
  }

  private async rebuildThenJoin(initial: readonly Projection[], group: GroupRunner): Promise<void> {
    let projections = [...initial];
    const { signal } = this.controller;
    const log = this.deps.log;
    log.warn(
      { projections: projections.map((p) => `${p.name}@${p.version}`) },
      'projection versions changed: rebuilding them together before they go live',
    );
    for (let attempt = 1; !signal.aborted; attempt++) {
      try {
        await rebuildProjections(this.deps, projections, {
          signal,
          onProgress: (p) => log.info(p, 'rebuild progress'),
        });
        for (const projection of projections) group.add(projection);
        return;
      } catch (error) {
        if (signal.aborted) return;
        if (error instanceof ProjectionFailure && projections.length > 1) {
          // The others go on together; the one at fault is rebuilt alone, with its own retries.
          const failed = projections.filter((p) => p.name === error.projection);
          projections = projections.filter((p) => p.name !== error.projection);
          this.running.push(this.rebuildThenJoin(failed, group));
        }
        log.error({ err: error, attempt }, 'rebuild failed; it resumes from its last batch');
        await sleep(Math.min(30_000, 1000 * attempt), signal);
      }
    }
  }
}
