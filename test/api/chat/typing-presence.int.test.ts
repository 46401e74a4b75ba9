import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { PRESENCE_TTL_MS } from '../../../src/api/chat/presence.ts';
import { TYPING_TTL_MS } from '../../../src/api/chat/typing.ts';
import {
  connect,
  graphqlWsUrl,
  subscribe,
  type TestClient,
  type TestSubscription,
} from '../subscriptions/support/ws-client.ts';
import { errorCodes, fieldOf, type IdentityApp, startIdentityApp } from '../support/identity-app.ts';
import { registerAndSignIn, type TestUser } from '../support/identity-operations.ts';
import { groupOf } from './message-support.ts';

/**
 * Typing and presence: ephemeral, never events. Over real graphql-ws clients, in one process, and
 * across two API processes sharing Redis.
 */
const SET_TYPING = 'mutation ($conversationId: ID!) { setTyping(conversationId: $conversationId) }';
const TYPING = `subscription ($conversationId: ID!) {
  conversationTyping(conversationId: $conversationId) { conversationId userIds } }`;
const HEARTBEAT = 'mutation { heartbeat }';
const PRESENCE = 'query ($userIds: [ID!]!) { presence(userIds: $userIds) { userId online lastSeenAt } }';
const PRESENCE_CHANGED = `subscription ($userIds: [ID!]!) {
  presenceChanged(userIds: $userIds) { userId online lastSeenAt } }`;
const REMOVE = `mutation ($conversationId: ID!, $userId: ID!) {
  removeConversationMember(conversationId: $conversationId, userId: $userId) { id } }`;

interface Typing {
  conversationId: string;
  userIds: string[];
}
interface Presence {
  userId: string;
  online: boolean;
  lastSeenAt: string | null;
}

const apps: IdentityApp[] = [];
let api: IdentityApp;
let url: string;
let alice: TestUser;
let bob: TestUser;
let carol: TestUser;
const clients: TestClient[] = [];
const client = (address: string, token: string) => {
  const created = connect(address, token);
  clients.push(created);
  return created;
};
beforeAll(async () => {
  api = await startIdentityApp();
  apps.push(api);
  url = await graphqlWsUrl(api.app);
  alice = await registerAndSignIn(api, 'Alice');
  bob = await registerAndSignIn(api, 'Bob');
  carol = await registerAndSignIn(api, 'Carol');
});
afterAll(async () => {
  await Promise.all(clients.map((c) => c.dispose()));
  for (const app of apps.reverse()) await app.close();
});

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Calls `setTyping` every 200 ms until the watcher hears it (graphql-ws does not acknowledge a
 * subscription, so the first call may come before it listens); returns when the last call was made.
 */
async function typeUntilHeard(
  on: IdentityApp,
  typist: TestUser,
  conversationId: string,
  live: TestSubscription<Typing>,
) {
  for (;;) {
    const at = Date.now();
    expect(fieldOf(await on.gql(SET_TYPING, { conversationId }, typist.accessToken), 'setTyping')).toBe(true);
    const heard = await Promise.race([
      live.received(live.values.length + 1).then(() => true),
      sleep(200).then(() => false),
    ]);
    if (heard) return at;
  }
}

describe('typing', () => {
  it('shows who types (not yourself), and drops them 5 s after their last setTyping', async () => {
    const conversationId = await groupOf(api, alice, [bob]);
    const watching = subscribe<Typing>(client(url, bob.accessToken), 'conversationTyping', TYPING, {
      conversationId,
    });
    await typeUntilHeard(api, alice, conversationId, watching);
    expect(watching.values[0]).toEqual({ conversationId, userIds: [alice.id] });

    // Bob's own typing is not shown to him; Alice typing again a second later sends nothing and
    // keeps her typing for 5 s from then.
    fieldOf(await api.gql(SET_TYPING, { conversationId }, bob.accessToken), 'setTyping');
    await sleep(1_000);
    const typedAt = Date.now();
    fieldOf(await api.gql(SET_TYPING, { conversationId }, alice.accessToken), 'setTyping');
    const [, expired] = await watching.received(2);
    expect(expired).toEqual({ conversationId, userIds: [] });
    const lasted = Date.now() - typedAt;
    expect(lasted).toBeGreaterThanOrEqual(TYPING_TTL_MS - 100);
    expect(lasted).toBeLessThan(TYPING_TTL_MS + 2_000);
  });

  it('is for members: a stranger can neither type nor watch, and a removed member is ended', async () => {
    const conversationId = await groupOf(api, alice, [bob]);
    expect(errorCodes(await api.gql(SET_TYPING, { conversationId }, carol.accessToken))).toEqual([
      'NOT_FOUND/CONVERSATION_NOT_FOUND',
    ]);
    const stranger = subscribe<Typing>(client(url, carol.accessToken), 'conversationTyping', TYPING, {
      conversationId,
    });
    expect(await stranger.ended).toMatchObject({
      errors: [{ extensions: { code: 'NOT_FOUND', reason: 'CONVERSATION_NOT_FOUND' } }],
    });

    const watching = subscribe<Typing>(client(url, bob.accessToken), 'conversationTyping', TYPING, {
      conversationId,
    });
    await typeUntilHeard(api, alice, conversationId, watching);
    fieldOf(
      await api.gql(REMOVE, { conversationId, userId: bob.id }, alice.accessToken),
      'removeConversationMember',
    );
    expect(await watching.ended).toMatchObject({
      errors: [{ extensions: { code: 'FORBIDDEN', reason: 'ACCESS_REVOKED' } }],
    });
  });
});

