import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BLOCK, UNBLOCK } from '../social/graph-support.ts';
import { connect, graphqlWsUrl, subscribe, type TestClient } from '../subscriptions/support/ws-client.ts';
import { errorCodes, fieldOf, type IdentityApp, startIdentityApp } from '../support/identity-app.ts';
import { registerAndSignIn } from '../support/identity-operations.ts';
import { ADD_MEMBERS, CREATE_GROUP } from './conversation-support.ts';
import { groupOf } from './message-support.ts';

/**
 * Blocks reach groups too: nobody brings into a group someone they blocked or who blocked them
 * (that would be the way round a blocked direct conversation), and sharing a group shows no
 * presence across a block.
 */
const HEARTBEAT = 'mutation { heartbeat }';
const PRESENCE = 'query ($userIds: [ID!]!) { presence(userIds: $userIds) { userId online } }';
const PRESENCE_CHANGED = `subscription ($userIds: [ID!]!) { presenceChanged(userIds: $userIds) { userId online } }`;

let api: IdentityApp;
const clients: TestClient[] = [];
beforeAll(async () => {
  api = await startIdentityApp();
});
afterAll(async () => {
  await Promise.all(clients.map((c) => c.dispose()));
  await api.close();
});

const person = (name: string) => registerAndSignIn(api, name);

describe('blocks in group conversations', () => {
  it('refuse creating a group with, or adding, someone blocked either way round', async () => {
    const [dee, eve, fay] = [await person('Dee'), await person('Eve'), await person('Fay')];
    expect((await api.gql(BLOCK, { userId: eve.id }, dee.accessToken)).errors).toBeUndefined();

    const create = (memberIds: string[], token: string) =>
      api.gql(CREATE_GROUP, { title: 'Crew', memberIds }, token);
    // The blocked one cannot bring the blocker in, nor the blocker the blocked one.
    expect(errorCodes(await create([dee.id, fay.id], eve.accessToken))).toEqual(['FORBIDDEN/BLOCKED']);
    expect(errorCodes(await create([eve.id], dee.accessToken))).toEqual(['FORBIDDEN/BLOCKED']);

    const eveGroup = await groupOf(api, eve, [fay]);
    const add = (conversationId: string, userIds: string[], token: string) =>
      api.gql(ADD_MEMBERS, { conversationId, userIds }, token);
    expect(errorCodes(await add(eveGroup, [dee.id], eve.accessToken))).toEqual(['FORBIDDEN/BLOCKED']);
    const deeGroup = await groupOf(api, dee, [fay]);
    expect(errorCodes(await add(deeGroup, [eve.id], dee.accessToken))).toEqual(['FORBIDDEN/BLOCKED']);

    // Someone else may still bring both into one group; unblocked, they may add each other.
    expect(errorCodes(await create([dee.id, eve.id], fay.accessToken))).toEqual([]);
    expect((await api.gql(UNBLOCK, { userId: eve.id }, dee.accessToken)).errors).toBeUndefined();
    const added = await add(eveGroup, [dee.id], eve.accessToken);
    expect(added.errors).toBeUndefined();
    expect(fieldOf<{ memberCount: number }>(added, 'addConversationMembers').memberCount).toBe(3);
  });

  it('hide the presence of group members who block each other', async () => {
    const [dee, eve, fay] = [await person('Dee'), await person('Eve'), await person('Fay')];
    await groupOf(api, fay, [dee, eve]);
    expect(fieldOf(await api.gql(HEARTBEAT, {}, dee.accessToken), 'heartbeat')).toBe(true);
    const presenceOf = async (token: string, userIds: string[]) =>
      fieldOf<{ userId: string; online: boolean }[]>(await api.gql(PRESENCE, { userIds }, token), 'presence');

    expect(await presenceOf(eve.accessToken, [dee.id])).toEqual([{ userId: dee.id, online: true }]);
    expect((await api.gql(BLOCK, { userId: eve.id }, dee.accessToken)).errors).toBeUndefined();
    // Either way round: the blocked one no longer sees the blocker, nor the blocker the blocked.
    expect(await presenceOf(eve.accessToken, [dee.id])).toEqual([]);
    expect(await presenceOf(dee.accessToken, [eve.id, fay.id])).toEqual([{ userId: fay.id, online: false }]);
    expect(await presenceOf(fay.accessToken, [dee.id])).toEqual([{ userId: dee.id, online: true }]);

    expect((await api.gql(UNBLOCK, { userId: eve.id }, dee.accessToken)).errors).toBeUndefined();
    expect(await presenceOf(eve.accessToken, [dee.id])).toEqual([{ userId: dee.id, online: true }]);
  });

  it('drop a person from a presence subscription when a block is made, and bring them back when it goes', async () => {
    const [dee, eve, fay] = [await person('Dee'), await person('Eve'), await person('Fay')];
    await groupOf(api, fay, [dee, eve]);
    const watcher = connect(await graphqlWsUrl(api.app), eve.accessToken);
    clients.push(watcher);
    const live = subscribe<{ userId: string; online: boolean }>(
      watcher,
      'presenceChanged',
      PRESENCE_CHANGED,
      {
        userIds: [dee.id, fay.id],
      },
    );
    expect(await live.received(2)).toEqual(
      expect.arrayContaining([
        { userId: dee.id, online: false },
        { userId: fay.id, online: false },
      ]),
    );

    expect((await api.gql(BLOCK, { userId: eve.id }, dee.accessToken)).errors).toBeUndefined();
    // The block reaches the subscription through the change bus; give its re-decision a moment.
    await new Promise((resolve) => setTimeout(resolve, 500));
    fieldOf(await api.gql(HEARTBEAT, {}, dee.accessToken), 'heartbeat');
    fieldOf(await api.gql(HEARTBEAT, {}, fay.accessToken), 'heartbeat');
    // Dee's heartbeat came first and is not sent: the next one is Fay's.
    expect((await live.received(3))[2]).toEqual({ userId: fay.id, online: true });

    expect((await api.gql(UNBLOCK, { userId: eve.id }, dee.accessToken)).errors).toBeUndefined();
    expect((await live.received(4))[3]).toEqual({ userId: dee.id, online: true });
  });
});
