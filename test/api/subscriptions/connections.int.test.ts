import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { CLOSE_TOO_MANY, CLOSE_UNAUTHORIZED } from '../../../src/api/subscriptions/close-codes.ts';
import { type IdentityApp, startIdentityApp } from '../support/identity-app.ts';
import { makeAdmin, registerAndSignIn } from '../support/identity-operations.ts';
import { createApiKey, ME_CHANGED, type MeChanged, mutate, UPDATE_PROFILE } from './support/operations.ts';
import { connect, graphqlWsUrl, subscribe, type TestClient } from './support/ws-client.ts';

let api: IdentityApp;
let url: string;
const clients: TestClient[] = [];

beforeAll(async () => {
  // The safety-net re-check is out of the picture: revocations must arrive through the change bus.
  api = await startIdentityApp({ subscriptionLimits: { recheckIntervalMs: 600_000 } });
  url = await graphqlWsUrl(api.app);
});
afterAll(async () => {
  await Promise.all(clients.map((c) => c.dispose()));
  await api.close();
});

const open = (token: string | undefined) => {
  const client = connect(url, token);
  clients.push(client);
  return client;
};

/** Subscribes to meChanged and waits for the current row, so the connection is known to be up. */
async function watchMe(client: TestClient) {
  const changes = subscribe<MeChanged>(client, 'meChanged', ME_CHANGED);
  await changes.received(1);
  return changes;
}

async function receivedUntil(
  changes: ReturnType<typeof subscribe<MeChanged>>,
  done: (m: MeChanged) => boolean,
) {
  while (!changes.values.some(done)) await changes.received(changes.values.length + 1);
}

describe('meChanged over graphql-ws', () => {
  it('delivers the current row, then the fresh row after each change', async () => {
    const user = await registerAndSignIn(api, 'Ada');
    const changes = await watchMe(open(user.accessToken));
    expect(changes.values[0]).toEqual({ id: user.id, displayName: 'Ada', bio: null, status: 'active' });

    await mutate(api, UPDATE_PROFILE, { input: { bio: 'Analyst' } }, user.accessToken);
    await mutate(api, UPDATE_PROFILE, { input: { displayName: 'Ada L.' } }, user.accessToken);

    await receivedUntil(changes, (m) => m.displayName === 'Ada L.');
    expect(changes.values.at(-1)).toEqual({
      id: user.id,
      displayName: 'Ada L.',
      bio: 'Analyst',
      status: 'active',
    });
  });

  it('stops a completed subscription while the connection serves new ones, and serves a reconnected client', async () => {
    const user = await registerAndSignIn(api, 'Grace');
    const client = open(user.accessToken);
    const first = await watchMe(client);
    first.unsubscribe();

    const second = await watchMe(client);
    await mutate(api, UPDATE_PROFILE, { input: { bio: 'Admiral' } }, user.accessToken);
    await receivedUntil(second, (m) => m.bio === 'Admiral');
    expect(first.values).toHaveLength(1);

    await client.dispose();
    const reconnected = await watchMe(open(user.accessToken));
    expect(reconnected.values[0]?.bio).toBe('Admiral');
  });

  it('serves an API key with graphql:read as its owner', async () => {
    const user = await registerAndSignIn(api, 'Owner');
    const { key } = await createApiKey(api, user.accessToken, ['GRAPHQL_READ']);
    const changes = await watchMe(open(key));
    expect(changes.values[0]?.id).toBe(user.id);
  });
});

