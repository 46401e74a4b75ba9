import { describe, expect, it } from 'vitest';
import { isDependencyUnavailable } from '../../src/api/dependency-unavailable.ts';
import { conflict } from '../../src/domain/shared/domain-error.ts';

const withCode = (message: string, code: string) => Object.assign(new Error(message), { code });

describe('isDependencyUnavailable', () => {
  it('recognises an unreachable server, PostgreSQL shutting down, and node-postgres losing its connection', () => {
    for (const error of [
      withCode('connect ECONNREFUSED 127.0.0.1:5432', 'ECONNREFUSED'),
      withCode('read ECONNRESET', 'ECONNRESET'),
      withCode('terminating connection due to administrator command', '57P01'),
      withCode('the database system is starting up', '57P03'),
      withCode('connection failure', '08006'),
      new Error('Connection terminated unexpectedly'),
      new Error('timeout exceeded when trying to connect'),
      new AggregateError([withCode('connect ECONNREFUSED ::1:5432', 'ECONNREFUSED')], 'all attempts failed'),
      new Error('append failed', { cause: withCode('connect ECONNREFUSED', 'ECONNREFUSED') }),
    ]) {
      expect(isDependencyUnavailable(error), error.message).toBe(true);
    }
  });

  it('leaves everything else to be an internal error or a domain refusal', () => {
    for (const error of [
      new Error('Cannot read properties of undefined'),
      withCode('duplicate key value violates unique constraint', '23505'),
      withCode('syntax error at or near "selct"', '42601'),
      conflict('VERSION_MISMATCH', 'The content is at version 3, not 2'),
    ]) {
      expect(isDependencyUnavailable(error), error.message).toBe(false);
    }
    expect(isDependencyUnavailable('ECONNREFUSED')).toBe(false);
    expect(isDependencyUnavailable(undefined)).toBe(false);
  });
});
