import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { errorCodes, fieldOf, type IdentityApp, startIdentityApp } from '../support/identity-app.ts';
import { makeAdmin, registerAndSignIn, type TestUser } from '../support/identity-operations.ts';
import { type HttpAnswer, postGraphQL, someIp } from './http.ts';

const VERSION = { query: '{ version }' };
const ME = { query: '{ me { id } }' };
const login = (email: string) => ({
  query: 'mutation ($input: LoginInput!) { login(input: $input) { accessToken } }',
  variables: { input: { email, password: 'not the password' } },
});

function expectRateLimited(answer: HttpAnswer, reason: string) {
  expect(answer.status).toBe(429);
  expect(errorCodes(answer.body)).toEqual([`RATE_LIMITED/${reason}`]);
  const retryAfter = Number(answer.headers['retry-after']);
  expect(retryAfter).toBeGreaterThanOrEqual(1);
  expect(retryAfter).toBeLessThanOrEqual(60);
  expect(answer.body.errors?.[0]?.extensions).toMatchObject({
    retryAfterSeconds: retryAfter,
    requestId: answer.headers['x-request-id'],
  });
}

async function spend(api: IdentityApp, times: number, ip: string, token?: string) {
  for (let i = 0; i < times; i++) {
    const answer = await postGraphQL(api.app, token ? ME : VERSION, { ip, ...(token ? { token } : {}) });
    expect(answer.status).toBe(200);
  }
}

const REQUESTS = 8;
const LOGINS = 4;

