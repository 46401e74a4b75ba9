import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isBlockedBetween } from '../../../src/services/social/blocks.ts';
import { followTieStream } from '../../../src/services/social/follows-streams.ts';
import { errorCodes, fieldOf, type IdentityApp, startIdentityApp } from '../support/identity-app.ts';
import { registerAndSignIn, type TestUser } from '../support/identity-operations.ts';
import { createPost, mediaAsset, SEARCH, VIDEO_POST, VIDEOS } from '../videos/support.ts';
import {
  BLOCK,
  BLOCKED_USERS,
  EDGES,
  eventsIn,
  FOLLOW,
  PROFILE_VIDEOS,
  type ProfileView,
  profileOf,
  UNBLOCK,
  UNFOLLOW,
} from './graph-support.ts';

let api: IdentityApp;
beforeAll(async () => {
  api = await startIdentityApp();
});
afterAll(async () => {
  await api?.close();
});

const person = () => registerAndSignIn(api, 'Someone');
const follow = async (who: TestUser, userId: string) =>
  fieldOf<ProfileView>(await api.gql(FOLLOW, { userId }, who.accessToken), 'followUser');

interface EdgePage {
  totalCount: number;
  nodes: { id: string }[];
  pageInfo: { hasNextPage: boolean; endCursor: string | null };
}
const edges = async (id: string, page?: object, token?: string) =>
  fieldOf<{ followers: EdgePage; following: EdgePage }>(await api.gql(EDGES, { id, page }, token), 'profile');

describe('followUser and unfollowUser', () => {
  it('follows, shows it on both profiles, and answers with the followee as the follower sees them', async () => {
    const [ada, bob] = [await person(), await person()];
    const answered = await follow(ada, bob.id);
    expect(answered).toMatchObject({ id: bob.id, followerCount: 1, followedByYou: true, followsYou: false });
    expect(await profileOf(api, ada.id, bob.accessToken)).toMatchObject({
      followingCount: 1,
      followsYou: true,
      followedByYou: false,
    });
    // Anonymous readers see counts, never a relation.
    expect(await profileOf(api, bob.id)).toMatchObject({ followerCount: 1, followedByYou: false });
  });

  it('is idempotent both ways: following twice stores one follow, unfollowing twice one unfollow', async () => {
    const [ada, bob] = [await person(), await person()];
    await follow(ada, bob.id);
    await follow(ada, bob.id);
    expect(await eventsIn(api, followTieStream(ada.id, bob.id))).toBe(1);
    for (let i = 0; i < 2; i += 1) {
      const answer = await api.gql(UNFOLLOW, { userId: bob.id }, ada.accessToken);
      expect(fieldOf<ProfileView>(answer, 'unfollowUser')).toMatchObject({
        followerCount: 0,
        followedByYou: false,
      });
    }
    expect(await eventsIn(api, followTieStream(ada.id, bob.id))).toBe(2);
  });

  it('refuses yourself, an unknown user, a malformed id and anonymous callers, storing nothing', async () => {
    const ada = await person();
    const unknown = randomUUID();
    expect(errorCodes(await api.gql(FOLLOW, { userId: ada.id }, ada.accessToken))).toEqual([
      'VALIDATION/CANNOT_FOLLOW_SELF',
    ]);
    expect(errorCodes(await api.gql(FOLLOW, { userId: unknown }, ada.accessToken))).toEqual([
      'NOT_FOUND/USER_NOT_FOUND',
    ]);
    expect(errorCodes(await api.gql(FOLLOW, { userId: 'not-a-uuid' }, ada.accessToken))[0]).toMatch(
      /^VALIDATION/,
    );
    expect(errorCodes(await api.gql(FOLLOW, { userId: ada.id }))).toEqual([
      'UNAUTHENTICATED/SIGN_IN_REQUIRED',
    ]);
    expect(await eventsIn(api, followTieStream(ada.id, ada.id))).toBe(0);
    expect(await eventsIn(api, followTieStream(ada.id, unknown))).toBe(0);
  });

  it('refuses following a deleted (forgotten) account', async () => {
    const [ada, gone] = [await person(), await person()];
    const forgotten = await api.gql('mutation { forgetUser { userId } }', {}, gone.accessToken);
    expect(forgotten.errors).toBeUndefined();
    expect(errorCodes(await api.gql(FOLLOW, { userId: gone.id }, ada.accessToken))).toEqual([
      'NOT_FOUND/USER_GONE',
    ]);
    expect(await eventsIn(api, followTieStream(ada.id, gone.id))).toBe(0);
  });

  it('lists followers and following most recent first, a page at a time, each person once', async () => {
    const star = await person();
    const fans = [];
    for (let i = 0; i < 5; i += 1) fans.push(await person());
    for (const fan of fans) await follow(fan, star.id);
    const seen: string[] = [];
    let after: string | null = null;
    do {
      const { followers }: { followers: EdgePage } = await edges(star.id, { first: 2, after });
      expect(followers.totalCount).toBe(5);
      seen.push(...followers.nodes.map((n) => n.id));
      after = followers.pageInfo.hasNextPage ? followers.pageInfo.endCursor : null;
    } while (after);
    expect(seen).toEqual(fans.map((f) => f.id).reverse());
    const { following } = await edges(fans[0]?.id ?? '');
    expect(following.nodes.map((n) => n.id)).toEqual([star.id]);
    // Both lists take the page: each refuses the cursor.
    const refused = errorCodes(await api.gql(EDGES, { id: star.id, page: { after: 'garbage' } }));
    expect(new Set(refused)).toEqual(new Set(['VALIDATION/INVALID_CURSOR']));
  });
});

