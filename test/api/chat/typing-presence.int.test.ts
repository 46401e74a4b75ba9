import { Redis } from 'ioredis';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import {
  type EphemeralNotice,
  InProcessEphemeralBus,
  LOCAL_SEEN_KEPT_MS,
  presenceTopic,
  RedisEphemeralBus,
  typingTopic,
} from '../../../src/api/chat/ephemeral-bus.ts';
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

describe('the in-process bus', () => {
  it('forgets last-seen times twice the presence TTL after the last heartbeat', async () => {
    expect(LOCAL_SEEN_KEPT_MS).toBe(2 * PRESENCE_TTL_MS);
    let now = 1_000_000;
    const bus = new InProcessEphemeralBus(() => now);
    await bus.markSeen('gone', now);
    await bus.markSeen('back', now);
    now += LOCAL_SEEN_KEPT_MS / 2;
    await bus.markSeen('back', now);
    now += LOCAL_SEEN_KEPT_MS / 2 + 1;
    await bus.markSeen('new', now);
    expect(bus.remembered()).toBe(2);
    expect(await bus.lastSeen(['gone', 'back', 'new'])).toEqual(
      new Map([
        ['back', now - LOCAL_SEEN_KEPT_MS / 2 - 1],
        ['new', now],
      ]),
    );
  });
});

describe('two API processes sharing Redis', () => {
  const redisUrl = inject('redisUrl');

  it.skipIf(!redisUrl)('subscribes to a topic’s channel only while someone here listens to it', async () => {
    const bus = new RedisEphemeralBus(redisUrl ?? '', pino({ level: 'silent' }));
    const observer = new Redis(redisUrl ?? '');
    const conversationId = crypto.randomUUID();
    const userId = crypto.randomUUID();
    const channel = `chronicle:chat-live:${typingTopic(conversationId)}`;
    const subscribers = async () => {
      const [, count] = (await observer.pubsub('NUMSUB', channel)) as [string, number];
      return Number(count);
    };
    const settled = async (expected: number) => {
      for (let tries = 0; tries < 50 && (await subscribers()) !== expected; tries++) await sleep(20);
      return subscribers();
    };
    try {
      expect(await subscribers()).toBe(0);
      const heard: EphemeralNotice[] = [];
      const first = bus.subscribe(typingTopic(conversationId), (notice) => heard.push(notice));
      const second = bus.subscribe(typingTopic(conversationId), (notice) => heard.push(notice));
      expect(await settled(1)).toBe(1);
      const typing = { kind: 'typing', conversationId, userId, expiresAt: Date.now() + 1_000 } as const;
      await bus.publish(typing);
      // Someone else's presence is another channel: this process never receives it.
      await bus.publish({ kind: 'presence', userId, lastSeenAt: Date.now() });
      await sleep(100);
      expect(heard).toEqual([typing, typing]);
      first();
      expect(await settled(1)).toBe(1);
      second();
      expect(await settled(0)).toBe(0);
      const [, presenceCount] = (await observer.pubsub(
        'NUMSUB',
        `chronicle:chat-live:${presenceTopic(userId)}`,
      )) as [string, number];
      expect(Number(presenceCount)).toBe(0);
    } finally {
      observer.disconnect();
      await bus.close();
    }
  });

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
