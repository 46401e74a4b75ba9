import type pg from 'pg';
import type { EventStore } from '../../eventstore/port.ts';
import { readCheckpoint } from './checkpoints.ts';

export interface ProcessManagerStatus {
  name: string;
  /**
   * `running`: the active one, following events; `retrying`: stopped at a failing event;
   * `standby`: another process holds the lock; `idle`: no reactions; `stopped`.
   */
  state: 'running' | 'retrying' | 'standby' | 'idle' | 'stopped';
  /** Position of the last event handled; -1 before the first. */
  checkpoint: bigint;
  /** Position of the last event in the store; -1 when it is empty. */
  head: bigint;
  /** Events of the handled types after the checkpoint, counted up to PENDING_COUNT_LIMIT. */
  pendingEvents: number;
  pendingCapped: boolean;
  /** The failure being retried, as seen by this process. */
  failure?: { position?: bigint; error: string; attempts: number; since: Date };
}

export const PENDING_COUNT_LIMIT = 10_000;

export async function readStatus(
  deps: { pool: pg.Pool; store: EventStore },
  name: string,
  eventTypes: readonly string[],
  live: Pick<ProcessManagerStatus, 'state' | 'failure'>,
): Promise<ProcessManagerStatus> {
  const [checkpoint, last] = await Promise.all([
    readCheckpoint(deps.pool, name),
    deps.store.readAll({ direction: 'backwards', maxCount: 1 }),
  ]);
  const types = new Set(eventTypes);
  const pending =
    types.size === 0
      ? []
      : await deps.store.readAll({
          fromPosition: checkpoint < 0n ? 'start' : checkpoint + 1n,
          maxCount: PENDING_COUNT_LIMIT + 1,
          filter: { eventTypePrefixes: [...types] },
        });
  // The filter matches prefixes; count only the exact types.
  const exact = pending.filter((event) => types.has(event.type));
  return {
    name,
    ...live,
    checkpoint,
    head: last[0]?.position ?? -1n,
    pendingEvents: Math.min(exact.length, PENDING_COUNT_LIMIT),
    pendingCapped: pending.length > PENDING_COUNT_LIMIT,
  };
}