describe('blockUser and unblockUser', () => {
  it('ends the follows both ways and is seen by isBlockedBetween from either side', async () => {
    const [ada, bob] = [await person(), await person()];
    await follow(ada, bob.id);
    await follow(bob, ada.id);
    const blocked = fieldOf<ProfileView>(
      await api.gql(BLOCK, { userId: bob.id }, ada.accessToken),
      'blockUser',
    );
    expect(blocked).toMatchObject({
      blockedByYou: true,
      followsYou: false,
      followedByYou: false,
      followerCount: 0,
    });
    expect(await profileOf(api, ada.id, bob.accessToken)).toMatchObject({
      blocksYou: true,
      followerCount: 0,
    });
    expect(await isBlockedBetween(api.runtime.pool, ada.id, bob.id)).toBe(true);
    expect(await isBlockedBetween(api.runtime.pool, bob.id, ada.id)).toBe(true);
    expect(await isBlockedBetween(api.runtime.pool, ada.id, randomUUID())).toBe(false);
  });

  it('stops the blocked person following, and the blocker too until they unblock', async () => {
    const [ada, bob] = [await person(), await person()];
    await api.gql(BLOCK, { userId: bob.id }, ada.accessToken);
    expect(errorCodes(await api.gql(FOLLOW, { userId: ada.id }, bob.accessToken))).toEqual([
      'FORBIDDEN/BLOCKED',
    ]);
    expect(errorCodes(await api.gql(FOLLOW, { userId: bob.id }, ada.accessToken))).toEqual([
      'FORBIDDEN/YOU_BLOCKED_THEM',
    ]);
    // Only the blocker lifts the block.
    await api.gql(UNBLOCK, { userId: ada.id }, bob.accessToken);
    expect(errorCodes(await api.gql(FOLLOW, { userId: ada.id }, bob.accessToken))).toEqual([
      'FORBIDDEN/BLOCKED',
    ]);
    const unblocked = await api.gql(UNBLOCK, { userId: bob.id }, ada.accessToken);
    expect(fieldOf<ProfileView>(unblocked, 'unblockUser').blockedByYou).toBe(false);
    expect(await isBlockedBetween(api.runtime.pool, ada.id, bob.id)).toBe(false);
    expect((await follow(bob, ada.id)).followedByYou).toBe(true);
  });

  it('hides the blocker’s videos from the blocked, and each from the other’s follower lists', async () => {
    const [ada, bob, carol] = [await person(), await person(), await person()];
    const word = `blockword${randomUUID().slice(0, 8)}`;
    const postId = (
      await createPost(api, ada.accessToken, {
        assetId: await mediaAsset(api, ada.id),
        title: `Mine ${word}`,
      })
    ).id;
    await follow(carol, ada.id);
    await follow(bob, carol.id);
    await api.gql(BLOCK, { userId: bob.id }, ada.accessToken);
    const videos = async (token?: string) =>
      fieldOf<{ videos: { totalCount: number } }>(
        await api.gql(PROFILE_VIDEOS, { id: ada.id }, token),
        'profile',
      ).videos.totalCount;
    expect(await videos(bob.accessToken)).toBe(0);
    expect(await videos(carol.accessToken)).toBe(1);
    expect(await videos()).toBe(1);
    // The video post queries of the videos context leave them out too, both ways round.
    const seen = async (who: TestUser) => {
      const detail = (await api.gql(VIDEO_POST, { id: postId }, who.accessToken)).data?.videoPost;
      const listed = fieldOf<{ totalCount: number }>(
        await api.gql(VIDEOS, { userId: ada.id }, who.accessToken),
        'videos',
      );
      const found = fieldOf<{ totalCount: number }>(
        await api.gql(SEARCH, { query: word }, who.accessToken),
        'searchVideos',
      );
      return [detail ? 1 : 0, listed.totalCount, found.totalCount];
    };
    expect(await seen(bob)).toEqual([0, 0, 0]);
    expect(await seen(carol)).toEqual([1, 1, 1]);
    expect(await seen(ada)).toEqual([1, 1, 1]);
    await api.gql(BLOCK, { userId: ada.id }, carol.accessToken);
    expect(await seen(carol)).toEqual([0, 0, 0]);
    // Bob follows Carol, but Ada does not see him among Carol's followers, nor he her among Carol's followees.
    expect((await edges(carol.id, undefined, ada.accessToken)).followers.nodes).toEqual([]);
    expect((await edges(carol.id, undefined, bob.accessToken)).following.nodes).toEqual([]);
  });

  it('lists whom you blocked, to you alone; refuses yourself and unknown users; is idempotent', async () => {
    const [ada, bob] = [await person(), await person()];
    await api.gql(BLOCK, { userId: bob.id }, ada.accessToken);
    await api.gql(BLOCK, { userId: bob.id }, ada.accessToken);
    expect(await eventsIn(api, followTieStream(ada.id, bob.id))).toBe(1);
    const list = fieldOf<{ totalCount: number; nodes: { id: string }[] }>(
      await api.gql(BLOCKED_USERS, {}, ada.accessToken),
      'blockedUsers',
    );
    expect(list).toMatchObject({ totalCount: 1, nodes: [{ id: bob.id }] });
    expect(
      fieldOf<{ totalCount: number }>(await api.gql(BLOCKED_USERS, {}, bob.accessToken), 'blockedUsers'),
    ).toMatchObject({
      totalCount: 0,
    });
    expect(errorCodes(await api.gql(BLOCKED_USERS, {}))).toEqual(['UNAUTHENTICATED/SIGN_IN_REQUIRED']);
    expect(errorCodes(await api.gql(BLOCK, { userId: ada.id }, ada.accessToken))).toEqual([
      'VALIDATION/CANNOT_BLOCK_SELF',
    ]);
    expect(errorCodes(await api.gql(BLOCK, { userId: randomUUID() }, ada.accessToken))).toEqual([
      'NOT_FOUND/USER_NOT_FOUND',
    ]);
  });
});
