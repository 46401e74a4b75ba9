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
 * asking any minimum refuses them; owners and moderators are exempt; a helpful mark lifts a member
 * over a low minimum and a removal (a report upheld) takes them back under it.
 */
const START = `mutation ($communityId: ID!, $title: String!, $body: String!) {
  startCommunityThread(communityId: $communityId, title: $title, body: $body) { id body } }`;
const REPLY = `mutation ($parentId: ID!, $body: String!) {
  replyInCommunity(parentId: $parentId, body: $body) { id depth } }`;

const HELPFUL = `mutation ($postId: ID!) { markCommunityPostHelpful(postId: $postId) { id helpful } }`;
const REMOVE = `mutation ($postId: ID!, $reason: String!) {
  removeCommunityPost(postId: $postId, reason: $reason) { id status } }`;

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

describe('trust earned and lost', () => {
  it('lets a member start threads once a helpful mark lifts them over the minimum, and not after a removal', async () => {
    const host = await registerAndSignIn(api, 'Host');
    const gated = (
      await createCommunity(api, host, {
        visibility: 'PUBLIC',
        minTrustToStartThreads: 5,
        minTrustToPostLinks: 15,
      })
    ).id;
    const learner = await registerAndSignIn(api, 'Learner');
    await addMember(api, host, gated, learner);
    const start =
      (body = 'My first thread') =>
      () =>
        api.gql(START, { communityId: gated, title: 'Question', body }, learner.accessToken);
    expect(errorCodes(await refused(start()))).toEqual(['FORBIDDEN/TRUST_TOO_LOW']);

    // One helpful mark: 35 × 1/(1 + 5) ≈ 5.8, over 5 (docs/learning-progress-and-trust.md).
    const welcome = await startThread(host, 'Welcome', 'Say hello', gated);
    const hello = await reply(learner, welcome.id, 'Hello, I am learning algebra');
    fieldOf(await api.gql(HELPFUL, { postId: hello.id }, host.accessToken), 'markCommunityPostHelpful');
    const own = fieldOf<PostView>(
      await api.gql(START, { communityId: gated, title: 'Question', body: 'Why x?' }, learner.accessToken),
      'startCommunityThread',
    );
    expect(own.body).toBe('Why x?');
    // Links ask 15: still refused.
    expect(errorCodes(await refused(start('see https://example.org')))).toEqual(['FORBIDDEN/TRUST_TOO_LOW']);

    // A removal is a report upheld (−40 × 1/2): back under the minimum.
    fieldOf(
      await api.gql(REMOVE, { postId: own.id, reason: 'Duplicate' }, host.accessToken),
      'removeCommunityPost',
    );
    expect(errorCodes(await refused(start()))).toEqual(['FORBIDDEN/TRUST_TOO_LOW']);
  });
});
