import type pg from 'pg';
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
