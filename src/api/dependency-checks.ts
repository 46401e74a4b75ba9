import type pg from 'pg';
import { appendLockState, describeStall } from '../eventstore/postgres/append-lock.ts';
import { checkTemporal } from '../infra/temporal-health.ts';
import type { DependencyCheck } from './readiness.ts';

export function postgresCheck(pool: pg.Pool): DependencyCheck {
  return async () => {
    await pool.query('select 1');
  };
}

export function temporalCheck(address: string, timeoutMs = 2_000): DependencyCheck {
  return () => checkTemporal(address, timeoutMs);
}

/** The embedded store's appends: down while a session has held the append lock for long. */
export function appendsCheck(pool: pg.Pool): DependencyCheck {
  return async () => {
    const stall = describeStall(await appendLockState(pool));
    if (stall) throw new Error(stall);
  };
}
