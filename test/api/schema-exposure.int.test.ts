import type { FastifyInstance } from 'fastify';
import { Registry } from 'prom-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../../src/api/app.ts';
import { createLogger } from '../../src/logger.ts';

const log = createLogger('silent');
const INTROSPECT = '{ __schema { queryType { name } } }';
const MISSPELT = '{ versoin }';

async function app(options: { introspection?: boolean; metricsToken?: string }): Promise<FastifyInstance> {
  const registry = new Registry();
  return buildApp({
    log,
    version: '1.2.3',
    readinessChecks: {},
    graphiql: false,
    metrics: registry,
    ...options,
  });
}

async function graphql(instance: FastifyInstance, query: string) {
  const response = await instance.inject({ method: 'POST', url: '/graphql', payload: { query } });
  return response.json() as {
    data?: unknown;
    errors?: { message: string; extensions?: { code?: string } }[];
  };
}

/** What a stranger can learn about the schema and the system without signing in. */
describe('schema and metrics exposure', () => {
  let open: FastifyInstance;
  let closed: FastifyInstance;
  beforeAll(async () => {
    open = await app({});
    closed = await app({ introspection: false, metricsToken: 'a-metrics-token-of-some-length' });
  });
  afterAll(async () => {
    await open?.close();
    await closed?.close();
  });

  it('answers introspection and suggests fields where introspection is on (development)', async () => {
    expect((await graphql(open, INTROSPECT)).data).toEqual({ __schema: { queryType: { name: 'Query' } } });
    const [error] = (await graphql(open, MISSPELT)).errors ?? [];
    expect(error?.message).toMatch(/Did you mean "version"\?/);
  });

  it('refuses introspection and names no field it was not asked for where it is off (production)', async () => {
    const refused = await graphql(closed, INTROSPECT);
    expect(refused.data ?? null).toBeNull();
    expect(refused.errors?.[0]?.extensions?.code).toBe('GRAPHQL_VALIDATION_FAILED');
    expect(refused.errors?.[0]?.message).toMatch(/introspection/i);
    const [error] = (await graphql(closed, MISSPELT)).errors ?? [];
    expect(error?.message).toBe('Cannot query field "versoin" on type "Query".');
    expect(error?.extensions?.code).toBe('GRAPHQL_VALIDATION_FAILED');
    // Ordinary queries are untouched.
    expect((await graphql(closed, '{ version }')).data).toEqual({ version: '1.2.3' });
  });

  it('shows /metrics only to a scraper with the token, when one is set', async () => {
    expect((await open.inject({ method: 'GET', url: '/metrics' })).statusCode).toBe(200);
    const anonymous = await closed.inject({ method: 'GET', url: '/metrics' });
    expect(anonymous.statusCode).toBe(401);
    expect(anonymous.json()).toMatchObject({ error: 'UNAUTHENTICATED' });
    const wrong = await closed.inject({
      method: 'GET',
      url: '/metrics',
      headers: { authorization: 'Bearer a-metrics-token-of-some-lengtX' },
    });
    expect(wrong.statusCode).toBe(401);
    const scraper = await closed.inject({
      method: 'GET',
      url: '/metrics',
      headers: { authorization: 'Bearer a-metrics-token-of-some-length' },
    });
    expect(scraper.statusCode).toBe(200);
    expect(scraper.body).toContain('# HELP');
  });
});
