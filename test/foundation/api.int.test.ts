import type { FastifyInstance } from 'fastify';
import pg from 'pg';
import { afterAll, afterEach, beforeAll, describe, expect, inject, it } from 'vitest';
import { buildApp } from '../../src/api/app.ts';
import { postgresCheck, temporalCheck } from '../../src/api/dependency-checks.ts';
import type { DependencyChecks } from '../../src/api/readiness.ts';
import { createLogger } from '../../src/logger.ts';
import { freshDatabase } from '../support/database.ts';
import { freePort } from '../support/ports.ts';

const log = createLogger('silent');
let pool: pg.Pool;
let app: FastifyInstance | undefined;

beforeAll(async () => {
  pool = new pg.Pool({ connectionString: await freshDatabase('api'), connectionTimeoutMillis: 2_000 });
});
afterAll(() => pool.end());
afterEach(async () => {
  await app?.close();
  app = undefined;
});

async function appWith(readinessChecks: DependencyChecks, options: { graphiql?: boolean } = {}) {
  app = await buildApp({ log, version: '9.9.9-test', readinessChecks, graphiql: options.graphiql ?? true });
  return app;
}

const realChecks = (): DependencyChecks => ({
  postgres: postgresCheck(pool),
  temporal: temporalCheck(inject('temporalAddress')),
});

describe('GET /health/live', () => {
  it('answers 200 without asking any dependency', async () => {
    const never: DependencyChecks = { postgres: () => new Promise(() => {}) };
    const response = await (await appWith(never)).inject({ method: 'GET', url: '/health/live' });
    expect(response.statusCode).toBe(200);
  });
});

describe('GET /health/ready', () => {
  it('is 200 when PostgreSQL and Temporal both answer', async () => {
    const response = await (await appWith(realChecks())).inject({ method: 'GET', url: '/health/ready' });
    expect(response.statusCode).toBe(200);
    expect(response.json()).toEqual({
      status: 'ready',
      checks: { postgres: { status: 'up' }, temporal: { status: 'up' } },
    });
  });

  it('is 503 naming Temporal while nothing listens at its address', async () => {
    const closedPort = await freePort();
    const checks = {
      postgres: postgresCheck(pool),
      temporal: temporalCheck(`127.0.0.1:${closedPort}`, 1_000),
    };
    const response = await (await appWith(checks)).inject({ method: 'GET', url: '/health/ready' });
    expect(response.statusCode).toBe(503);
    expect(response.json()).toMatchObject({
      status: 'unavailable',
      checks: { postgres: { status: 'up' }, temporal: { status: 'down' } },
    });
  });

  it('is 503 naming PostgreSQL while the database does not answer', async () => {
    const unreachable = new pg.Pool({
      connectionString: `postgres://postgres:x@127.0.0.1:${await freePort()}/none`,
      connectionTimeoutMillis: 1_000,
    });
    try {
      const checks = {
        postgres: postgresCheck(unreachable),
        temporal: temporalCheck(inject('temporalAddress')),
      };
      const response = await (await appWith(checks)).inject({ method: 'GET', url: '/health/ready' });
      expect(response.statusCode).toBe(503);
      expect(response.json()).toMatchObject({
        checks: { postgres: { status: 'down' }, temporal: { status: 'up' } },
      });
    } finally {
      await unreachable.end();
    }
  });

  it('counts a dependency that hangs as down after the check timeout', async () => {
    app = await buildApp({
      log,
      version: '9.9.9-test',
      readinessChecks: { postgres: postgresCheck(pool), temporal: () => new Promise(() => {}) },
      graphiql: false,
      readinessTimeoutMs: 200,
    });
    const response = await app.inject({ method: 'GET', url: '/health/ready' });
    expect(response.statusCode).toBe(503);
    expect(response.json()).toMatchObject({
      checks: { temporal: { status: 'down', error: 'no answer within 200 ms' } },
    });
  });
});

describe('GraphQL', () => {
  it('answers the version query', async () => {
    const response = await (await appWith(realChecks())).inject({
      method: 'POST',
      url: '/graphql',
      payload: { query: '{ version }' },
    });
    expect(response.statusCode).toBe(200);
    expect(response.json()).toEqual({ data: { version: '9.9.9-test' } });
  });

  it('serves GraphiQL outside production and not in it', async () => {
    expect((await (await appWith({})).inject({ method: 'GET', url: '/graphiql' })).statusCode).toBe(200);
    await app?.close();
    const production = await appWith({}, { graphiql: false });
    expect((await production.inject({ method: 'GET', url: '/graphiql' })).statusCode).toBe(404);
  });
});

describe('request ids', () => {
  it('echoes the caller’s x-request-id', async () => {
    const response = await (await appWith({})).inject({
      method: 'GET',
      url: '/health/live',
      headers: { 'x-request-id': 'trace-42.abc' },
    });
    expect(response.headers['x-request-id']).toBe('trace-42.abc');
  });

  it('generates a UUID when the caller sends none, or one that is not an id', async () => {
    const server = await appWith({});
    const none = await server.inject({ method: 'GET', url: '/health/live' });
    const junk = await server.inject({
      method: 'GET',
      url: '/health/live',
      headers: { 'x-request-id': 'a b\tc' },
    });
    const uuid = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
    expect(none.headers['x-request-id']).toMatch(uuid);
    expect(junk.headers['x-request-id']).toMatch(uuid);
    expect(junk.headers['x-request-id']).not.toBe(none.headers['x-request-id']);
  });
});
