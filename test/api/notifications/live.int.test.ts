import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { FOLLOW } from '../social/graph-support.ts';
import { connect, graphqlWsUrl, subscribe, type TestClient } from '../subscriptions/support/ws-client.ts';
import { fieldOf, type IdentityApp, startIdentityApp } from '../support/identity-app.ts';
import { registerAndSignIn, type TestUser } from '../support/identity-operations.ts';

/**
 * `notificationReceived` over real graphql-ws clients: the caller's new notifications and grown
 * groups, nobody else's, nothing again when marked read, and nothing once the session is gone.
 */
const RECEIVED = `subscription { notificationReceived {
  id type body actors { id displayName } actorCount read } }`;
const INBOX = '{ myNotifications(first: 10) { nodes { id } } }';
const MARK_ALL = 'mutation { markAllNotificationsRead }';

interface Received {
  id: string;
  type: string;
  body: string;
  actors: { id: string; displayName: string | null }[];
  actorCount: number;
  read: boolean;
}

let api: IdentityApp;
let url: string;
const clients: TestClient[] = [];
const client = (token: string) => {
  const created = connect(url, token);
  clients.push(created);
  return created;
};
beforeAll(async () => {
  api = await startIdentityApp();
  url = await graphqlWsUrl(api.app);
});
afterAll(async () => {
  await Promise.all(clients.map((c) => c.dispose()));
  await api?.close();
});

const follow = async (follower: TestUser, followee: TestUser) =>
  fieldOf(await api.gql(FOLLOW, { userId: followee.id }, follower.accessToken), 'followUser');
/** Subscribes, then waits until the server has it running (a first change is not lost to the handshake). */
async function watch(user: TestUser) {
  const received = subscribe<Received>(client(user.accessToken), 'notificationReceived', RECEIVED);
  await new Promise((resolve) => setTimeout(resolve, 300));
  return received;
}
/** How many notifications the person has, once the projector caught up with `count`. */
const inboxHas = (user: TestUser, count: number) =>
  vi.waitFor(
    async () => {
      const nodes = fieldOf<{ nodes: unknown[] }>(
        await api.gql(INBOX, {}, user.accessToken),
        'myNotifications',
      ).nodes;
      expect(nodes).toHaveLength(count);
    },
    { timeout: 10_000, interval: 50 },
  );

describe('notificationReceived', () => {
  it('sends new notifications and grown groups to their recipient only', async () => {
    const [ada, bob, cy, dan] = await Promise.all([
      registerAndSignIn(api, 'Ada'),
      registerAndSignIn(api, 'Bob'),
      registerAndSignIn(api, 'Cy'),
      registerAndSignIn(api, 'Dan'),
    ]);
    const adas = await watch(ada);
    const dans = await watch(dan);

    await follow(bob, ada);
    const [first] = await adas.received(1);
    expect(first).toMatchObject({
      type: 'NEW_FOLLOWER',
      actorCount: 1,
      actors: [{ id: bob.id, displayName: 'Bob' }],
      read: false,
    });

    // The unread group grows: the same notification again, with its new count.
    await follow(cy, ada);
    const [, grown] = await adas.received(2);
    expect(grown).toMatchObject({ id: first?.id, actorCount: 2 });
    expect(grown?.actors.map((a) => a.displayName)).toEqual(['Cy', 'Bob']);

    // Someone else's notification never reaches Ada; Dan hears of his own.
    await follow(bob, dan);
    const [dans1] = await dans.received(1);
    expect(dans1).toMatchObject({ type: 'NEW_FOLLOWER', actors: [{ id: bob.id }] });

    // Marking read writes the rows again, but is not news.
    fieldOf(await api.gql(MARK_ALL, {}, ada.accessToken), 'markAllNotificationsRead');
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(adas.values).toHaveLength(2);
    expect(dans.values).toHaveLength(1);
  });

  it('does not send what was there before it started', async () => {
    const [eve, fay] = await Promise.all([registerAndSignIn(api, 'Eve'), registerAndSignIn(api, 'Fay')]);
    await follow(fay, eve);
    await inboxHas(eve, 1);
    const eves = await watch(eve);
    const gus = await registerAndSignIn(api, 'Gus');
    // Fay's row grows with Gus: sent, as a grown group, but the earlier state was not.
    await follow(gus, eve);
    const [only] = await eves.received(1);
    expect(only?.actorCount).toBe(2);
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(eves.values).toHaveLength(1);
  });

  it('ends when the session is revoked, and sends nothing after', async () => {
    const [hal, ivy, jo] = await Promise.all([
      registerAndSignIn(api, 'Hal'),
      registerAndSignIn(api, 'Ivy'),
      registerAndSignIn(api, 'Jo'),
    ]);
    const hals = await watch(hal);
    await follow(ivy, hal);
    await hals.received(1);

    fieldOf(await api.gql('mutation { revokeAllSessions }', {}, hal.accessToken), 'revokeAllSessions');
    const ending = await hals.ended;
    expect(ending).toMatchObject({ kind: 'closed', close: { code: 4401 } });
    if (ending.kind === 'closed') expect(ending.close.reason).toMatch(/^UNAUTHENTICATED\/SESSION_REVOKED/);

    fieldOf(
      await api.gql(MARK_ALL, {}, (await registerAndSignIn(api)).accessToken),
      'markAllNotificationsRead',
    );
    await follow(jo, hal);
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(hals.values).toHaveLength(1);
  });

  it('needs a signed-in socket', async () => {
    const anonymous = subscribe<Received>(client(''), 'notificationReceived', RECEIVED);
    expect(await anonymous.ended).toMatchObject({ kind: 'closed', close: { code: 4401 } });
  });
});
