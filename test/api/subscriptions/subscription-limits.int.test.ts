import { once } from 'node:events';
import type { IncomingMessage } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { CLOSE_TOO_MANY, CLOSE_UNAUTHORIZED } from '../../../src/api/subscriptions/close-codes.ts';
import { CLOSE_INIT_TIMEOUT } from '../../../src/api/subscriptions/socket-guard.ts';
import { type IdentityApp, startIdentityApp } from '../support/identity-app.ts';
import { registerAndSignIn, type TestUser } from '../support/identity-operations.ts';
import { createApiKey, ME_CHANGED } from './support/operations.ts';
import { connect, graphqlWsUrl, subscribe, type TestClient } from './support/ws-client.ts';

/** Subscriptions are costed and capped like HTTP operations, from the upgrade to each `subscribe`. */
let api: IdentityApp;
let url: string;
let user: TestUser;
const clients: TestClient[] = [];
const open = (token: string) => {
  const client = connect(url, token);
  clients.push(client);
  return client;
};

beforeAll(async () => {
  api = await startIdentityApp({
    limits: { maxComplexity: 12 },
    subscriptionLimits: {
      connectionInitTimeoutMs: 400,
      maxSocketsPerAddress: 8,
      maxSocketsPerUser: 2,
      maxSubscriptionsPerSocket: 2,
      subscribesPerMinute: 5,
    },
  });
  url = await graphqlWsUrl(api.app);
  user = await registerAndSignIn(api, 'Limits');
});
afterAll(async () => {
  await Promise.all(clients.map((c) => c.dispose()));
  await api?.close();
});

/** A raw socket speaking graphql-transport-ws, for what a well-behaved client never sends. */
async function rawSocket(at = url): Promise<WebSocket> {
  const socket = new WebSocket(at, 'graphql-transport-ws');
  await once(socket, 'open');
  return socket;
}

async function closeCode(socket: WebSocket): Promise<{ code: number; reason: string }> {
  const [code, reason] = (await once(socket, 'close')) as [number, Buffer];
  return { code, reason: reason.toString() };
}

describe('subscription documents', () => {
  it('refuses a misspelt field instead of dropping it', async () => {
    const refused = subscribe(
      open(user.accessToken),
      'meChanged',
      'subscription { meChanged { id displayNam } }',
    );
    expect(await refused.ended).toMatchObject({
      kind: 'errors',
      errors: [{ extensions: { code: 'GRAPHQL_VALIDATION_FAILED' } }],
    });
  });

  it('charges a subscription what its selection costs, with the HTTP budget', async () => {
    // 1 (meChanged) + 12 fields: over the budget of 12.
    const costly = subscribe(
      open(user.accessToken),
      'meChanged',
      'subscription { meChanged { id email displayName bio role status totpEnabled a: id b: bio c: role d: status e: email } }',
    );
    expect(await costly.ended).toMatchObject({
      kind: 'errors',
      errors: [{ extensions: { code: 'GRAPHQL_VALIDATION_FAILED', reason: 'QUERY_TOO_COMPLEX' } }],
    });
  });
});