describe('rate limits', () => {
  describe('in one process (in memory)', () => {
    let api: IdentityApp;
    let user: TestUser;
    let admin: TestUser;
    let apiKey: string;
    beforeAll(async () => {
      api = await startIdentityApp({ limits: { requests: { max: REQUESTS }, logins: { max: LOGINS } } });
      [user, admin] = await Promise.all([registerAndSignIn(api), makeAdmin(api)]);
      const created = await api.gql(
        'mutation { createApiKey(name: "integration", scopes: [GRAPHQL_READ]) { key } }',
        {},
        admin.accessToken,
      );
      apiKey = fieldOf<{ key: string }>(created, 'createApiKey').key;
    });
    afterAll(async () => {
      await api?.close();
    });

    it('refuses an anonymous caller past its budget with 429, RATE_LIMITED and Retry-After', async () => {
      const ip = someIp();
      await spend(api, REQUESTS, ip);

      expectRateLimited(await postGraphQL(api.app, VERSION, { ip }), 'TOO_MANY_REQUESTS');
      expect((await postGraphQL(api.app, VERSION, { ip: someIp() })).status).toBe(200);
    });

    it('counts a signed-in caller by user, whichever address the requests come from', async () => {
      const exhausted = someIp();
      await spend(api, REQUESTS, exhausted);

      await spend(api, 3, exhausted, user.accessToken);
      await spend(api, REQUESTS - 3, someIp(), user.accessToken);
      expectRateLimited(
        await postGraphQL(api.app, ME, { ip: someIp(), token: user.accessToken }),
        'TOO_MANY_REQUESTS',
      );
    });

    it('counts an API key by key, apart from its owner', async () => {
      await spend(api, REQUESTS, someIp(), apiKey);
      expectRateLimited(await postGraphQL(api.app, ME, { ip: someIp(), token: apiKey }), 'TOO_MANY_REQUESTS');
      expect((await postGraphQL(api.app, ME, { token: admin.accessToken })).status).toBe(200);
    });

    it('counts requests with an unusable token against the address', async () => {
      const ip = someIp();
      for (let i = 0; i < REQUESTS; i++) {
        const answer = await postGraphQL(api.app, ME, { ip, token: 'not-a-token' });
        expect(errorCodes(answer.body)).toEqual(['UNAUTHENTICATED/TOKEN_INVALID']);
      }
      expectRateLimited(await postGraphQL(api.app, ME, { ip, token: 'not-a-token' }), 'TOO_MANY_REQUESTS');
    });

    it('limits sign-in attempts per address more strictly than other requests', async () => {
      const ip = someIp();
      for (let i = 0; i < LOGINS; i++) {
        const answer = await postGraphQL(api.app, login(user.email), { ip });
        expect(errorCodes(answer.body)).toEqual(['UNAUTHENTICATED/INVALID_CREDENTIALS']);
      }
      expectRateLimited(await postGraphQL(api.app, login(user.email), { ip }), 'TOO_MANY_LOGIN_ATTEMPTS');
    });

    it('counts every aliased login in one request', async () => {
      const batch = {
        query: `mutation ($input: LoginInput!) {
          a: login(input: $input) { accessToken } b: login(input: $input) { accessToken }
          c: login(input: $input) { accessToken } d: login(input: $input) { accessToken }
          e: login(input: $input) { accessToken } }`,
        variables: login(user.email).variables,
      };
      expectRateLimited(await postGraphQL(api.app, batch, { ip: someIp() }), 'TOO_MANY_LOGIN_ATTEMPTS');
    });

    it('never limits health probes', async () => {
      for (let i = 0; i <= REQUESTS; i++) {
        const response = await api.app.inject({ url: '/health/live', remoteAddress: '10.0.0.1' });
        expect(response.statusCode).toBe(200);
      }
    });

    // Here rather than with the other query limits: that app's tiny complexity budget refuses first.
    it('allows at most 100 items per page', async () => {
      const answer = await postGraphQL(
        api.app,
        { query: '{ users(page: { first: 101 }) { nodes { id } } }' },
        { token: admin.accessToken },
      );
      expect(errorCodes(answer.body)).toEqual(['VALIDATION/INVALID_INPUT']);
      expect(answer.body.errors?.[0]?.extensions?.issues).toEqual([
        { path: ['first'], message: expect.stringContaining('100') },
      ]);
    });
  });

  const redisUrl = inject('redisUrl');
  describe.skipIf(!redisUrl)('across processes (Redis)', () => {
    let one: IdentityApp;
    let two: IdentityApp;
    beforeAll(async () => {
      const options = { limits: { requests: { max: 3 } }, redisUrl };
      [one, two] = await Promise.all([startIdentityApp(options), startIdentityApp(options)]);
    });
    afterAll(async () => {
      await Promise.all([one?.close(), two?.close()]);
    });

    it('shares one budget between API processes', async () => {
      const ip = someIp();
      await spend(one, 2, ip);
      await spend(two, 1, ip);

      expectRateLimited(await postGraphQL(two.app, VERSION, { ip }), 'TOO_MANY_REQUESTS');
      expectRateLimited(await postGraphQL(one.app, VERSION, { ip }), 'TOO_MANY_REQUESTS');
    });
  });

  describe('behind a trusted proxy (TRUST_PROXY)', () => {
    const PROXY = '192.0.2.10';
    let api: IdentityApp;
    beforeAll(async () => {
      api = await startIdentityApp({ limits: { requests: { max: REQUESTS } }, trustProxy: [PROXY] });
    });
    afterAll(async () => {
      await api?.close();
    });

    it('counts anonymous callers by the address the proxy forwards, not the proxy’s', async () => {
      const client = someIp();
      for (let i = 0; i < REQUESTS; i++) {
        expect((await postGraphQL(api.app, VERSION, { ip: PROXY, forwardedFor: client })).status).toBe(200);
      }
      expectRateLimited(
        await postGraphQL(api.app, VERSION, { ip: PROXY, forwardedFor: client }),
        'TOO_MANY_REQUESTS',
      );
      // Another client behind the same proxy has a budget of its own.
      expect((await postGraphQL(api.app, VERSION, { ip: PROXY, forwardedFor: someIp() })).status).toBe(200);
    });

    it('with a hop count, believes the nearest forwarded address whoever sends it', async () => {
      const oneHop = await startIdentityApp({ limits: { requests: { max: REQUESTS } }, trustProxy: 1 });
      try {
        const client = someIp();
        for (let i = 0; i < REQUESTS; i++) {
          const answer = await postGraphQL(oneHop.app, VERSION, { ip: someIp(), forwardedFor: client });
          expect(answer.status).toBe(200);
        }
        expectRateLimited(
          await postGraphQL(oneHop.app, VERSION, { ip: someIp(), forwardedFor: client }),
          'TOO_MANY_REQUESTS',
        );
      } finally {
        await oneHop.close();
      }
    });

    it('ignores X-Forwarded-For from an address it does not trust', async () => {
      const direct = someIp();
      for (let i = 0; i < REQUESTS; i++) {
        expect((await postGraphQL(api.app, VERSION, { ip: direct, forwardedFor: someIp() })).status).toBe(
          200,
        );
      }
      expectRateLimited(
        await postGraphQL(api.app, VERSION, { ip: direct, forwardedFor: someIp() }),
        'TOO_MANY_REQUESTS',
      );
    });
  });
});
