import { type AuditResult, serverAudits } from 'graphql-http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  errorCodes,
  type GraphQLResponse,
  type IdentityApp,
  startIdentityApp,
} from './support/identity-app.ts';

/**
 * The SHOULD / MAY recommendations the API does not follow, each for a reason given in the README
 * ("GraphQL over HTTP compliance"). A new failure must be fixed or documented there and here.
 */
const KNOWN_SHORTFALLS = new Set([
  // Answers application/json even to clients that prefer application/graphql-response+json...
  '22EB',
  // ...so the recommendations for that media type (4xx and no `data` on refused documents) do not apply.
  '865D',
  '556A',
  'D586',
  '51FE',
  '74FF',
  '5E5B',
  '86EE',
  // A mutation over GET is refused, with 200 and an error rather than a 4xx.
  '9C48',
]);

describe('GraphQL over HTTP (graphql-http server audits against the real app)', () => {
  let api: IdentityApp;
  let url: string;
  let results: AuditResult[];
  beforeAll(async () => {
    api = await startIdentityApp();
    url = `${await api.app.listen({ port: 0, host: '127.0.0.1' })}/graphql`;
    // One at a time, so that the log lines of a failing audit are not interleaved with the others'.
    results = [];
    for (const audit of serverAudits({ url })) results.push(await audit.fn());
  });
  afterAll(async () => {
    await api?.close();
  });

  const failing = (status: 'error' | 'warn' | 'notice') =>
    results.filter((r) => r.status === status).map((r) => `${r.id} ${r.name}`);

  it('passes every MUST', () => {
    expect(results.length).toBeGreaterThan(50);
    expect(failing('error')).toEqual([]);
  });

  it('misses only the SHOULDs and MAYs the README lists', () => {
    const shortfalls = results.filter((r) => r.status !== 'ok' && r.status !== 'error');
    const undocumented = shortfalls
      .filter((r) => !KNOWN_SHORTFALLS.has(r.id))
      .map((r) => `${r.id} ${r.name}: ${'reason' in r ? r.reason : ''}`);
    expect(undocumented).toEqual([]);
  });

  const post = async (body: string) => {
    const response = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body,
    });
    return { status: response.status, body: (await response.json()) as GraphQLResponse };
  };

  it('refuses parameters of the wrong type with 400 VALIDATION, not an internal error', async () => {
    for (const body of [
      { query: 1 },
      { query: '{}' },
      { query: '{ version }', variables: 'x' },
      { query: '{ version }', operationName: 3 },
      { query: '{ version }', extensions: [] },
    ]) {
      const response = await post(JSON.stringify(body));
      expect(response.status).toBe(400);
      expect(errorCodes(response.body)).toEqual(['VALIDATION/INVALID_REQUEST']);
    }
  });

  it('refuses a request with nothing to run, and accepts null for absent parameters', async () => {
    for (const body of ['{}', '{"extensions":{}}', '{"query":null}']) {
      const empty = await post(body);
      expect(empty.status).toBe(400);
      expect(errorCodes(empty.body)).toEqual(['VALIDATION/MISSING_QUERY']);
    }
    const get = await fetch(url);
    expect(get.status).toBe(400);
    expect(errorCodes((await get.json()) as GraphQLResponse)).toEqual(['VALIDATION/MISSING_QUERY']);
    const nulls = await post(
      JSON.stringify({ query: '{ version }', operationName: null, variables: null, extensions: null }),
    );
    expect(nulls).toEqual({ status: 200, body: { data: { version: 'test' } } });
  });
});