describe('per socket and per user', () => {
  it('caps the subscriptions open on one socket, and admits another once one completes', async () => {
    const client = open((await registerAndSignIn(api, 'One socket')).accessToken);
    const first = subscribe(client, 'meChanged', ME_CHANGED);
    const second = subscribe(client, 'meChanged', ME_CHANGED);
    await Promise.all([first.received(1), second.received(1)]);
    const third = subscribe(client, 'meChanged', ME_CHANGED);
    expect(await third.ended).toMatchObject({
      kind: 'errors',
      errors: [{ extensions: { code: 'RATE_LIMITED', reason: 'TOO_MANY_SUBSCRIPTIONS' } }],
    });
    first.unsubscribe();
    const fourth = subscribe(client, 'meChanged', ME_CHANGED);
    await fourth.received(1);
    // Five subscribes this minute on this socket, the refused one included: the sixth is refused
    // however few are open.
    // (`second` stays open throughout: a graphql-ws client closes a socket left with none.)
    fourth.unsubscribe();
    const fifth = subscribe(client, 'meChanged', ME_CHANGED);
    await fifth.received(1);
    fifth.unsubscribe();
    const sixth = subscribe(client, 'meChanged', ME_CHANGED);
    expect(await sixth.ended).toMatchObject({
      kind: 'errors',
      errors: [{ extensions: { code: 'RATE_LIMITED', reason: 'TOO_MANY_SUBSCRIBES' } }],
    });
    await client.dispose();
  });

  it('caps the connections of one user, an API key counting as its owner', async () => {
    const other = await registerAndSignIn(api, 'Many sockets');
    const { key } = await createApiKey(api, other.accessToken, ['GRAPHQL_READ']);
    const a = open(other.accessToken);
    const b = open(key);
    await subscribe(a, 'meChanged', ME_CHANGED).received(1);
    await subscribe(b, 'meChanged', ME_CHANGED).received(1);
    // A third connection, with the key or the token, is one too many for this user.
    const c = open(key);
    subscribe(c, 'meChanged', ME_CHANGED);
    expect(await c.closed()).toMatchObject({
      code: CLOSE_TOO_MANY,
      reason: expect.stringMatching(/^RATE_LIMITED\/TOO_MANY_CONNECTIONS/),
    });
    // A connection closed frees its place.
    await a.dispose();
    await expect
      .poll(
        async () => {
          const d = open(other.accessToken);
          const seen = subscribe(d, 'meChanged', ME_CHANGED);
          const ok = await Promise.race([seen.received(1).then(() => true), seen.ended.then(() => false)]);
          await d.dispose();
          return ok;
        },
        { timeout: 5_000 },
      )
      .toBe(true);
    await b.dispose();
  });
});

describe('before connection_init', () => {
  it('closes a socket that sends no connection_init in time with 4408', async () => {
    const socket = await rawSocket();
    expect((await closeCode(socket)).code).toBe(CLOSE_INIT_TIMEOUT);
  });

  it('closes a socket that subscribes before connection_init with 4401', async () => {
    const socket = await rawSocket();
    const closed = closeCode(socket);
    socket.send(JSON.stringify({ id: '1', type: 'subscribe', payload: { query: ME_CHANGED } }));
    expect((await closed).code).toBe(CLOSE_UNAUTHORIZED);
  });

  it('refuses the upgrade past the sockets allowed per address, with 429', async () => {
    // Its own server: the other tests' sockets would count against the same address.
    const strict = await startIdentityApp({ subscriptionLimits: { maxSocketsPerAddress: 3 } });
    try {
      const strictUrl = await graphqlWsUrl(strict.app);
      const sockets = await Promise.all(Array.from({ length: 3 }, () => rawSocket(strictUrl)));
      const refused = new WebSocket(strictUrl, 'graphql-transport-ws');
      refused.on('error', () => {}); // terminated before it opened, on purpose
      const [, response] = (await once(refused, 'unexpected-response')) as [unknown, IncomingMessage];
      expect(response.statusCode).toBe(429);
      const chunks: Buffer[] = [];
      for await (const chunk of response) chunks.push(chunk as Buffer);
      expect(JSON.parse(Buffer.concat(chunks).toString())).toMatchObject({
        errors: [{ extensions: { code: 'RATE_LIMITED', reason: 'TOO_MANY_CONNECTIONS' } }],
      });
      refused.terminate();
      for (const socket of sockets) socket.terminate();
      // Closed sockets give their places back.
      await expect
        .poll(
          async () => {
            const socket = new WebSocket(strictUrl, 'graphql-transport-ws');
            socket.on('error', () => {});
            const outcome = await Promise.race([
              once(socket, 'open').then(() => 'open'),
              once(socket, 'unexpected-response').then(() => 'refused'),
            ]);
            socket.terminate();
            return outcome;
          },
          { timeout: 5_000 },
        )
        .toBe('open');
    } finally {
      await strict.close();
    }
  });
});
