import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { errorCodes, fieldOf, type IdentityApp, startIdentityApp } from '../support/identity-app.ts';
import { registerAndSignIn, type TestUser } from '../support/identity-operations.ts';
import { createPost, DELETE_POST, mediaAsset, VIDEO_POST } from '../videos/support.ts';
import { BLOCK, FOLLOW, HOME_FEED, hideVideo, PROFILE_VIDEOS, profileOf, UNFOLLOW } from './graph-support.ts';

let api: IdentityApp;
beforeAll(async () => {
  api = await startIdentityApp();
});
afterAll(async () => {
  await api?.close();
});

interface FeedPage {
  nodes: { id: string; ownerId: string; title: string }[];
  pageInfo: { hasNextPage: boolean; hasPreviousPage: boolean; endCursor: string | null };
}

const person = () => registerAndSignIn(api, 'Someone');
const post = async (who: TestUser, title: string, visibility = 'public') =>
  (await createPost(api, who.accessToken, { assetId: await mediaAsset(api, who.id), title, visibility })).id;
const feed = async (who: TestUser, page?: object) =>
  fieldOf<FeedPage>(await api.gql(HOME_FEED, { page }, who.accessToken), 'homeFeed');
const titles = async (who: TestUser) => (await feed(who, { first: 100 })).nodes.map((n) => n.title);

describe('homeFeed', () => {
  it('shows the public videos of the people you follow, newest first, a page at a time', async () => {
    const [reader, ada, bob, stranger] = [await person(), await person(), await person(), await person()];
    await api.gql(FOLLOW, { userId: ada.id }, reader.accessToken);
    await api.gql(FOLLOW, { userId: bob.id }, reader.accessToken);
    await post(ada, 'a1');
    await post(bob, 'b1');
    await post(stranger, 'not followed');
    await post(ada, 'a2');
    await post(ada, 'unlisted', 'unlisted');
    await post(bob, 'private', 'private');
    await post(bob, 'b2');
    const seen: string[] = [];
    let after: string | null = null;
    let pages = 0;
    do {
      const page: FeedPage = await feed(reader, { first: 2, after });
      expect(page.pageInfo.hasPreviousPage).toBe(after !== null);
      seen.push(...page.nodes.map((n) => n.title));
      after = page.pageInfo.hasNextPage ? page.pageInfo.endCursor : null;
      pages += 1;
    } while (after);
    expect(seen).toEqual(['b2', 'a2', 'b1', 'a1']);
    expect(pages).toBe(2);
  });

  it('merges creators correctly when one posts most of a page and others are older or in between', async () => {
    const reader = await person();
    const creators = [await person(), await person(), await person(), await person()];
    for (const creator of creators) await api.gql(FOLLOW, { userId: creator.id }, reader.accessToken);
    const [a, b, c, d] = creators as [TestUser, TestUser, TestUser, TestUser];
    // Oldest first: d and c early, then a burst from a with b in the middle of it.
    const order: [TestUser, string][] = [
      [d, 'd1'],
      [c, 'c1'],
      [a, 'a1'],
      [a, 'a2'],
      [b, 'b1'],
      [a, 'a3'],
      [a, 'a4'],
      [c, 'c2'],
      [a, 'a5'],
    ];
    for (const [creator, title] of order) await post(creator, title);
    const seen: string[] = [];
    let after: string | null = null;
    do {
      const page: FeedPage = await feed(reader, { first: 2, after });
      seen.push(...page.nodes.map((n) => n.title));
      after = page.pageInfo.hasNextPage ? page.pageInfo.endCursor : null;
    } while (after);
    expect(seen).toEqual(order.map(([, title]) => title).reverse());
  });

  it('leaves out videos a moderator hid, deleted videos, and creators you unfollowed or blocked', async () => {
    const [reader, ada, bob, carol] = [await person(), await person(), await person(), await person()];
    for (const creator of [ada, bob, carol])
      await api.gql(FOLLOW, { userId: creator.id }, reader.accessToken);
    const hidden = await post(ada, 'hidden');
    await post(ada, 'kept');
    const deleted = await post(ada, 'deleted');
    await post(bob, 'unfollowed');
    await post(carol, 'blocked');
    expect(await titles(reader)).toEqual(['blocked', 'unfollowed', 'deleted', 'kept', 'hidden']);

    await hideVideo(api, hidden, ada.id);
    await api.gql(DELETE_POST, { id: deleted }, ada.accessToken);
    await api.gql(UNFOLLOW, { userId: bob.id }, reader.accessToken);
    await api.gql(BLOCK, { userId: reader.id }, carol.accessToken);
    expect(await titles(reader)).toEqual(['kept']);

    // The creator's own list and count leave the hidden video out too.
    const videos = fieldOf<{ videos: { totalCount: number; nodes: { title: string }[] } }>(
      await api.gql(PROFILE_VIDEOS, { id: ada.id }),
      'profile',
    ).videos;
    expect(videos.nodes.map((n) => n.title)).toEqual(['kept']);
    expect((await profileOf(api, ada.id)).videoCount).toBe(1);
    // A hidden video is gone for others, in the videos context too; its owner still sees it.
    const detail = async (token?: string) =>
      (await api.gql(VIDEO_POST, { id: hidden }, token)).data?.videoPost ?? null;
    expect(await detail(reader.accessToken)).toBeNull();
    expect(await detail()).toBeNull();
    expect(await detail(ada.accessToken)).toMatchObject({ id: hidden });
  });

  it('is empty for a new user with no follows, and for signed-in callers only', async () => {
    const newcomer = await person();
    expect(await feed(newcomer)).toEqual({
      nodes: [],
      pageInfo: { hasNextPage: false, hasPreviousPage: false, endCursor: null },
    });
    expect(errorCodes(await api.gql(HOME_FEED, {}))).toEqual(['UNAUTHENTICATED/SIGN_IN_REQUIRED']);
    expect(errorCodes(await api.gql(HOME_FEED, { page: { after: 'nope' } }, newcomer.accessToken))).toEqual([
      'VALIDATION/INVALID_CURSOR',
    ]);
    expect(errorCodes(await api.gql(HOME_FEED, { page: { first: 1000 } }, newcomer.accessToken))[0]).toMatch(
      /^VALIDATION/,
    );
  });
});
