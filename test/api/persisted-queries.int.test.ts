import { createHash } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { buildApp } from '../../src/api/app.ts';
import { createLogger } from '../../src/logger.ts';

const QUERY = 'query Version { version }';
const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');
const persisted = (hash: string) => ({ persistedQuery: { version: 1, sha256Hash: hash } });

describe('automatic persisted queries (Apollo APQ)', () => {
  let app: FastifyInstance;
  beforeEach(async () => {
    app = await buildApp({
      log: createLogger('silent'),
      version: '1.2.3',
      readinessChecks: {},
      graphiql: false,
    });
  });
  afterEach(async () => {
    await app.close();
  });

  const post = (body: Record<string, unknown>) =>
    app.inject({ method: 'POST', url: '/graphql', payload: body }).then((r) => r.json());
  const get = (parameters: Record<string, string>) =>
    app.inject({ method: 'GET', url: `/graphql?${new URLSearchParams(parameters)}` }).then((r) => r.json());

  it('answers a hash it has not seen with PERSISTED_QUERY_NOT_FOUND, so the client sends the query', async () => {
    const hash = sha256(`${QUERY} # not seen before`);
    for (const response of [
      await post({ extensions: persisted(hash) }),
      await get({ extensions: JSON.stringify(persisted(hash)) }),
    ]) {
      expect(response).toMatchObject({
        data: null,
        errors: [{ message: 'PersistedQueryNotFound', extensions: { code: 'PERSISTED_QUERY_NOT_FOUND' } }],
      });
    }
  });

  it('runs a query by its hash alone (POST and GET) once it was sent with its hash', async () => {
    const hash = sha256(QUERY);
    expect(await post({ query: QUERY, extensions: persisted(hash) })).toEqual({ data: { version: '1.2.3' } });

    expect(await post({ extensions: persisted(hash) })).toEqual({ data: { version: '1.2.3' } });
    expect(await get({ extensions: JSON.stringify(persisted(hash)) })).toEqual({
      data: { version: '1.2.3' },
    });
  });

  it('registers a query sent over GET too', async () => {
    const query = 'query VersionOverGet { version }';
    const extensions = JSON.stringify(persisted(sha256(query)));
    expect(await get({ query, extensions })).toEqual({ data: { version: '1.2.3' } });
    expect(await get({ extensions })).toEqual({ data: { version: '1.2.3' } });
  });

  it('refuses, and does not store, a query sent with a hash that is not its own', async () => {
    const hash = sha256('query Other { version }');
    expect(await post({ query: QUERY, extensions: persisted(hash) })).toMatchObject({
      data: null,
      errors: [{ extensions: { code: 'VALIDATION', reason: 'PERSISTED_QUERY_HASH_MISMATCH' } }],
    });
    expect(await post({ extensions: persisted(hash) })).toMatchObject({
      errors: [{ extensions: { code: 'PERSISTED_QUERY_NOT_FOUND' } }],
    });
  });

  it('still runs plain queries without any hash', async () => {
    expect(await post({ query: '{ version }' })).toEqual({ data: { version: '1.2.3' } });
  });
});