describe('presence', () => {
  it('answers for yourself and people you share a conversation with, leaving others out', async () => {
    const dave = await registerAndSignIn(api, 'Dave');
    await groupOf(api, alice, [dave]);
    fieldOf(await api.gql(HEARTBEAT, {}, alice.accessToken), 'heartbeat');
    const before = Date.now();
    const answer = fieldOf<Presence[]>(
      await api.gql(PRESENCE, { userIds: [alice.id, carol.id, dave.id] }, dave.accessToken),
      'presence',
    );
    expect(answer).toEqual([
      { userId: alice.id, online: true, lastSeenAt: expect.any(String) },
      { userId: dave.id, online: false, lastSeenAt: null },
    ]);
    expect(Date.parse(answer[0]?.lastSeenAt ?? '')).toBeLessThanOrEqual(before);
    const tooMany = Array.from({ length: 101 }, () => alice.id);
    expect(errorCodes(await api.gql(PRESENCE, { userIds: tooMany }, dave.accessToken))).toEqual([
      'VALIDATION/INVALID_INPUT',
    ]);
  });

  it(
    'pushes each presence at the start, online on a heartbeat, and offline 30 s after the last one',
    async () => {
      const erin = await registerAndSignIn(api, 'Erin');
      const frank = await registerAndSignIn(api, 'Frank');
      await groupOf(api, erin, [frank]);
      const live = subscribe<Presence>(client(url, frank.accessToken), 'presenceChanged', PRESENCE_CHANGED, {
        userIds: [erin.id, carol.id],
      });
      // Carol shares no conversation with Frank: only Erin, offline, never seen.
      expect(await live.received(1)).toEqual([{ userId: erin.id, online: false, lastSeenAt: null }]);

      fieldOf(await api.gql(HEARTBEAT, {}, erin.accessToken), 'heartbeat');
      const beatAt = Date.now();
      const [, online] = await live.received(2);
      expect(online).toMatchObject({ userId: erin.id, online: true });
      // A second heartbeat while online is no change.
      await sleep(1_000);
      fieldOf(await api.gql(HEARTBEAT, {}, erin.accessToken), 'heartbeat');
      const [, , offline] = await live.received(3);
      expect(offline).toMatchObject({ userId: erin.id, online: false, lastSeenAt: expect.any(String) });
      expect(Date.now() - beatAt).toBeGreaterThanOrEqual(PRESENCE_TTL_MS + 1_000 - 100);
    },
    PRESENCE_TTL_MS + 15_000,
  );
});

describe('two API processes sharing Redis', () => {
  const redisUrl = inject('redisUrl');

  it.skipIf(!redisUrl)(
    'shows typing and presence sent through one process to a subscriber of the other',
    async () => {
      const first = await startIdentityApp({ redisUrl, changeBusRedisUrl: redisUrl });
      apps.push(first);
      const second = await startIdentityApp({
        redisUrl,
        changeBusRedisUrl: redisUrl,
        databaseUrl: first.databaseUrl,
        projector: false,
      });
      apps.push(second);
      const secondUrl = await graphqlWsUrl(second.app);
      const gina = await registerAndSignIn(first, 'Gina');
      const hank = await registerAndSignIn(first, 'Hank');
      const conversationId = await groupOf(first, gina, [hank]);

      const typing = subscribe<Typing>(client(secondUrl, hank.accessToken), 'conversationTyping', TYPING, {
        conversationId,
      });
      await typeUntilHeard(first, gina, conversationId, typing);
      expect(typing.values[0]).toEqual({ conversationId, userIds: [gina.id] });

      fieldOf(await first.gql(HEARTBEAT, {}, gina.accessToken), 'heartbeat');
      const seen = fieldOf<Presence[]>(
        await second.gql(PRESENCE, { userIds: [gina.id] }, hank.accessToken),
        'presence',
      );
      expect(seen).toEqual([{ userId: gina.id, online: true, lastSeenAt: expect.any(String) }]);
    },
  );
});
