import { createPublicKey, generateKeyPairSync, type KeyObject, randomUUID } from 'node:crypto';
import { SignJWT } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { issueAccessToken } from '../../src/auth/access-tokens.ts';
import { keyIdOf, publicJwkOf } from '../../src/auth/signing-key-material.ts';
import { signIn } from '../../src/services/identity/sign-in.ts';
import {
  type GraphQLResponse,
  type IdentityApp,
  startIdentityApp,
  TEST_AUTH_SECRET,
} from '../api/support/identity-app.ts';
import {
  identityDeps,
  makeAdmin,
  PASSWORD,
  REFRESH,
  registerAndSignIn,
  registerUser,
  type TestUser,
} from '../api/support/identity-operations.ts';
import { signingKeysOf } from '../api/support/signing-keys.ts';
import { LEAKED_INTERNALS } from './hostile-schema.ts';

/**
 * Hostile input against the full API on a real database: oversized and deeply nested queries,
 * amplification, huge variables, batches, malformed access and refresh tokens. Each is refused with a
 * typed error (or the 4xx GraphQL over HTTP allows), the process stays healthy, and nothing is
 * stored by a refused request. SQL-injection-shaped strings: hostile-injection.test.ts.
 */
let api: IdentityApp;
let admin: TestUser;

interface RawResponse {
  status: number;
  body: GraphQLResponse & { code?: string; reason?: string };
}

async function post(payload: string | object, headers: Record<string, string> = {}): Promise<RawResponse> {
  const response = await api.app.inject({
    method: 'POST',
    url: '/graphql',
    headers: { 'content-type': 'application/json', ...headers },
    payload: typeof payload === 'string' ? payload : JSON.stringify(payload),
  });
  return { status: response.statusCode, body: response.json() };
}

/** Asserts a refusal is typed and says nothing about the machinery behind it. */
function expectTypedRefusal(response: RawResponse, codes: string[]): void {
  expect(response.status).toBeLessThan(500);
  const errors = response.body.errors ?? [];
  expect(errors.length).toBeGreaterThan(0);
  for (const error of errors) {
    expect(codes).toContain(error.extensions?.code);
    expect(error.message).not.toMatch(LEAKED_INTERNALS);
  }
}

async function eventCount(): Promise<number> {
  const { rows } = await api.runtime.pool.query<{ n: string }>('select count(*) as n from es_events');
  return Number(rows[0]?.n);
}

async function expectHealthy(): Promise<void> {
  const live = await api.app.inject({ method: 'GET', url: '/health/live' });
  expect(live.statusCode).toBe(200);
  expect(await api.gql('{ version }')).toEqual({ data: { version: 'test' } });
  const me = await api.gql('{ me { id } }', {}, admin.accessToken);
  expect(me.data?.me).toEqual({ id: admin.id });
}

beforeAll(async () => {
  api = await startIdentityApp();
  admin = await makeAdmin(api);
});
afterAll(async () => {
  await api?.close();
});

