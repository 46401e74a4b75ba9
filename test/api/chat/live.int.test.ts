import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { UPDATE_BATCH } from '../../../src/api/chat/conversation-updates.ts';
import { chatMemberEventCatalogue } from '../../../src/domain/chat/member-events.ts';
import { chatMemberStream } from '../../../src/domain/chat/streams.ts';
import {
  moderationCaseStream,
  moderationEventCatalogue,
} from '../../../src/domain/social/moderation-events.ts';
import { appendEvents } from '../social/graph-support.ts';
import {
  connect,
  graphqlWsUrl,
  subscribe,
  type TestClient,
  type TestSubscription,
} from '../subscriptions/support/ws-client.ts';
import { fieldOf, type IdentityApp, startIdentityApp } from '../support/identity-app.ts';
import { registerAndSignIn, type TestUser } from '../support/identity-operations.ts';
import { groupOf, send } from './message-support.ts';

/**
 * Chat's timeline subscriptions over real graphql-ws clients: gap-free and resumable from the last
 * position received, guarded by membership for as long as they run.
 */
const UPDATE_FIELDS = 'conversationId position kind messageId userId at message { id text senderId }';
const CONVERSATION_UPDATES = `subscription ($conversationId: ID!, $after: String) {
  conversationUpdates(conversationId: $conversationId, after: $after) { ${UPDATE_FIELDS} } }`;
const MY_UPDATES = `subscription ($after: String) { myConversationUpdates(after: $after) { ${UPDATE_FIELDS} } }`;
const REMOVE = `mutation ($conversationId: ID!, $userId: ID!) {
  removeConversationMember(conversationId: $conversationId, userId: $userId) { id } }`;

interface Update {
  conversationId: string;
  position: string;
  kind: string;
  messageId: string | null;
  userId: string | null;
  at: string;
  message: { id: string; text: string | null; senderId: string } | null;
}

let api: IdentityApp;
let url: string;
let alice: TestUser;
let bob: TestUser;
let carol: TestUser;
const clients: TestClient[] = [];
const client = (token: string) => {
  const created = connect(url, token);
  clients.push(created);
  return created;
};
beforeAll(async () => {
  api = await startIdentityApp();
  url = await graphqlWsUrl(api.app);
  alice = await registerAndSignIn(api, 'Alice');
  bob = await registerAndSignIn(api, 'Bob');
  carol = await registerAndSignIn(api, 'Carol');
});
afterAll(async () => {
  await Promise.all(clients.map((c) => c.dispose()));
  await api?.close();
});

const watchConversation = (user: TestUser, conversationId: string, after?: string) =>
  subscribe<Update>(client(user.accessToken), 'conversationUpdates', CONVERSATION_UPDATES, {
    conversationId,
    ...(after !== undefined ? { after } : {}),
  });

/** Waits until an update passes `test`, returning it. */
async function until(live: TestSubscription<Update>, test: (update: Update) => boolean) {
  for (let count = 1; ; count++) {
    const update = (await live.received(count))[count - 1];
    if (update && test(update)) return update;
  }
}

const quiet = () => new Promise((resolve) => setTimeout(resolve, 300));