describe('authentication on connection_init', () => {
  it.each([
    ['no token', undefined, 'UNAUTHENTICATED/SIGN_IN_REQUIRED'],
    ['a malformed token', 'not-a-jwt', 'UNAUTHENTICATED/'],
    ['an unknown API key', 'chr_0000000000000000_notakey', 'UNAUTHENTICATED/INVALID_API_KEY'],
  ])('closes the socket with 4401 for %s', async (_case, token, reason) => {
    const client = open(token);
    const changes = subscribe<MeChanged>(client, 'meChanged', ME_CHANGED);
    const ending = await changes.ended;
    expect(ending).toMatchObject({ kind: 'closed', close: { code: CLOSE_UNAUTHORIZED } });
    if (ending.kind === 'closed') expect(ending.close.reason.startsWith(reason)).toBe(true);
    expect(changes.values).toEqual([]);
  });

  it('closes the socket with 4429 on a second connection_init', async () => {
    const user = await registerAndSignIn(api);
    const socket = new WebSocket(url, 'graphql-transport-ws');
    const closed = new Promise<{ code: number; reason: string }>((resolve) =>
      socket.on('close', (code, reason) => resolve({ code, reason: reason.toString() })),
    );
    await new Promise((resolve) => socket.once('open', resolve));
    const init = JSON.stringify({
      type: 'connection_init',
      payload: { authorization: `Bearer ${user.accessToken}` },
    });
    socket.send(init);
    socket.send(init);
    expect(await closed).toEqual({ code: CLOSE_TOO_MANY, reason: 'Too many initialisation requests' });
  });

  it('refuses meChanged to an API key without graphql:read', async () => {
    const user = await registerAndSignIn(api);
    const { key } = await createApiKey(api, user.accessToken, ['EVENTS_READ']);
    const ending = await subscribe(open(key), 'meChanged', ME_CHANGED).ended;
    expect(ending).toMatchObject({
      kind: 'errors',
      errors: [{ extensions: { code: 'FORBIDDEN', reason: 'MISSING_SCOPE' } }],
    });
  });
});

describe('revocation closes the socket', () => {
  const revoked = async (token: string, revoke: () => Promise<unknown>) => {
    const client = open(token);
    const changes = await watchMe(client);
    const closed = client.closed();
    await revoke();
    const close = await closed;
    expect(close.code).toBe(CLOSE_UNAUTHORIZED);
    expect(await changes.ended).toMatchObject({ kind: 'closed' });
    return close.reason;
  };

  it('on logout', async () => {
    const user = await registerAndSignIn(api);
    const reason = await revoked(user.accessToken, () =>
      mutate(api, 'mutation { logout }', {}, user.accessToken),
    );
    expect(reason).toMatch(/^UNAUTHENTICATED\/SESSION_REVOKED/);
  });

  it('on revokeAllSessions', async () => {
    const user = await registerAndSignIn(api);
    const reason = await revoked(user.accessToken, () =>
      mutate(api, 'mutation { revokeAllSessions }', {}, user.accessToken),
    );
    expect(reason).toMatch(/^UNAUTHENTICATED\/SESSION_REVOKED/);
  });

  it('on deactivation by an admin', async () => {
    const [user, admin] = [await registerAndSignIn(api), await makeAdmin(api)];
    const reason = await revoked(user.accessToken, () =>
      mutate(
        api,
        'mutation ($id: ID!) { deactivateUser(userId: $id) { id } }',
        { id: user.id },
        admin.accessToken,
      ),
    );
    expect(reason).toMatch(/^UNAUTHENTICATED\/SESSION_REVOKED/);
  });

  it('on erasure', async () => {
    const user = await registerAndSignIn(api);
    const reason = await revoked(user.accessToken, () =>
      mutate(api, 'mutation { forgetUser { erasedAt } }', {}, user.accessToken),
    );
    expect(reason).toMatch(/^UNAUTHENTICATED\//);
  });

  it("on revoking the connection's API key", async () => {
    const user = await registerAndSignIn(api);
    const { key, apiKey } = await createApiKey(api, user.accessToken, ['GRAPHQL_READ']);
    const reason = await revoked(key, () =>
      mutate(
        api,
        'mutation ($id: ID!) { revokeApiKey(id: $id) { id } }',
        { id: apiKey.id },
        user.accessToken,
      ),
    );
    expect(reason).toMatch(/^UNAUTHENTICATED\/API_KEY_REVOKED/);
  });

  it('leaves the connections of other sessions open', async () => {
    const user = await registerAndSignIn(api);
    const other = await registerAndSignIn(api);
    const client = open(other.accessToken);
    const changes = await watchMe(client);
    await mutate(api, 'mutation { logout }', {}, user.accessToken);
    await mutate(api, UPDATE_PROFILE, { input: { bio: 'still here' } }, other.accessToken);
    // The change came through the bus after the logout's, so that one was looked at and passed over.
    await receivedUntil(changes, (m) => m.bio === 'still here');
    expect(client.closes).toEqual([]);
  });
});
