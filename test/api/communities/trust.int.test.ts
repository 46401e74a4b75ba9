import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { historyFactor } from '../../../src/domain/mentorship/scoring.ts';
import { rankCandidates } from '../../../src/services/mentorship/rank-candidates.ts';
import { learnerProfile, mentorProfile } from '../mentorship/matching-support.ts';
import { errorCodes, fieldOf, type IdentityApp, startIdentityApp } from '../support/identity-app.ts';
import { makeAdmin, registerAndSignIn, type TestUser } from '../support/identity-operations.ts';
import { addMember, createCommunity } from './community-support.ts';
import { MEMBER_TRUST, TRUST_FIELDS, type TrustView } from './progress-support.ts';

let api: IdentityApp;
let owner: TestUser;
let moderator: TestUser;
let mentor: TestUser;
let author: TestUser;
let peer: TestUser;
let communityId: string;

beforeAll(async () => {
  api = await startIdentityApp();
  [owner, moderator, mentor, author, peer] = await Promise.all([
    registerAndSignIn(api, 'Olu Owner'),
    registerAndSignIn(api, 'Mo Moderator'),
    registerAndSignIn(api, 'Mina Mentor'),
    registerAndSignIn(api, 'Abe Author'),
    registerAndSignIn(api, 'Pia Peer'),
  ]);
  communityId = (await createCommunity(api, owner)).id;
  await addMember(api, owner, communityId, moderator, 'MODERATOR');
  await addMember(api, owner, communityId, mentor, 'MENTOR');
  await addMember(api, owner, communityId, author);
  await addMember(api, owner, communityId, peer);
});

afterAll(async () => {
  await api?.close();
});

const THREAD = `mutation ($communityId: ID!) {
  startCommunityThread(communityId: $communityId, title: "Leaves", body: "Why are leaves green?") { id } }`;
const REPLY = `mutation ($parentId: ID!, $body: String!) { replyInCommunity(parentId: $parentId, body: $body) { id } }`;
const HELPFUL = 'mutation ($postId: ID!) { markCommunityPostHelpful(postId: $postId) { id } }';
const REMOVE = 'mutation ($postId: ID!) { removeCommunityPost(postId: $postId, reason: "Off topic") { id } }';
const EXPLAIN = `query ($communityId: ID!, $userId: ID!, $first: Int, $after: String) {
  trustExplanation(communityId: $communityId, userId: $userId, first: $first, after: $after) {
    nodes { eventId eventType streamName streamRevision position component change occurredAt }
    pageInfo { hasNextPage endCursor } } }`;
const LEADERBOARD = `query ($id: ID!, $first: Int, $after: String) { community(id: $id) {
  myTrust { ${TRUST_FIELDS} }
  leaderboard(first: $first, after: $after) { nodes { userId score } pageInfo { hasNextPage endCursor } } } }`;

const trustOf = async (reader: TestUser, userId: string) =>
  fieldOf<TrustView>(await api.gql(MEMBER_TRUST, { communityId, userId }, reader.accessToken), 'memberTrust');
const component = (trust: TrustView, name: string) => trust.components.find((entry) => entry.name === name);

async function replyByAuthor(body: string): Promise<string> {
  const thread = fieldOf<{ id: string }>(
    await api.gql(THREAD, { communityId }, peer.accessToken),
    'startCommunityThread',
  );
  return fieldOf<{ id: string }>(
    await api.gql(REPLY, { parentId: thread.id, body }, author.accessToken),
    'replyInCommunity',
  ).id;
}