describe('conversationUpdates', () => {
  it('resumes after a dropped socket from the last position received: 20 messages, each once, in order', async () => {
    const conversationId = await groupOf(api, alice, [bob]);
    // The starting point is a known position, so nothing depends on when the server took the subscription.
    const start = await send(api, alice, conversationId, 'before');

    const first = watchConversation(bob, conversationId, start.position);
    const sending = (async () => {
      const ids: string[] = [];
      for (let i = 1; i <= 20; i++) ids.push((await send(api, alice, conversationId, `message ${i}`)).id);
      return ids;
    })();
    // Mid-way: the socket goes, with messages still being sent.
    const received = await first.received(7);
    await clients.at(-1)?.dispose();
    const last = received.at(-1);
    expect(last).toBeDefined();

    const resumed = watchConversation(bob, conversationId, last?.position);
    const sent = await sending;
    const rest = await resumed.received(sent.length - received.length);
    await quiet();
    const all = [...received, ...resumed.values];

    expect(all.map((u) => u.messageId)).toEqual(sent);
    expect(all.every((u) => u.kind === 'MESSAGE_SENT' && u.conversationId === conversationId)).toBe(true);
    const positions = all.map((u) => BigInt(u.position));
    for (let i = 1; i < positions.length; i++) expect(positions[i]).toBeGreaterThan(positions[i - 1] ?? 0n);
    // The message comes with the update, as the subscriber sees it.
    expect(rest.at(-1)?.message).toEqual({ id: sent.at(-1), text: 'message 20', senderId: alice.id });
  });

  it('sends a backlog longer than one read (500 rows) in full, with nothing new to wake it', async () => {
    const conversationId = await groupOf(api, alice, [bob]);
    const start = await send(api, alice, conversationId, 'start');
    const count = UPDATE_BATCH + 20;
    for (let sent = 0; sent < count; sent += 20) {
      await Promise.all(
        Array.from({ length: Math.min(20, count - sent) }, (_, i) =>
          send(api, alice, conversationId, `backlog ${sent + i}`),
        ),
      );
    }
    // Subscribed once everything is stored: only the read after a full batch can fetch the rest.
    const live = watchConversation(bob, conversationId, start.position);
    const received = await live.received(count);
    const positions = received.map((u) => BigInt(u.position));
    for (let i = 1; i < positions.length; i++) expect(positions[i]).toBeGreaterThan(positions[i - 1] ?? 0n);
    expect(new Set(received.map((u) => u.messageId)).size).toBe(count);
    await quiet();
    expect(live.values).toHaveLength(count);
  }, 60_000);

  it("reads a batch's messages together, not a few queries per update", async () => {
    const conversationId = await groupOf(api, alice, [bob]);
    const start = await send(api, alice, conversationId, 'start');
    const count = 40;
    await Promise.all(
      Array.from({ length: count }, (_, i) => send(api, alice, conversationId, `batch ${i}`)),
    );
    const queries = vi.spyOn(api.runtime.pool, 'query');
    try {
      const live = watchConversation(bob, conversationId, start.position);
      const received = await live.received(count);
      expect(received.every((u) => u.message?.id === u.messageId)).toBe(true);
      // Membership, starting point, the timeline, then the messages with their reactions and
      // receipts: a handful, where one update at a time read three or four each.
      expect(queries.mock.calls.length).toBeLessThan(15);
    } finally {
      queries.mockRestore();
    }
  });

  it('sends only what happens after it started when no position is given', async () => {
    const conversationId = await groupOf(api, alice, [bob]);
    await send(api, alice, conversationId, 'old news');
    const live = watchConversation(bob, conversationId);
    // graphql-ws does not acknowledge a subscription: a margin for it to take its starting point.
    await quiet();
    const fresh = await send(api, alice, conversationId, 'fresh');
    expect((await live.received(1)).map((u) => u.messageId)).toEqual([fresh.id]);
    await quiet();
    expect(live.values).toHaveLength(1);
  });

  it('ends a member removed mid-subscription with FORBIDDEN/ACCESS_REVOKED, and sends nothing after', async () => {
    const conversationId = await groupOf(api, alice, [bob, carol]);
    const start = await send(api, alice, conversationId, 'welcome');
    const live = watchConversation(bob, conversationId, start.position);
    const seen = await send(api, alice, conversationId, 'seen by bob');
    await live.received(1);

    fieldOf(
      await api.gql(REMOVE, { conversationId, userId: bob.id }, alice.accessToken),
      'removeConversationMember',
    );
    expect(await live.ended).toMatchObject({
      kind: 'errors',
      errors: [{ extensions: { code: 'FORBIDDEN', reason: 'ACCESS_REVOKED' } }],
    });
    await send(api, alice, conversationId, 'not for bob');
    await quiet();
    // Not the removal either: by the time it is read, bob is no longer a member.
    expect(live.values.map((u) => u.messageId)).toEqual([seen.id]);

    // Subscribing again, he is a stranger.
    const again = watchConversation(bob, conversationId, '0');
    expect(await again.ended).toMatchObject({
      errors: [{ extensions: { code: 'NOT_FOUND', reason: 'CONVERSATION_NOT_FOUND' } }],
    });
  });

  it('refuses a stranger, an unknown conversation and a malformed position', async () => {
    const conversationId = await groupOf(api, alice, [bob]);
    const stranger = watchConversation(carol, conversationId);
    expect(await stranger.ended).toMatchObject({
      kind: 'errors',
      errors: [{ extensions: { code: 'NOT_FOUND', reason: 'CONVERSATION_NOT_FOUND' } }],
    });
    const unknown = watchConversation(alice, '00000000-0000-4000-8000-000000000000');
    expect(await unknown.ended).toMatchObject({ errors: [{ extensions: { code: 'NOT_FOUND' } }] });
    const malformed = watchConversation(alice, conversationId, 'yesterday');
    expect(await malformed.ended).toMatchObject({ errors: [{ extensions: { code: 'VALIDATION' } }] });
  });

  it('leaves out messages moderators hid (but not for their sender) and ones hidden for the subscriber', async () => {
    const conversationId = await groupOf(api, alice, [bob]);
    const start = await send(api, alice, conversationId, 'start');
    const shown = await send(api, alice, conversationId, 'shown');
    const moderated = await send(api, alice, conversationId, 'moderated');
    const hiddenForBob = await send(api, alice, conversationId, 'hidden for bob');
    await appendEvents(api, moderationCaseStream(moderated.id), moderationEventCatalogue, [
      {
        type: 'ContentHidden',
        data: {
          targetKind: 'message',
          targetId: moderated.id,
          authorId: alice.id,
          moderatorId: randomUUID(),
          reason: 'spam',
        },
      },
    ]);
    await appendEvents(api, chatMemberStream(conversationId, bob.id), chatMemberEventCatalogue, [
      {
        type: 'ChatMessageHiddenForMe',
        data: { conversationId, userId: bob.id, messageId: hiddenForBob.id },
      },
    ]);
    const last = await send(api, alice, conversationId, 'last');

    const asBob = watchConversation(bob, conversationId, start.position);
    await until(asBob, (u) => u.messageId === last.id);
    expect(asBob.values.map((u) => u.messageId)).toEqual([shown.id, last.id]);
    const asAlice = watchConversation(alice, conversationId, start.position);
    await until(asAlice, (u) => u.messageId === last.id);
    expect(asAlice.values.map((u) => u.messageId)).toEqual([
      shown.id,
      moderated.id,
      hiddenForBob.id,
      last.id,
    ]);
  });

  it('replays only from the position the subscriber joined at', async () => {
    const conversationId = await groupOf(api, alice, [carol]);
    const before = await send(api, alice, conversationId, 'before bob joined');
    const added = `mutation ($conversationId: ID!, $userIds: [ID!]!) {
      addConversationMembers(conversationId: $conversationId, userIds: $userIds) { id } }`;
    fieldOf(
      await api.gql(added, { conversationId, userIds: [bob.id] }, alice.accessToken),
      'addConversationMembers',
    );
    const after = await send(api, alice, conversationId, 'after bob joined');

    const live = watchConversation(bob, conversationId, '0');
    const update = await until(live, (u) => u.kind === 'MESSAGE_SENT');
    expect(update.messageId).toBe(after.id);
    expect(live.values.map((u) => u.messageId)).not.toContain(before.id);
    // His own joining is the first thing he sees.
    expect(live.values[0]).toMatchObject({ kind: 'MEMBERS_CHANGED', userId: bob.id });
  });
});

