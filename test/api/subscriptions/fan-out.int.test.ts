import { afterAll, describe, expect, inject, it } from 'vitest';
import { CLOSE_UNAUTHORIZED } from '../../../src/api/subscriptions/close-codes.ts';
import { type IdentityApp, startIdentityApp } from '../support/identity-app.ts';
import { registerAndSignIn } from '../support/identity-operations.ts';
import { ME_CHANGED, type MeChanged, mutate, UPDATE_PROFILE } from './support/operations.ts';
import { connect, graphqlWsUrl, subscribe, type TestClient } from './support/ws-client.ts';

const apps: IdentityApp[] = [];
const clients: TestClient[] = [];
afterAll(async () => {
  await Promise.all(clients.map((c) => c.dispose()));
  for (const app of apps.reverse()) await app.close();
});

/** Two API processes on one database; the projector runs in the first only. */
async function twoProcesses(options: { redisUrl?: string; recheckIntervalMs: number }) {
  const bus = options.redisUrl ? { changeBusRedisUrl: options.redisUrl } : {};
  const limits = { subscriptionLimits: { recheckIntervalMs: options.recheckIntervalMs } };
  const first = await startIdentityApp({ ...bus, ...limits });
  apps.push(first);
  const second = await startIdentityApp({
    ...bus,
    ...limits,
    databaseUrl: first.databaseUrl,
    projector: false,
  });
  apps.push(second);
  return { first, second, secondUrl: await graphqlWsUrl(second.app) };
}

const open = (url: string, token: string) => {
  const client = connect(url, token);
  clients.push(client);
  return client;
};

describe('two API processes sharing Redis', () => {
  const redisUrl = inject('redisUrl');

  it.skipIf(!redisUrl)(
    "delivers a change written through one process to a subscriber of the other, and closes it on the other's logout",
    async () => {
      const { first, secondUrl } = await twoProcesses({ redisUrl, recheckIntervalMs: 600_000 });
      const user = await registerAndSignIn(first, 'Fan');
      const client = open(secondUrl, user.accessToken);
      const changes = subscribe<MeChanged>(client, 'meChanged', ME_CHANGED);
      await changes.received(1);

      await mutate(first, UPDATE_PROFILE, { input: { bio: 'written elsewhere' } }, user.accessToken);
      while (changes.values.at(-1)?.bio !== 'written elsewhere')
        await changes.received(changes.values.length + 1);

      const closed = client.closed();
      await mutate(first, 'mutation { logout }', {}, user.accessToken);
      expect(await closed).toMatchObject({ code: CLOSE_UNAUTHORIZED });
    },
  );
});

describe('the periodic re-check', () => {
  it('closes a revoked connection that no change notification reached', async () => {
    // Without Redis each process has its own in-process bus: the second hears nothing of the first.
    const { first, secondUrl } = await twoProcesses({ recheckIntervalMs: 200 });
    const user = await registerAndSignIn(first);
    const client = open(secondUrl, user.accessToken);
    await subscribe<MeChanged>(client, 'meChanged', ME_CHANGED).received(1);

    const closed = client.closed();
    await mutate(first, 'mutation { logout }', {}, user.accessToken);
    const close = await closed;
    expect(close.code).toBe(CLOSE_UNAUTHORIZED);
    expect(close.reason).toMatch(/^UNAUTHENTICATED\/SESSION_REVOKED/);
  });
});
