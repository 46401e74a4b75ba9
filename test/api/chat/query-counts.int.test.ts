import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { errorCodes, fieldOf, type IdentityApp, startIdentityApp } from '../support/identity-app.ts';
import { registerAndSignIn } from '../support/identity-operations.ts';
import { createGroup } from './conversation-support.ts';

/**
 * What chat reads cost: the database (a page of conversations is a few statements, not a few per
 * conversation) and the query budget (a chat screen fits, pages nested in pages do not).
 */
let api: IdentityApp;
beforeAll(async () => {
  api = await startIdentityApp();
});
afterAll(async () => {
  await api?.close();
});

const LIST = `query { myChatConversations(first: 10) {
  nodes { id unreadCount members(first: 5) { nodes { userId role user { id displayName } } pageInfo { hasNextPage } } } } }`;

interface Listed {
  nodes: { id: string; members: { nodes: { userId: string }[]; pageInfo: { hasNextPage: boolean } } }[];
}

describe('a page of conversations', () => {
  it('reads every conversation’s members (and their profiles) in one go', async () => {
    const me = await registerAndSignIn(api, 'Me');
    const others = await Promise.all(
      Array.from({ length: 6 }, (_, i) => registerAndSignIn(api, `Other ${i}`)),
    );
    const groups = [];
    for (let i = 0; i < 8; i++)
      groups.push(await createGroup(api, me, others.slice(0, 1 + (i % 6)), `G${i}`));

    const queries = vi.spyOn(api.runtime.pool, 'query');
    let listed: Listed;
    try {
      listed = fieldOf<Listed>(await api.gql(LIST, {}, me.accessToken), 'myChatConversations');
      // The list, unread counts, members, profiles (and the caller's own checks): not 2 per conversation.
      expect(queries.mock.calls.length).toBeLessThan(8);
    } finally {
      queries.mockRestore();
    }
    expect(listed.nodes).toHaveLength(8);
    for (const group of groups) {
      const found = listed.nodes.find((node) => node.id === group.id);
      const expected = group.members.nodes.map((member) => member.userId);
      expect(found?.members.nodes.map((member) => member.userId)).toEqual(expected.slice(0, 5));
      expect(found?.members.pageInfo.hasNextPage).toBe(expected.length > 5);
    }
  });
});

const ALL_MESSAGE_FIELDS = `id conversationId position senderId text edited editedAt deleted sentAt
  readByCount readByOther deliveredToOther deliveredToAll replyTo { id text }
  attachments { assetId kind status fileName contentType size durationSeconds width height url thumbnailUrl }
  reactions { emoji count reactedByMe }`;

describe('the query budget', () => {
  it('fits a chat screen: 50 messages with every field, their attachments, reactions and replies', async () => {
    const [me, other] = [await registerAndSignIn(api, 'Me'), await registerAndSignIn(api, 'Other')];
    const group = await createGroup(api, me, [other]);
    const screen = `query ($id: ID!) { chatMessages(conversationId: $id, last: 50) {
      nodes { ${ALL_MESSAGE_FIELDS} } pageInfo { hasPreviousPage hasNextPage startCursor endCursor } } }`;
    const response = await api.gql(screen, { id: group.id }, me.accessToken);
    expect(response.errors, JSON.stringify(response.errors)).toBeUndefined();
  });

  it('still refuses pages of messages nested in a page of conversations', async () => {
    const me = await registerAndSignIn(api, 'Me');
    const nested = `query { myChatConversations(first: 50) { nodes {
      messages(last: 50) { nodes { id text reactions { emoji count } attachments { url } } } } } }`;
    expect(errorCodes(await api.gql(nested, {}, me.accessToken))).toEqual([
      'GRAPHQL_VALIDATION_FAILED/QUERY_TOO_COMPLEX',
    ]);
  });
});
