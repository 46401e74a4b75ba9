import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeModerator } from '../social/comments-support.ts';
import { errorCodes, type IdentityApp, startIdentityApp } from '../support/identity-app.ts';
import { registerAndSignIn, type TestUser } from '../support/identity-operations.ts';
import {
  addMembers,
  DELETE_FOR_EVERYONE,
  DELETE_FOR_ME,
  groupOf,
  SEARCH,
  search,
  send,
} from './message-support.ts';

let api: IdentityApp;
let ada: TestUser;
let bob: TestUser;
let cy: TestUser;
let moderator: TestUser;
beforeAll(async () => {
  api = await startIdentityApp();
  ada = await registerAndSignIn(api, 'Ada');
  bob = await registerAndSignIn(api, 'Bob');
  cy = await registerAndSignIn(api, 'Cy');
  moderator = await makeModerator(api);
});
afterAll(async () => {
  await api?.close();
});

const texts = async (user: TestUser, query: string, extra: Parameters<typeof search>[3] = {}) =>
  (await search(api, user, query, extra)).nodes.map((m) => m.text);

describe('searching messages', () => {
  it('finds words in the caller’s conversations only, newest first, in one conversation or all', async () => {
    const withBob = await groupOf(api, ada, [bob]);
    const withCy = await groupOf(api, ada, [cy]);
    await send(api, ada, withBob, 'The skatepark opens at noon');
    await send(api, bob, withBob, 'Noon works, see you at the PARK');
    await send(api, ada, withCy, 'Skatepark on Sunday?');
    await send(api, cy, withCy, 'Nothing to find here');

    expect(await texts(ada, 'skatepark')).toEqual(['Skatepark on Sunday?', 'The skatepark opens at noon']);
    expect(await texts(bob, 'skatepark')).toEqual(['The skatepark opens at noon']);
    expect(await texts(cy, 'skatepark')).toEqual(['Skatepark on Sunday?']);
    expect(await texts(ada, 'skatepark', { conversationId: withBob })).toEqual([
      'The skatepark opens at noon',
    ]);
    // Web search syntax: every word, a phrase, an exclusion.
    expect(await texts(ada, 'noon park')).toEqual(['Noon works, see you at the PARK']);
    expect(await texts(ada, '"opens at noon"')).toEqual(['The skatepark opens at noon']);
    expect(await texts(ada, 'noon -park')).toEqual(['The skatepark opens at noon']);
    // Another's conversation is not searchable by naming it.
    expect(
      errorCodes(await api.gql(SEARCH, { query: 'skatepark', conversationId: withBob }, cy.accessToken)),
    ).toEqual(['NOT_FOUND/CONVERSATION_NOT_FOUND']);
  });

  it('pages by position', async () => {
    const groupId = await groupOf(api, ada, [bob]);
    for (let i = 1; i <= 3; i++) await send(api, ada, groupId, `kickflip number ${i}`);
    const first = await search(api, bob, 'kickflip', { conversationId: groupId, first: 2 });
    expect(first.nodes.map((m) => m.text)).toEqual(['kickflip number 3', 'kickflip number 2']);
    expect(first.pageInfo.hasNextPage).toBe(true);
    const next = await search(api, bob, 'kickflip', {
      conversationId: groupId,
      first: 2,
      after: first.pageInfo.endCursor ?? '',
    });
    expect(next.nodes.map((m) => m.text)).toEqual(['kickflip number 1']);
    expect(next.pageInfo.hasNextPage).toBe(false);
  });

  it('leaves out what was sent before joining, deleted, hidden for me, and hidden by moderators except for its sender', async () => {
    const groupId = await groupOf(api, ada, [bob]);
    await send(api, ada, groupId, 'ollie before Cy joined');
    await addMembers(api, ada, groupId, [cy]);
    const deleted = await send(api, ada, groupId, 'ollie deleted');
    const hiddenForBob = await send(api, ada, groupId, 'ollie hidden by Bob');
    const moderated = await send(api, bob, groupId, 'ollie hidden by moderators');
    await send(api, ada, groupId, 'ollie plain');

    expect((await api.gql(DELETE_FOR_EVERYONE, { id: deleted.id }, ada.accessToken)).errors).toBeUndefined();
    expect((await api.gql(DELETE_FOR_ME, { id: hiddenForBob.id }, bob.accessToken)).errors).toBeUndefined();
    const hide = `mutation ($id: ID!) { hideContent(targetKind: message, targetId: $id, reason: "Off topic") { visibility } }`;
    expect((await api.gql(hide, { id: moderated.id }, moderator.accessToken)).errors).toBeUndefined();

    expect(await texts(cy, 'ollie')).toEqual(['ollie plain', 'ollie hidden by Bob']);
    expect(await texts(bob, 'ollie')).toEqual([
      'ollie plain',
      'ollie hidden by moderators',
      'ollie before Cy joined',
    ]);
    expect(await texts(ada, 'ollie')).toEqual([
      'ollie plain',
      'ollie hidden by Bob',
      'ollie before Cy joined',
    ]);
  });
});
