import type { GraphQLSchema } from 'graphql';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type GraphQLResponse, type IdentityApp, startIdentityApp } from '../api/support/identity-app.ts';
import { makeAdmin, type TestUser } from '../api/support/identity-operations.ts';
import {
  HOSTILE_STRINGS,
  hostileOperation,
  introspectedSchema,
  LEAKED_INTERNALS,
  type TextInput,
  textInputs,
} from './hostile-schema.ts';

/**
 * SQL-injection-shaped strings (quotes, comment markers, LIKE wildcards, a backslash, a NUL byte,
 * awkward Unicode) in every String and ID input the schema has, found by introspection, through
 * the full API on a real database: each is refused with a typed error or stored as plain data and
 * read back equal; never a 500, never database error text; the tables are all still there after.
 */
let api: IdentityApp;
let admin: TestUser;
let schema: GraphQLSchema;

/** Codes a client may see; INTERNAL never, for anything a client can send. */
const TYPED_CODES = new Set([
  'UNAUTHENTICATED',
  'FORBIDDEN',
  'VALIDATION',
  'NOT_FOUND',
  'CONFLICT',
  'RATE_LIMITED',
  'GRAPHQL_VALIDATION_FAILED',
]);

async function post(payload: object, token: string): Promise<{ status: number; body: GraphQLResponse }> {
  const response = await api.app.inject({
    method: 'POST',
    url: '/graphql',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
    payload: JSON.stringify(payload),
  });
  return { status: response.statusCode, body: response.json() };
}

async function tableNames(): Promise<string[]> {
  const { rows } = await api.runtime.pool.query<{ name: string }>(
    "select table_name as name from information_schema.tables where table_schema = 'public' order by 1",
  );
  return rows.map((row) => row.name);
}

async function expectHealthy(): Promise<void> {
  expect((await api.app.inject({ method: 'GET', url: '/health/live' })).statusCode).toBe(200);
  expect(await api.gql('{ version }')).toEqual({ data: { version: 'test' } });
  const me = await api.gql('{ me { id } }', {}, admin.accessToken);
  expect(me.data?.me).toEqual({ id: admin.id });
}

beforeAll(async () => {
  api = await startIdentityApp();
  admin = await makeAdmin(api);
  schema = await introspectedSchema(api, admin.accessToken);
});
afterAll(async () => {
  await api?.close();
});

