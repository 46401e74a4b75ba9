import { Gauge, type Registry } from 'prom-client';
import type { AppendLockState } from './append-lock.ts';

/** Gauges of the embedded store's append lock, read on every scrape. */
export function registerAppendLockMetrics(registry: Registry, state: () => Promise<AppendLockState>): void {
  let pending: Promise<AppendLockState> | undefined;
  // One query per scrape, shared by both gauges.
  const current = () => {
    pending ??= state().finally(() => {
      setImmediate(() => {
        pending = undefined;
      });
    });
    return pending;
  };
  new Gauge({
    name: 'chronicle_event_store_append_lock_held_seconds',
    help: 'How long the transaction holding the append lock has been open (0 when free); appends wait behind it',
    registers: [registry],
    async collect() {
      this.set((await current()).holder?.heldSeconds ?? 0);
    },
  });
  new Gauge({
    name: 'chronicle_event_store_append_lock_waiting',
    help: 'Appends waiting for the append lock',
    registers: [registry],
    async collect() {
      this.set((await current()).waiting);
    },
  });
}