describe('oversized, deep and amplified requests', () => {
  it('refuses a body over the limit with 413 before parsing it, storing nothing', async () => {
    const before = await eventCount();
    const padding = ' '.repeat(200 * 1024);
    const response = await post(
      {
        query: `mutation { updateProfile(input: { displayName: "Too Big" }) { displayName } ${padding} }`,
      },
      { authorization: `Bearer ${admin.accessToken}` },
    );
    expect(response.status).toBe(413);
    expectTypedRefusal(response, ['VALIDATION']);
    expect(response.body.errors?.[0]?.extensions?.reason).toBe('BODY_TOO_LARGE');
    expect(await eventCount()).toBe(before);
    await expectHealthy();
  });

  it('refuses many megabytes of variables: a giant string, a giant array, deep JSON', async () => {
    const before = await eventCount();
    const bigString = 'x'.repeat(8 * 1024 * 1024);
    const bigArray = Array.from({ length: 1_000_000 }, (_, i) => i);
    const deepJson = `${'{"a":'.repeat(100_000)}1${'}'.repeat(100_000)}`;
    const query = 'mutation ($input: UpdateProfileInput!) { updateProfile(input: $input) { displayName } }';
    const bodies = [
      JSON.stringify({ query, variables: { input: { displayName: bigString } } }),
      JSON.stringify({ query, variables: { input: { displayName: 'A' }, extra: bigArray } }),
      `{"query":${JSON.stringify(query)},"variables":{"input":{"displayName":"A"},"deep":${deepJson}}}`,
    ];
    for (const body of bodies) {
      const response = await post(body, { authorization: `Bearer ${admin.accessToken}` });
      expect(response.status).toBe(413);
      expectTypedRefusal(response, ['VALIDATION']);
    }
    expect(await eventCount()).toBe(before);
    await expectHealthy();
  });

  it('refuses strings and lists past their bounds that still fit in the body', async () => {
    const before = await eventCount();
    const update = 'mutation ($input: UpdateProfileInput!) { updateProfile(input: $input) { displayName } }';
    const longName = await post(
      { query: update, variables: { input: { displayName: 'x'.repeat(90 * 1024) } } },
      { authorization: `Bearer ${admin.accessToken}` },
    );
    expectTypedRefusal(longName, ['VALIDATION']);
    const createKey =
      'mutation ($scopes: [ApiScope!]!) { createApiKey(name: "many", scopes: $scopes) { key } }';
    const manyScopes = await post(
      { query: createKey, variables: { scopes: Array.from({ length: 5_000 }, () => 'GRAPHQL_READ') } },
      { authorization: `Bearer ${admin.accessToken}` },
    );
    expectTypedRefusal(manyScopes, ['VALIDATION']);
    const deepList = `${'['.repeat(20_000)}${']'.repeat(20_000)}`;
    const nestedLiteral = await post(
      { query: `mutation { createApiKey(name: "n", scopes: ${deepList}) { key } }` },
      { authorization: `Bearer ${admin.accessToken}` },
    );
    // Refused before graphql-js's recursive parser could overflow the stack on it.
    expect(nestedLiteral.status).toBe(400);
    expectTypedRefusal(nestedLiteral, ['VALIDATION']);
    expect(nestedLiteral.body.errors?.[0]?.extensions?.reason).toBe('DOCUMENT_TOO_NESTED');
    // An escaped """ inside a block string does not end it, so it cannot hide the nesting after it.
    const hidden = await post(
      { query: `mutation { createApiKey(name: """x\\"""y""", scopes: ${deepList}) { key } }` },
      { authorization: `Bearer ${admin.accessToken}` },
    );
    expect(hidden.status).toBe(400);
    expect(hidden.body.errors?.[0]?.extensions?.reason).toBe('DOCUMENT_TOO_NESTED');
    // Deep variables are JSON, not GraphQL source: refused by the input's type, not by a stack overflow.
    const deepVariables = await post(
      `{"query":${JSON.stringify(createKey)},"variables":{"scopes":${'['.repeat(40_000)}${']'.repeat(40_000)}}}`,
      { authorization: `Bearer ${admin.accessToken}` },
    );
    expectTypedRefusal(deepVariables, ['GRAPHQL_VALIDATION_FAILED', 'VALIDATION']);
    expect(await eventCount()).toBe(before);
    await expectHealthy();
  });

  it('refuses deep nesting, from just past the limit to thousands of levels', async () => {
    const nested = (depth: number) =>
      `{ me { ${'apiKeys { nodes { owner { '.repeat(depth)}id${' } } }'.repeat(depth)} } }`;
    const justPast = await post({ query: nested(4) }, { authorization: `Bearer ${admin.accessToken}` });
    expectTypedRefusal(justPast, ['GRAPHQL_VALIDATION_FAILED']);
    expect(justPast.body.errors?.[0]?.extensions?.reason).toBe('QUERY_TOO_DEEP');
    // Selections nested thousands deep (parsing recursion), fragments nested and cyclic.
    const selections = `{ ${'me { '.repeat(10_000)}id${' }'.repeat(10_000)} }`;
    const fragments = `${Array.from({ length: 500 }, (_, i) => `fragment F${i} on User { id ...F${i + 1} }`).join('\n')}
      fragment F500 on User { id } { me { ...F0 } }`;
    const cycle = 'fragment A on User { ...B } fragment B on User { ...A } { me { ...A } }';
    const tooNested = await post({ query: selections }, { authorization: `Bearer ${admin.accessToken}` });
    expect(tooNested.status).toBe(400);
    expectTypedRefusal(tooNested, ['VALIDATION']);
    expect(tooNested.body.errors?.[0]?.extensions?.reason).toBe('DOCUMENT_TOO_NESTED');
    for (const query of [fragments, cycle]) {
      const response = await post({ query }, { authorization: `Bearer ${admin.accessToken}` });
      expectTypedRefusal(response, ['GRAPHQL_VALIDATION_FAILED']);
    }
    // Brackets inside strings and comments are text, not nesting: stored verbatim.
    const bio = `${'{['.repeat(300)} # not a comment`;
    const braces = await post(
      {
        query: `# ${'{'.repeat(300)}\nmutation { updateProfile(input: { bio: ${JSON.stringify(bio)} }) { bio } }`,
      },
      { authorization: `Bearer ${admin.accessToken}` },
    );
    expect(braces.body).toEqual({ data: { updateProfile: { bio } } });
    await expectHealthy();
  });

  it('refuses alias and field amplification by its alias cap and its complexity', async () => {
    const aliases = (count: number, field: string) =>
      `{ ${Array.from({ length: count }, (_, i) => `a${i}: ${field}`).join(' ')} }`;
    const cases = [
      aliases(3_000, 'me { id }'),
      aliases(30, 'users(page: { first: 100 }) { nodes { id email apiKeys { nodes { id } } } }'),
      // The same field repeated without aliases is merged by GraphQL, but still costs to validate.
      `{ me { ${'id '.repeat(20_000)} } }`,
      `{ version ${'@include(if: true) '.repeat(5_000)} }`,
    ];
    const codes: string[][] = [];
    for (const query of cases) {
      const response = await post({ query }, { authorization: `Bearer ${admin.accessToken}` });
      expectTypedRefusal(response, ['GRAPHQL_VALIDATION_FAILED']);
      codes.push((response.body.errors ?? []).map((e) => String(e.extensions?.reason ?? e.extensions?.code)));
    }
    expect(codes[0]).toEqual(['TOO_MANY_ALIASES']);
    expect(codes[1]).toEqual(['QUERY_TOO_COMPLEX']);
    // 200 aliased password guesses in one request: typed refusals, never a 5xx (that each alias
    // counts against the sign-in budget is tested in test/api/limits/rate-limits.int.test.ts).
    const guesses = aliases(
      200,
      `login(input: { email: "${admin.email}", password: "wrong guess 123" }) { accessToken }`,
    ).replace(/^\{/, 'mutation {');
    const response = await post({ query: guesses });
    expect(response.status).toBeLessThan(500);
    expect(response.body.errors?.length).toBeGreaterThan(0);
    for (const error of response.body.errors ?? []) expect(error.extensions?.code).not.toBe('INTERNAL');
    await expectHealthy();
  });

  it('answers a batch of operations sent as a JSON array with a typed refusal or per-operation results', async () => {
    const batch = Array.from({ length: 1_000 }, () => ({ query: '{ version }' }));
    const response = await api.app.inject({
      method: 'POST',
      url: '/graphql',
      headers: { 'content-type': 'application/json' },
      payload: JSON.stringify(batch),
    });
    // Batching is not enabled: the array is not a GraphQL request.
    expect(response.statusCode).toBe(400);
    const body = response.json<RawResponse['body']>();
    expect(body.errors?.[0]?.extensions?.code).toBe('VALIDATION');
    // Many operations in one document run only the one named.
    const many = Array.from({ length: 2_000 }, (_, i) => `query Q${i} { version }`).join('\n');
    const named = await post({ query: many, operationName: 'Q1999' });
    expect(named.status).toBe(200);
    expect(named.body).toEqual({ data: { version: 'test' } });
    await expectHealthy();
  });
});

describe('malformed access and refresh tokens', () => {
  const secret = new TextEncoder().encode(TEST_AUTH_SECRET);
  const base64url = (value: object) => Buffer.from(JSON.stringify(value)).toString('base64url');

  /**
   * A token with our claims and the given overrides, signed by the API's own signing key, or with
   * HS256 under `hmacKey`, or by `ed25519` under its own kid.
   */
  async function forged(overrides: {
    issuer?: string;
    audience?: string;
    hmacKey?: Uint8Array;
    ed25519?: KeyObject;
    sid?: string;
    exp?: number;
  }) {
    const now = Math.floor(Date.now() / 1000);
    const jwt = new SignJWT({ sid: overrides.sid ?? randomUUID(), role: 'admin' })
      .setSubject(admin.id)
      .setIssuer(overrides.issuer ?? 'chronicle')
      .setAudience(overrides.audience ?? 'chronicle-api')
      .setIssuedAt(now - 60)
      .setExpirationTime(overrides.exp ?? now + 600)
      .setJti(randomUUID());
    if (overrides.hmacKey)
      return jwt.setProtectedHeader({ alg: 'HS256', typ: 'JWT' }).sign(overrides.hmacKey);
    if (overrides.ed25519) {
      const kid = keyIdOf(publicJwkOf(createPublicKey(overrides.ed25519)));
      return jwt.setProtectedHeader({ alg: 'EdDSA', typ: 'JWT', kid }).sign(overrides.ed25519);
    }
    const signer = await signingKeysOf(api).signingKey(new Date());
    return jwt.setProtectedHeader({ alg: 'EdDSA', typ: 'JWT', kid: signer.kid }).sign(signer.privateKey);
  }

  it('answers UNAUTHENTICATED, without internals, to every malformed access token', async () => {
    const [header, payload] = admin.accessToken.split('.') as [string, string];
    const past = new Date(Date.now() - 3_600_000);
    const expired = await issueAccessToken(
      { userId: admin.id, sessionId: randomUUID(), role: 'admin' },
      { keys: signingKeysOf(api), now: past },
    );
    const tokens: Record<string, string> = {
      badSignature: `${header}.${payload}.${'A'.repeat(43)}`,
      otherKey: await forged({
        hmacKey: new TextEncoder().encode('another-secret-that-is-at-least-32-chars'),
      }),
      hs256WithAuthSecret: await forged({ hmacKey: secret }),
      unknownKid: await forged({ ed25519: generateKeyPairSync('ed25519').privateKey }),
      algNone: `${base64url({ alg: 'none', typ: 'JWT' })}.${payload}.`,
      algNoneSigned: `${base64url({ alg: 'none', typ: 'JWT' })}.${payload}.${admin.accessToken.split('.')[2]}`,
      algHs512: `${base64url({ alg: 'HS512', typ: 'JWT' })}.${payload}.${admin.accessToken.split('.')[2]}`,
      expired: expired.token,
      wrongIssuer: await forged({ issuer: 'evil' }),
      wrongAudience: await forged({ audience: 'other-api' }),
      unknownSession: await forged({}),
      injectedSessionId: await forged({ sid: "' OR '1'='1" }),
      garbage: 'not-a-jwt',
      dots: '...',
      nonJsonSegments: 'e30.bm90IGpzb24.c2ln',
      apiKeyShaped: `chr_${"'; drop table api_keys; --".replace(/\W/g, '_')}`,
      huge: `${header}.${'A'.repeat(60_000)}.${'B'.repeat(43)}`,
    };
    const before = await eventCount();
    for (const [name, token] of Object.entries(tokens)) {
      const response = await post({ query: '{ me { id } }' }, { authorization: `Bearer ${token}` });
      expect(response.status, name).toBeLessThan(500);
      expect(response.body.data?.me ?? null, name).toBeNull();
      const error = response.body.errors?.[0];
      expect(error?.extensions?.code, name).toBe('UNAUTHENTICATED');
      expect(error?.message, name).not.toMatch(LEAKED_INTERNALS);
      expect(error?.message, name).not.toMatch(/jose|JWS|JWT|signature verification|alg/i);
    }
    // A mutation with a bad token is refused before it runs: nothing stored.
    const update = await post(
      { query: 'mutation { updateProfile(input: { displayName: "Forged" }) { displayName } }' },
      { authorization: `Bearer ${tokens.otherKey}` },
    );
    expect(update.body.errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
    for (const header of ['Bearer', 'Basic abc', `Bearer ${admin.accessToken} extra`, 'Bearer \u0000']) {
      const response = await post({ query: '{ me { id } }' }, { authorization: header });
      expect(response.status, header).toBeLessThan(500);
      expect(response.body.errors?.[0]?.extensions?.code, header).toBe('UNAUTHENTICATED');
    }
    expect(await eventCount()).toBe(before);
    await expectHealthy();
  });

  it('answers UNAUTHENTICATED to malformed, unknown, reused, revoked and expired refresh tokens', async () => {
    const user = await registerAndSignIn(api, 'Refresh Victim');
    const [sessionId] = user.refreshToken.split('.') as [string];
    const malformed = [
      '',
      'garbage',
      `${sessionId}.`,
      `${sessionId}.${'A'.repeat(43)}`,
      `${randomUUID()}.${'A'.repeat(43)}`,
      `${sessionId}.${"'; drop table sessions; --".padEnd(43, '-')}`,
      `${sessionId}.${'A'.repeat(42)}\u0000`,
      'x'.repeat(90_000),
    ];
    for (const token of malformed) {
      const response = await post({ query: REFRESH, variables: { token } });
      expect(response.status).toBeLessThan(500);
      expect(response.body.errors?.[0]?.extensions?.code).toMatch(/^(UNAUTHENTICATED|VALIDATION)$/);
      expect(response.body.errors?.[0]?.message).not.toMatch(LEAKED_INTERNALS);
    }
    // A wrong secret for a real session does not end the session: the holder's token still works.
    const rotated = await post({ query: REFRESH, variables: { token: user.refreshToken } });
    const next = rotated.body.data?.refreshSession as { refreshToken: string; accessToken: string };
    expect(next.refreshToken).toBeTruthy();
    // The retired token presented again: reuse, and the whole session is revoked.
    const reused = await post({ query: REFRESH, variables: { token: user.refreshToken } });
    expect(reused.body.errors?.[0]?.extensions).toMatchObject({
      code: 'UNAUTHENTICATED',
      reason: 'REFRESH_TOKEN_REUSED',
    });
    const afterReuse = await post({ query: REFRESH, variables: { token: next.refreshToken } });
    expect(afterReuse.body.errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
    const me = await post({ query: '{ me { id } }' }, { authorization: `Bearer ${next.accessToken}` });
    expect(me.body.errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');

    // A session started eight days ago (its refresh token lived seven) is expired.
    const { email } = await registerUser(api);
    const eightDaysAgo = new Date(Date.now() - 8 * 86_400_000);
    const old = await signIn(
      {
        ...identityDeps(api),
        authSecret: secret,
        accessTokens: signingKeysOf(api),
        clock: () => eightDaysAgo,
      },
      { actor: { kind: 'anonymous' }, correlationId: randomUUID() },
      { email, password: PASSWORD },
    );
    const expired = await post({ query: REFRESH, variables: { token: old.refreshToken } });
    expect(expired.body.errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
    expect(expired.body.errors?.[0]?.message).not.toMatch(LEAKED_INTERNALS);
    const oldAccess = await post({ query: '{ me { id } }' }, { authorization: `Bearer ${old.accessToken}` });
    expect(oldAccess.body.errors?.[0]?.extensions).toMatchObject({
      code: 'UNAUTHENTICATED',
      reason: 'TOKEN_EXPIRED',
    });
    await expectHealthy();
  });
});
