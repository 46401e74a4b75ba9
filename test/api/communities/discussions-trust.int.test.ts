import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  errorCodes,
  fieldOf,
  type GraphQLResponse,
  type IdentityApp,
  startIdentityApp,
} from '../support/identity-app.ts';
import { registerAndSignIn, type TestUser } from '../support/identity-operations.ts';
import { addMember, createCommunity } from './community-support.ts';

/**
 * The trust gates against the real trust read model: a newcomer has no score (0), so a community
 * asking any minimum refuses them; owners and moderators are exempt. The pass side for members
 * with a score is the decider's (post-decider.unit.test.ts), since a score needs weeks of tenure
 * or checkpoints passed.
 */
const START = `mutation ($communityId: ID!, $title: String!, $body: String!) {
  startCommunityThread(communityId: $communityId, title: $title, body: $body) { id body } }`;
const REPLY = `mutation ($parentId: ID!, $body: String!) {
  replyInCommunity(parentId: $parentId, body: $body) { id depth } }`;

interface PostView {
  id: string;
  body?: string | null;
  depth?: number;
}

let api: IdentityApp;
beforeAll(async () => {
  api = await startIdentityApp();
});
afterAll(async () => {
  await api?.close();
});

const headPosition = async () =>
  (await api.runtime.store.readAll({ direction: 'backwards', maxCount: 1 }))[0]?.position;

/** A refused call: its response, having checked it stored nothing at all. */
async function refused(call: () => Promise<GraphQLResponse>): Promise<GraphQLResponse> {
  const head = await headPosition();
  const response = await call();
  expect(await headPosition()).toBe(head);
  return response;
}

async function startThread(user: TestUser, title: string, body: string, communityId: string) {
  return fieldOf<PostView>(
    await api.gql(START, { communityId, title, body }, user.accessToken),
    'startCommunityThread',
  );
}
async function reply(user: TestUser, parentId: string, body: string) {
  return fieldOf<PostView>(await api.gql(REPLY, { parentId, body }, user.accessToken), 'replyInCommunity');
}

describe('trust gates', () => {
  it('refuses a new member below the minimum to start threads or post links; owners and moderators pass', async () => {
    const gatedOwner = await registerAndSignIn(api, 'Gated owner');
    const gated = (
      await createCommunity(api, gatedOwner, {
        visibility: 'PUBLIC',
        minTrustToStartThreads: 30,
        minTrustToPostLinks: 60,
      })
    ).id;
    const [newcomer, gatekeeper] = [
      await registerAndSignIn(api, 'Newcomer'),
      await registerAndSignIn(api, 'Keeper'),
    ];
    await addMember(api, gatedOwner, gated, newcomer);
    await addMember(api, gatedOwner, gated, gatekeeper, 'MODERATOR');

    const response = await refused(() =>
      api.gql(START, { communityId: gated, title: 'Hi', body: 'Hello' }, newcomer.accessToken),
    );
    expect(errorCodes(response)).toEqual(['FORBIDDEN/TRUST_TOO_LOW']);
    expect(response.errors?.[0]?.extensions).toMatchObject({ minimum: 30 });

    const byModerator = await startThread(gatekeeper, 'Links', 'See https://example.org', gated);
    const byOwner = await startThread(gatedOwner, 'Rules', 'www.example.org/rules', gated);
    expect(byOwner.body).toBe('www.example.org/rules');
    // A reply needs no trust to start threads, but a link in it asks the link minimum.
    expect((await reply(newcomer, byModerator.id, 'Thanks')).depth).toBe(1);
    const linked = await refused(() =>
      api.gql(REPLY, { parentId: byModerator.id, body: 'see bit.ly/x' }, newcomer.accessToken),
    );
    expect(errorCodes(linked)).toEqual(['FORBIDDEN/TRUST_TOO_LOW']);
    expect(linked.errors?.[0]?.extensions).toMatchObject({ minimum: 60 });
  });
});