describe('trust in a community', () => {
  it('moves with helpful marks and upheld reports, and explains itself', async () => {
    const before = await trustOf(author, author.id);
    expect(before.components.map(({ name, weight }) => ({ name, weight }))).toEqual([
      { name: 'checkpoints', weight: 35 },
      { name: 'helpful', weight: 35 },
      { name: 'tenure', weight: 30 },
      { name: 'reports', weight: -40 },
    ]);
    expect(component(before, 'helpful')?.count).toBe(0);

    const helpful = await replyByAuthor('Chlorophyll reflects green light.');
    fieldOf(await api.gql(HELPFUL, { postId: helpful }, mentor.accessToken), 'markCommunityPostHelpful');
    const marked = await trustOf(author, author.id);
    expect(component(marked, 'helpful')).toMatchObject({ count: 1, value: 0.1667, points: 5.83 });
    expect(marked.score).toBeGreaterThan(before.score);
    expect(marked.score).toBeCloseTo(5.83, 1);

    const offTopic = await replyByAuthor('Buy my course!');
    fieldOf(await api.gql(REMOVE, { postId: offTopic }, moderator.accessToken), 'removeCommunityPost');
    const reported = await trustOf(moderator, author.id);
    expect(component(reported, 'reports')).toMatchObject({ count: 1, value: 0.5, points: -20 });
    expect(reported.score).toBe(0);

    // Moderators see the events behind it, newest first, each one the audit queries open.
    const explained = fieldOf<{
      nodes: {
        eventId: string;
        eventType: string;
        streamName: string;
        streamRevision: string;
        component: string;
        change: number;
      }[];
    }>(await api.gql(EXPLAIN, { communityId, userId: author.id }, moderator.accessToken), 'trustExplanation');
    expect(
      explained.nodes.map(({ eventType, component, change }) => ({ eventType, component, change })),
    ).toEqual([
      { eventType: 'CommunityPostRemoved', component: 'reports', change: -1 },
      { eventType: 'CommunityPostMarkedHelpful', component: 'helpful', change: 1 },
      { eventType: 'CommunityMemberJoined', component: 'tenure', change: 1 },
    ]);
    const admin = await makeAdmin(api);
    const removal = explained.nodes[0];
    const history = await api.gql(
      'query ($stream: String!) { history(stream: $stream) { nodes { id type revision } } }',
      { stream: removal?.streamName },
      admin.accessToken,
    );
    const opened = fieldOf<{ nodes: { id: string; type: string; revision: string }[] }>(
      history,
      'history',
    ).nodes;
    expect(opened.find((event) => event.revision === removal?.streamRevision)).toEqual({
      id: removal?.eventId,
      type: 'CommunityPostRemoved',
      revision: removal?.streamRevision,
    });
  });

  it('is for the member, moderators and the owner; the explanation for moderators only', async () => {
    expect((await trustOf(owner, peer.id)).score).toBeGreaterThanOrEqual(0);
    expect(
      errorCodes(await api.gql(MEMBER_TRUST, { communityId, userId: author.id }, peer.accessToken)),
    ).toEqual(['FORBIDDEN/NOT_THEIR_MENTOR']);
    expect(
      errorCodes(await api.gql(EXPLAIN, { communityId, userId: author.id }, mentor.accessToken)),
    ).toEqual(['FORBIDDEN/MISSING_PERMISSION']);
    const stranger = await registerAndSignIn(api, 'Sam Stranger');
    expect(
      errorCodes(await api.gql(MEMBER_TRUST, { communityId, userId: stranger.id }, owner.accessToken)),
    ).toEqual(['NOT_FOUND/MEMBER_NOT_FOUND']);
  });

  it('ranks current members by trust on the leaderboard, page by page (scores for moderators)', async () => {
    const helpful = await replyByAuthor('Light drives it.');
    fieldOf(await api.gql(HELPFUL, { postId: helpful }, moderator.accessToken), 'markCommunityPostHelpful');
    const helpfulToo = await replyByAuthor('And water.');
    fieldOf(await api.gql(HELPFUL, { postId: helpfulToo }, mentor.accessToken), 'markCommunityPostHelpful');
    const seen: { userId: string; score: number }[] = [];
    let after: string | null = null;
    do {
      const response = await api.gql(
        LEADERBOARD,
        { id: communityId, first: 2, after },
        moderator.accessToken,
      );
      const { leaderboard } = fieldOf<{
        leaderboard: {
          nodes: { userId: string; score: number }[];
          pageInfo: { hasNextPage: boolean; endCursor: string };
        };
      }>(response, 'community');
      seen.push(...leaderboard.nodes);
      after = leaderboard.pageInfo.hasNextPage ? leaderboard.pageInfo.endCursor : null;
    } while (after !== null);
    expect(new Set(seen.map((entry) => entry.userId))).toEqual(
      new Set([owner.id, moderator.id, mentor.id, author.id, peer.id]),
    );
    expect(seen).toHaveLength(5);
    const scores = seen.map((entry) => entry.score);
    expect(scores).toEqual([...scores].sort((a, b) => b - a));
    const mine = fieldOf<{ myTrust: TrustView }>(
      await api.gql(LEADERBOARD, { id: communityId, first: 1 }, author.accessToken),
      'community',
    ).myTrust;
    expect(seen.find((entry) => entry.userId === author.id)?.score).toBeCloseTo(mine.score, 1);
  });

  it('shows a member who ranks where, and a score only for themselves; the owner sees every score', async () => {
    const board = async (reader: TestUser) =>
      fieldOf<{ leaderboard: { nodes: { userId: string; score: number | null }[] } }>(
        await api.gql(LEADERBOARD, { id: communityId, first: 10 }, reader.accessToken),
        'community',
      ).leaderboard.nodes;
    const asPeer = await board(peer);
    const asOwner = await board(owner);
    // The same people in the same order: the rank is everyone's to see.
    expect(asPeer.map((entry) => entry.userId)).toEqual(asOwner.map((entry) => entry.userId));
    expect(asPeer).toHaveLength(5);
    for (const entry of asPeer) {
      if (entry.userId === peer.id) expect(entry.score).toEqual(expect.any(Number));
      else expect(entry.score).toBeNull();
    }
    expect(asOwner.every((entry) => typeof entry.score === 'number')).toBe(true);
  });
});

describe('trust in matching', () => {
  it('a mentor’s trust changes their matching history factor', async () => {
    await mentorProfile(api, mentor.id);
    await learnerProfile(api, peer.id);
    const historyNow = async () => {
      const [ranked] = await rankCandidates(api.runtime.pool, { learnerId: peer.id, subject: 'typescript' });
      expect(ranked?.mentorId).toBe(mentor.id);
      return ranked?.factors.history ?? Number.NaN;
    };
    const before = await historyNow();
    const overall = async () =>
      fieldOf<TrustView>(await api.gql(`{ myTrust { ${TRUST_FIELDS} } }`, {}, mentor.accessToken), 'myTrust')
        .score;
    // Reply by the mentor in Pia's thread, marked helpful by the moderator.
    const thread = fieldOf<{ id: string }>(
      await api.gql(THREAD, { communityId }, peer.accessToken),
      'startCommunityThread',
    );
    for (const body of ['Chlorophyll.', 'Light.', 'Water.']) {
      const reply = fieldOf<{ id: string }>(
        await api.gql(REPLY, { parentId: thread.id, body }, mentor.accessToken),
        'replyInCommunity',
      );
      fieldOf(
        await api.gql(HELPFUL, { postId: reply.id }, moderator.accessToken),
        'markCommunityPostHelpful',
      );
    }
    const trust = await overall();
    expect(trust).toBeGreaterThan(9);
    const after = await historyNow();
    expect(after).toBeGreaterThan(before);
    expect(after).toBeCloseTo(
      historyFactor({ completedSessions: 0, ratingCount: 0, ratingSum: 0, trust }),
      3,
    );
  });
});
