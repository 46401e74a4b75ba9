import { getIntrospectionQuery } from 'graphql';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FIELD_COSTS } from '../../../src/api/limits/query-complexity.ts';
import { errorCodes, type IdentityApp, startIdentityApp } from '../support/identity-app.ts';
import { makeAdmin, type TestUser } from '../support/identity-operations.ts';
import { postGraphQL } from './http.ts';

const USERS = `query ($n: Int) { users(page: { first: $n }) { nodes { id email } } }`;

describe('API limits on what one request may ask', () => {
  let api: IdentityApp;
  let admin: TestUser;
  beforeAll(async () => {
    api = await startIdentityApp({
      limits: { maxDepth: 3, maxComplexity: 50, maxAliases: 4, bodyLimitBytes: 8192 },
    });
    admin = await makeAdmin(api);
  });
  afterAll(async () => {
    await api?.close();
  });

  describe('query depth', () => {
    it('refuses an operation nested deeper than the limit, before running it', async () => {
      const deep = await api.gql('{ users { edges { node { id } } } }', {}, admin.accessToken);
      expect(errorCodes(deep)).toEqual(['GRAPHQL_VALIDATION_FAILED/QUERY_TOO_DEEP']);
      expect(deep.errors?.[0]?.extensions).toMatchObject({ depth: 4, maxDepth: 3 });
      expect(deep.data).toBeNull();
    });

    it('counts fields reached through fragments', async () => {
      const viaFragment = await api.gql(
        '{ users { ...Page } } fragment Page on UserConnection { edges { ... on UserEdge { node { id } } } }',
        {},
        admin.accessToken,
      );
      expect(errorCodes(viaFragment)).toEqual(['GRAPHQL_VALIDATION_FAILED/QUERY_TOO_DEEP']);
    });

    it('runs operations within the limit, and introspection however deep it nests', async () => {
      const shallow = await api.gql('{ users { nodes { id } } }', {}, admin.accessToken);
      expect(shallow.errors).toBeUndefined();
      const introspection = await api.gql(getIntrospectionQuery());
      expect(introspection.errors).toBeUndefined();
    });
  });

  describe('query complexity', () => {
    it('charges a paged field its page size times what it selects', async () => {
      const big = await api.gql(USERS, { n: 100 }, admin.accessToken);
      expect(errorCodes(big)).toEqual(['GRAPHQL_VALIDATION_FAILED/QUERY_TOO_COMPLEX']);
      expect(big.errors?.[0]?.extensions).toMatchObject({ complexity: 301, maxComplexity: 50 });

      const small = await api.gql(USERS, { n: 5 }, admin.accessToken);
      expect(small.errors).toBeUndefined();

      // Asked again, the query text is compiled (graphql-jit) and its costs are remembered per
      // set of variables: the budget holds all the same.
      for (let again = 0; again < 2; again++) {
        const bigAgain = await api.gql(USERS, { n: 100 }, admin.accessToken);
        expect(errorCodes(bigAgain)).toEqual(['GRAPHQL_VALIDATION_FAILED/QUERY_TOO_COMPLEX']);
        expect((await api.gql(USERS, { n: 5 }, admin.accessToken)).errors).toBeUndefined();
      }
    });

    it('adds up aliases, so one request cannot repeat a field to dodge the budget', async () => {
      const aliased = await api.gql(
        `{ a: users(page: { first: 5 }) { nodes { id email } } b: users(page: { first: 5 }) { nodes { id email } }
           c: users(page: { first: 5 }) { nodes { id email } } d: users(page: { first: 5 }) { nodes { id email } } }`,
        {},
        admin.accessToken,
      );
      expect(errorCodes(aliased)).toEqual(['GRAPHQL_VALIDATION_FAILED/QUERY_TOO_COMPLEX']);
    });

    it('prices a search by what it costs, not by the one field it is', async () => {
      const search = await api.gql('{ searchContent(query: "oat") { tookMs } }', {}, admin.accessToken);
      expect(errorCodes(search)).toEqual(['GRAPHQL_VALIDATION_FAILED/QUERY_TOO_COMPLEX']);
      expect(search.errors?.[0]?.extensions).toMatchObject({ complexity: 101 });
    });

    it('prices a webhook’s lag as the count of the log it is, not as a column', async () => {
      const id = '00000000-0000-4000-8000-000000000000';
      const five = (select: string) =>
        `{ eventWebhook(id: "${id}") { ${select} } ${['a', 'b', 'c', 'd']
          .map((alias) => `${alias}: eventWebhook(id: "${id}") { ${select} }`)
          .join(' ')} }`;
      const priced = await api.gql(five('lag { events }'), {}, admin.accessToken);
      expect(errorCodes(priced)).toEqual(['GRAPHQL_VALIDATION_FAILED/QUERY_TOO_COMPLEX']);
      // 5 × (eventWebhook 1 + lag 10 + events 1)
      expect(priced.errors?.[0]?.extensions).toMatchObject({ complexity: 60 });
      expect((await api.gql(five('id status'), {}, admin.accessToken)).errors).toBeUndefined();
    });

    it('names only fields the schema has in its price list', () => {
      const fields = Object.keys(FIELD_COSTS).filter((name) => {
        const [type, field] = name.split('.') as [string, string];
        const found = api.app.graphql.schema.getType(type);
        return !(found && 'getFields' in found && field in found.getFields());
      });
      expect(fields).toEqual([]);
    });

    it('caps aliases per document, whatever they cost', async () => {
      const aliased = await api.gql(
        '{ a: me { id } b: me { id } c: me { id } d: me { id } e: me { id } }',
        {},
        admin.accessToken,
      );
      expect(errorCodes(aliased)).toEqual(['GRAPHQL_VALIDATION_FAILED/TOO_MANY_ALIASES']);
      expect(aliased.errors?.[0]?.extensions).toMatchObject({ aliases: 5, maxAliases: 4 });
    });

    it('assumes the default page size when none is asked for', async () => {
      // 1 + 20 × (1 + 2): over 50 although no `first` was sent.
      const unpaged = await api.gql('{ sessions { nodes { id startedAt } } }', {}, admin.accessToken);
      expect(errorCodes(unpaged)).toEqual(['GRAPHQL_VALIDATION_FAILED/QUERY_TOO_COMPLEX']);
    });
  });

  describe('input', () => {
    it('refuses an id that is not a UUID as invalid input, not as a server error', async () => {
      const response = await api.gql('{ user(id: "42") { id } }', {}, admin.accessToken);
      expect(errorCodes(response)).toEqual(['VALIDATION/INVALID_INPUT']);
    });

    it('refuses strings longer than their field allows', async () => {
      const response = await api.gql(
        'mutation ($name: String!) { updateProfile(input: { displayName: $name }) { id } }',
        { name: 'x'.repeat(101) },
        admin.accessToken,
      );
      expect(errorCodes(response)).toEqual(['VALIDATION/INVALID_INPUT']);
    });
  });

  describe('request body size', () => {
    it('answers 413 with a JSON GraphQL error before parsing the body', async () => {
      const padding = 'x'.repeat(10_000);
      const answer = await postGraphQL(api.app, { query: `{ version } # ${padding}` });
      expect(answer.status).toBe(413);
      expect(answer.headers['content-type']).toMatch(/application\/(graphql-response\+)?json/);
      expect(errorCodes(answer.body)).toEqual(['VALIDATION/BODY_TOO_LARGE']);
    });
  });

  describe('errors', () => {
    it('carry the request id, which is also the x-request-id response header', async () => {
      const answer = await postGraphQL(api.app, { query: '{ me { id } }' });
      expect(errorCodes(answer.body)).toEqual(['UNAUTHENTICATED/SIGN_IN_REQUIRED']);
      const requestId = answer.body.errors?.[0]?.extensions?.requestId;
      expect(requestId).toEqual(expect.any(String));
      expect(answer.headers['x-request-id']).toBe(requestId);
    });

    it('carry the request id on schema validation failures too', async () => {
      const response = await api.gql('{ noSuchField }');
      expect(errorCodes(response)).toEqual(['GRAPHQL_VALIDATION_FAILED']);
      expect(response.errors?.[0]?.extensions?.requestId).toEqual(expect.any(String));
    });
  });
});