describe('SQL-injection-shaped strings in every text input', () => {
  interface Finding {
    input: string;
    hostile: string;
    status: number;
    errors: unknown;
  }

  /** A worker's own caller: a mutation it sends may end that caller's session (logout, revoke...). */
  interface Caller {
    user: TestUser;
  }

  /** Sends each hostile string into each input as `caller`; returns what a client should never see. */
  async function attackWith(caller: Caller, inputs: TextInput[], tally: Record<string, number>) {
    const findings: Finding[] = [];
    for (const input of inputs) {
      for (const hostile of HOSTILE_STRINGS) {
        const { query, variables } = hostileOperation(schema, input, hostile);
        const response = await post({ query, variables }, caller.user.accessToken);
        const errors = response.body.errors ?? [];
        const leaked = errors.some(
          (e) => !TYPED_CODES.has(String(e.extensions?.code)) || LEAKED_INTERNALS.test(e.message),
        );
        if (response.status >= 500 || leaked) {
          findings.push({
            input: `${input.field}(${input.path.join('.')})`,
            hostile,
            status: response.status,
            errors,
          });
        }
        const outcome = errors.length === 0 ? 'accepted' : String(errors[0]?.extensions?.code);
        tally[outcome] = (tally[outcome] ?? 0) + 1;
        if (errors.length === 0 && input.root === 'Mutation') {
          const me = await api.gql('{ me { id } }', {}, caller.user.accessToken);
          if (!me.data?.me) caller.user = await makeAdmin(api);
        }
      }
    }
    return findings;
  }

  /** The inputs shared out among three callers working side by side (the API serves them all). */
  async function attack(inputs: TextInput[], tally: Record<string, number>): Promise<Finding[]> {
    const workers = 3;
    const callers = await Promise.all(
      Array.from({ length: workers }, async () => ({ user: await makeAdmin(api) })),
    );
    const slices = callers.map((caller, index) =>
      attackWith(
        caller,
        inputs.filter((_, i) => i % workers === index),
        tally,
      ),
    );
    return (await Promise.all(slices)).flat();
  }

  it('every String and ID input of every mutation: a typed refusal or plain data, never SQL', async () => {
    const inputs = textInputs(schema, 'Mutation');
    expect(inputs.length).toBeGreaterThan(150);
    const tablesBefore = await tableNames();
    const tally: Record<string, number> = {};
    const findings = await attack(inputs, tally);
    expect(findings).toEqual([]);
    const tried = Object.values(tally).reduce((sum, n) => sum + n, 0);
    expect(tried).toBe(inputs.length * HOSTILE_STRINGS.length);
    console.info(
      `mutations: ${inputs.length} text inputs x ${HOSTILE_STRINGS.length} strings = ${tried}`,
      tally,
    );
    expect(await tableNames()).toEqual(tablesBefore);
    await expectHealthy();
  }, 120_000);

  it('every String and ID argument of every query (filters, search, cursors): never SQL', async () => {
    const inputs = textInputs(schema, 'Query');
    expect(inputs.some((input) => input.path.includes('after'))).toBe(true);
    const tablesBefore = await tableNames();
    const tally: Record<string, number> = {};
    const findings = await attack(inputs, tally);
    expect(findings).toEqual([]);
    console.info(`queries: ${inputs.length} text inputs x ${HOSTILE_STRINGS.length} strings`, tally);
    expect(await tableNames()).toEqual(tablesBefore);
    await expectHealthy();
  }, 60_000);

  it('stores an accepted hostile string verbatim and reads it back equal', async () => {
    const accepted = HOSTILE_STRINGS.filter((s) => !s.includes('\u0000'));
    for (const hostile of accepted) {
      const update = await api.gql(
        'mutation ($input: UpdateProfileInput!) { updateProfile(input: $input) { displayName bio } }',
        { input: { displayName: hostile, bio: hostile } },
        admin.accessToken,
      );
      // Display names are trimmed (a trailing U+FEFF is white space to String.prototype.trim).
      expect(update.data?.updateProfile).toEqual({ displayName: hostile.trim(), bio: hostile });
      const me = await api.gql('{ me { displayName bio } }', {}, admin.accessToken);
      expect(me.data?.me).toEqual({ displayName: hostile.trim(), bio: hostile });
      const key = await api.gql(
        'mutation ($name: String!) { createApiKey(name: $name, scopes: [GRAPHQL_READ]) { apiKey { id name } } }',
        { name: hostile },
        admin.accessToken,
      );
      expect(key.errors).toBeUndefined();
      expect(key.data?.createApiKey).toMatchObject({ apiKey: { name: hostile.trim() } });
    }
    // A NUL character is refused as input, in a variable or a literal, rather than failing in SQL.
    for (const [query, variables] of [
      ['mutation ($bio: String) { updateProfile(input: { bio: $bio }) { bio } }', { bio: 'a\u0000b' }],
      ['mutation { updateProfile(input: { bio: "a\\u0000b" }) { bio } }', {}],
    ] as const) {
      const refused = await api.gql(query, variables, admin.accessToken);
      expect(refused.errors?.[0]?.extensions).toMatchObject({ code: 'VALIDATION', reason: 'INVALID_INPUT' });
    }
    const { rows } = await api.runtime.pool.query<{ display_name: string }>(
      'select display_name from users where user_id = $1',
      [admin.id],
    );
    expect(rows[0]?.display_name).toBe(accepted.at(-1)?.trim());
  });
});
