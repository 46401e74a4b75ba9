import { randomUUID } from 'node:crypto';
import { afterAll, describe, expect, inject, it } from 'vitest';
import { setRole } from '../../../src/services/identity/account.ts';
import { errorCodes, fieldOf, type IdentityApp, startIdentityApp } from '../support/identity-app.ts';
import { identityDeps, ME, registerAndSignIn } from '../support/identity-operations.ts';

const apps: IdentityApp[] = [];
afterAll(async () => {
  for (const app of apps.reverse()) await app.close();
});

/** Two API processes on one database; the projector runs in the first only. */
async function twoProcesses(redisUrl?: string) {
  const bus = redisUrl ? { changeBusRedisUrl: redisUrl } : {};
  const first = await startIdentityApp(bus);
  apps.push(first);
  const second = await startIdentityApp({ ...bus, databaseUrl: first.databaseUrl, projector: false });
  apps.push(second);
  return { first, second };
}

/** Asks `me` on `api` until it is refused; returns how long that took and the refusal. */
async function untilRefused(api: IdentityApp, token: string, since: number, giveUpMs: number) {
  let answer = await api.gql(ME, {}, token);
  while (!answer.errors && Date.now() - since < giveUpMs) answer = await api.gql(ME, {}, token);
  return { afterMs: Date.now() - since, codes: errorCodes(answer) };
}

describe('checked credentials held in memory', () => {
  const redisUrl = inject('redisUrl');

  it.skipIf(!redisUrl)(
    'refuses a session on another process within a second of its logout, and a role change applies there as soon',
    async () => {
      const { first, second } = await twoProcesses(redisUrl);
      const user = await registerAndSignIn(first);
      const laptop = await registerAndSignIn(first);
      // Both sessions are now checked and held by the second process.
      expect((await second.gql(ME, {}, user.accessToken)).errors).toBeUndefined();
      expect(fieldOf<{ role: string }>(await second.gql(ME, {}, laptop.accessToken), 'me').role).toBe('user');

      expect((await first.gql('mutation { logout }', {}, user.accessToken)).data).toEqual({ logout: true });
      const refused = await untilRefused(second, user.accessToken, Date.now(), 3_000);
      expect(refused.codes).toEqual(['UNAUTHENTICATED/SESSION_REVOKED']);
      expect(refused.afterMs).toBeLessThan(1_000);

      const changedAt = Date.now();
      await setRole(
        identityDeps(first),
        { actor: { kind: 'system', process: 'test' }, correlationId: randomUUID() },
        { userId: laptop.id, role: 'moderator' },
      );
      let role = '';
      while (role !== 'moderator' && Date.now() - changedAt < 3_000)
        role = fieldOf<{ role: string }>(await second.gql(ME, {}, laptop.accessToken), 'me').role;
      expect(role).toBe('moderator');
      expect(Date.now() - changedAt).toBeLessThan(1_000);
    },
  );

  it('refuses a revoked session within a second even on a process that hears no change notification', async () => {
    // Without Redis each process has its own in-process bus: the second hears nothing of the first.
    const { first, second } = await twoProcesses();
    const user = await registerAndSignIn(first);
    expect((await second.gql(ME, {}, user.accessToken)).errors).toBeUndefined();
    const revokedAt = Date.now();
    expect((await first.gql('mutation { revokeAllSessions }', {}, user.accessToken)).errors).toBeUndefined();
    // The mutation's own process refuses the very next request.
    expect(errorCodes(await first.gql(ME, {}, user.accessToken))).toEqual([
      'UNAUTHENTICATED/SESSION_REVOKED',
    ]);
    const refused = await untilRefused(second, user.accessToken, revokedAt, 3_000);
    expect(refused.codes).toEqual(['UNAUTHENTICATED/SESSION_REVOKED']);
    // The entry the second process held lives at most a second from before it was read.
    expect(refused.afterMs).toBeLessThan(1_200);
  });

  it('refuses a revoked API key on the very next request of the process that revoked it', async () => {
    const first = await startIdentityApp();
    apps.push(first);
    const owner = await registerAndSignIn(first);
    const created = await first.gql(
      'mutation { createApiKey(name: "cached", scopes: [GRAPHQL_READ]) { key apiKey { id } } }',
      {},
      owner.accessToken,
    );
    const { key, apiKey } = fieldOf<{ key: string; apiKey: { id: string } }>(created, 'createApiKey');
    expect((await first.gql(ME, {}, key)).errors).toBeUndefined();
    const revoke = await first.gql(
      'mutation ($id: ID!) { revokeApiKey(id: $id) { id } }',
      { id: apiKey.id },
      owner.accessToken,
    );
    expect(revoke.errors).toBeUndefined();
    expect(errorCodes(await first.gql(ME, {}, key))).toEqual(['UNAUTHENTICATED/API_KEY_REVOKED']);
  });
});
