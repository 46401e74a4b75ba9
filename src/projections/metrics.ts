import { Gauge, type Registry } from 'prom-client';
import type { ProjectionHealth, ProjectionStatus } from './status.ts';

const STATES: readonly ProjectionHealth[] = ['live', 'catching-up', 'rebuilding', 'failed'];

/**
 * Projection gauges, read fresh from the store and the state table on every scrape (so any
 * process can serve them, not just the projector).
 */
export function registerProjectionMetrics(
  registry: Registry,
  statuses: () => Promise<ProjectionStatus[]>,
): void {
  let pending: Promise<ProjectionStatus[]> | undefined;
  // One status query per scrape, shared by the gauges below.
  const current = () => {
    pending ??= statuses().finally(() => {
      setImmediate(() => {
        pending = undefined;
      });
    });
    return pending;
  };
  const gauge = (name: string, help: string, value: (s: ProjectionStatus) => number) =>
    new Gauge({
      name,
      help,
      labelNames: ['projection'],
      registers: [registry],
      async collect() {
        this.reset();
        for (const s of await current()) this.set({ projection: s.name }, value(s));
      },
    });
  gauge('chronicle_projection_checkpoint', 'Global position of the last event the projection read', (s) =>
    Number(s.checkpoint),
  );
  gauge(
    'chronicle_projection_lag_events',
    'Events after the checkpoint (counted up to 10,000)',
    (s) => s.lagEvents,
  );
  gauge(
    'chronicle_projection_lag_seconds',
    'Age of the oldest event the projection has not read',
    (s) => s.lagSeconds,
  );
  gauge('chronicle_projection_generation', 'Generation of the live read-model tables', (s) => s.generation);
  new Gauge({
    name: 'chronicle_projection_state',
    help: '1 for the state each projection is in (live, catching-up, rebuilding, failed)',
    labelNames: ['projection', 'state'],
    registers: [registry],
    async collect() {
      this.reset();
      for (const s of await current()) {
        for (const state of STATES) this.set({ projection: s.name, state }, s.state === state ? 1 : 0);
      }
    },
  });
}