describe('myConversationUpdates', () => {
  it("follows every conversation the caller is in, one they are added to included, and nobody else's", async () => {
    const dave = await registerAndSignIn(api, 'Dave');
    const live = subscribe<Update>(client(dave.accessToken), 'myConversationUpdates', MY_UPDATES, {
      after: '0',
    });
    const theirs = await groupOf(api, alice, [dave]);
    const hello = await send(api, alice, theirs, 'hello dave');
    const elsewhere = await groupOf(api, alice, [bob]);
    const notForDave = await send(api, bob, elsewhere, 'not for dave');
    const second = await groupOf(api, bob, [dave], 'Second');
    const reply = await send(api, dave, second, 'dave here');

    const update = await until(live, (u) => u.messageId === reply.id);
    expect(update.conversationId).toBe(second);
    const messages = live.values.filter((u) => u.kind === 'MESSAGE_SENT').map((u) => u.messageId);
    expect(messages).toEqual([hello.id, reply.id]);
    expect(live.values.map((u) => u.messageId)).not.toContain(notForDave.id);
    expect(live.values.map((u) => u.conversationId)).not.toContain(elsewhere);
  });
});

describe("the socket's admission", () => {
  it('prices and counts the chat subscriptions as every other one', async () => {
    const limited = await startIdentityApp({
      limits: { maxComplexity: 30 },
      subscriptionLimits: { maxSubscriptionsPerSocket: 1 },
    });
    try {
      const limitedUrl = await graphqlWsUrl(limited.app);
      const owner = await registerAndSignIn(limited, 'Owner');
      const member = await registerAndSignIn(limited, 'Member');
      const conversationId = await groupOf(limited, owner, [member]);
      const socket = connect(limitedUrl, member.accessToken);
      clients.push(socket);

      // Each update's message with every field, its attachments and reactions: over this budget.
      const costly = subscribe(
        socket,
        'conversationUpdates',
        `subscription ($conversationId: ID!) { conversationUpdates(conversationId: $conversationId) {
          position message { id conversationId position senderId text edited editedAt deleted sentAt
            readByCount readByOther deliveredToOther deliveredToAll replyTo { id text }
            attachments { assetId kind status fileName contentType size url thumbnailUrl }
            reactions { emoji count reactedByMe } } } }`,
        { conversationId },
      );
      expect(await costly.ended).toMatchObject({
        errors: [{ extensions: { code: 'GRAPHQL_VALIDATION_FAILED', reason: 'QUERY_TOO_COMPLEX' } }],
      });

      const typing = `subscription ($conversationId: ID!) {
        conversationTyping(conversationId: $conversationId) { userIds } }`;
      subscribe(socket, 'conversationTyping', typing, { conversationId });
      await quiet();
      const second = subscribe(
        socket,
        'presenceChanged',
        'subscription ($ids: [ID!]!) { presenceChanged(userIds: $ids) { online } }',
        {
          ids: [owner.id],
        },
      );
      expect(await second.ended).toMatchObject({
        errors: [{ extensions: { code: 'RATE_LIMITED', reason: 'TOO_MANY_SUBSCRIPTIONS' } }],
      });
    } finally {
      await clients.pop()?.dispose();
      await limited.close();
    }
  });
});
