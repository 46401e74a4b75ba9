import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { errorCodes, fieldOf, type IdentityApp, startIdentityApp } from '../support/identity-app.ts';
import { registerAndSignIn, type TestUser } from '../support/identity-operations.ts';
import { comment, LIKE, publicVideo, SHARE } from './comments-support.ts';
import { BLOCK, FOLLOW, hideVideo } from './graph-support.ts';

let api: IdentityApp;
beforeAll(async () => {
  api = await startIdentityApp();
});
afterAll(async () => {
  await api?.close();
});

const FOR_YOU = `query ($page: PageInput) { forYouFeed(page: $page) {
  nodes { video { id ownerId } score { total components { name weight value } } }
  pageInfo { hasNextPage hasPreviousPage endCursor } } }`;
const FOR_YOU_IDS = `query ($page: PageInput) { forYouFeed(page: $page) {
  nodes { video { id } } pageInfo { hasNextPage endCursor } } }`;

interface ForYouPage {
  nodes: {
    video: { id: string; ownerId: string };
    score: { total: number; components: { name: string; weight: number; value: number }[] };
  }[];
  pageInfo: { hasNextPage: boolean; hasPreviousPage: boolean; endCursor: string | null };
}

const person = () => registerAndSignIn(api, 'Someone');
const forYou = async (who: TestUser | null, page?: object) =>
  fieldOf<ForYouPage>(await api.gql(FOR_YOU, { page }, who?.accessToken), 'forYouFeed');
const ids = async (who: TestUser | null) =>
  fieldOf<ForYouPage>(
    await api.gql(FOR_YOU_IDS, { page: { first: 100 } }, who?.accessToken),
    'forYouFeed',
  ).nodes.map((n) => n.video.id);
/** One video's entry, found in the feed's first pages (the explained shape costs more per node). */
async function entryOf(who: TestUser, id: string) {
  let after: string | null = null;
  do {
    const page: ForYouPage = await forYou(who, { first: 20, after });
    const found = page.nodes.find((n) => n.video.id === id);
    if (found) return found;
    after = page.pageInfo.hasNextPage ? page.pageInfo.endCursor : null;
  } while (after);
  return undefined;
}
const like = (who: TestUser, id: string) => api.gql(LIKE, { kind: 'video', id }, who.accessToken);
const follow = (who: TestUser, whom: TestUser) => api.gql(FOLLOW, { userId: whom.id }, who.accessToken);
const rankOf = (list: string[], id: string) => {
  const at = list.indexOf(id);
  expect(at, `${id} in the feed`).toBeGreaterThanOrEqual(0);
  return at;
};

describe('forYouFeed', () => {
  it('gives a newcomer (and an anonymous caller) videos in trending order, each score explained', {
    timeout: 90_000,
  }, async () => {
    const [creator, fan1, fan2, fan3, newcomer] = [
      await person(),
      await person(),
      await person(),
      await person(),
      await person(),
    ];
    const quiet = await publicVideo(api, creator);
    const warm = await publicVideo(api, creator);
    const hot = await publicVideo(api, creator);
    for (const fan of [fan1, fan2, fan3]) await like(fan, hot);
    await comment(api, fan1, hot, 'what a line');
    await api.gql(SHARE, { videoId: hot, platform: 'x' }, fan2.accessToken);
    await like(fan1, warm);

    // Velocity counts complete minutes (so a scroll's scores hold still): wait for this one to end.
    await vi.waitFor(
      async () => expect((await entryOf(newcomer, warm))?.score.components[1]?.value).toBeGreaterThan(0),
      { timeout: 65_000, interval: 1_000 },
    );
    for (const viewer of [newcomer, null]) {
      const list = await ids(viewer);
      expect(rankOf(list, hot)).toBeLessThan(rankOf(list, warm));
      expect(rankOf(list, warm)).toBeLessThan(rankOf(list, quiet));
    }
    const hotNode = await entryOf(newcomer, hot);
    const components = Object.fromEntries(hotNode?.score.components.map((c) => [c.name, c]) ?? []);
    expect(Object.keys(components)).toEqual([
      'recency',
      'velocity',
      'followed',
      'friendsFollow',
      'friendsLiked',
    ]);
    expect(components.velocity?.value).toBeGreaterThan(Math.log1p(3));
    expect(components.recency?.value).toBeGreaterThan(0.99);
    expect(components.followed?.value).toBe(0);
    expect(components.friendsFollow?.value).toBe(0);
    const sum = hotNode?.score.components.reduce((total, c) => total + c.weight * c.value, 0);
    expect(hotNode?.score.total).toBeCloseTo(sum ?? Number.NaN, 9);
  });

  it('lifts a video by someone the people you follow follow, and one they liked', async () => {
    const [viewer, friend, otherFriend, secondDegree, stranger, liked] = [
      await person(),
      await person(),
      await person(),
      await person(),
      await person(),
      await person(),
    ];
    await follow(viewer, friend);
    await follow(viewer, otherFriend);
    await follow(friend, secondDegree);
    await follow(otherFriend, secondDegree);
    const theirs = await publicVideo(api, secondDegree);
    const likedByFriend = await publicVideo(api, liked);
    // Posted last, so newer than both: only the network can put the others above it.
    const strangers = await publicVideo(api, stranger);
    await like(otherFriend, likedByFriend);
    // The friend's like is engagement anyone sees; give the stranger's video as much.
    await like(await person(), strangers);

    const mine = await ids(viewer);
    expect(rankOf(mine, theirs)).toBeLessThan(rankOf(mine, strangers));
    expect(rankOf(mine, likedByFriend)).toBeLessThan(rankOf(mine, strangers));
    const node = await entryOf(viewer, theirs);
    expect(node?.score.components.find((c) => c.name === 'friendsFollow')?.value).toBeCloseTo(Math.log(3), 9);

    // Without the follows, the stranger's newer video is ahead.
    const newcomers = await ids(await person());
    expect(rankOf(newcomers, strangers)).toBeLessThan(rankOf(newcomers, theirs));
  });

  it('leaves out hidden, private, unlisted, your own, liked, and blocked-either-way videos', async () => {
    const [viewer, creator, blockedByViewer, blockerOfViewer] = [
      await person(),
      await person(),
      await person(),
      await person(),
    ];
    const shown = await publicVideo(api, creator);
    const hidden = await publicVideo(api, creator);
    const privateOne = await publicVideo(api, creator, 'private');
    const unlisted = await publicVideo(api, creator, 'unlisted');
    const own = await publicVideo(api, viewer);
    const likedByViewer = await publicVideo(api, creator);
    const ofBlocked = await publicVideo(api, blockedByViewer);
    const ofBlocker = await publicVideo(api, blockerOfViewer);
    await hideVideo(api, hidden, creator.id);
    await like(viewer, likedByViewer);
    await api.gql(BLOCK, { userId: blockedByViewer.id }, viewer.accessToken);
    await api.gql(BLOCK, { userId: viewer.id }, blockerOfViewer.accessToken);

    const list = await ids(viewer);
    expect(list).toContain(shown);
    for (const left of [hidden, privateOne, unlisted, own, likedByViewer, ofBlocked, ofBlocker]) {
      expect(list).not.toContain(left);
    }
    // Someone else still sees what only this viewer's blocks and likes took out.
    const other = await ids(await person());
    expect(other).toEqual(expect.arrayContaining([own, likedByViewer, ofBlocked, ofBlocker]));
    expect(other).not.toContain(hidden);
  });

  it('pages through the whole feed without repeats, highest score first, while scores move', async () => {
    const viewer = await person();
    const creator = await person();
    for (let i = 0; i < 7; i += 1) await publicVideo(api, creator);
    const whole = await ids(viewer);
    expect(whole.length).toBeGreaterThan(5);

    const seen: string[] = [];
    const totals: number[] = [];
    let uploadedMidScroll = '';
    let after: string | null = null;
    let pages = 0;
    do {
      const page: ForYouPage = await forYou(viewer, { first: 2, after });
      expect(page.pageInfo.hasPreviousPage).toBe(after !== null);
      seen.push(...page.nodes.map((n) => n.video.id));
      totals.push(...page.nodes.map((n) => n.score.total));
      after = page.pageInfo.hasNextPage ? page.pageInfo.endCursor : null;
      pages += 1;
      // Engagement and uploads arriving mid-scroll move live scores, not this scroll's.
      if (pages === 1) {
        await like(await person(), whole.at(-1) ?? '');
        uploadedMidScroll = await publicVideo(api, creator);
      }
    } while (after);
    expect(new Set(seen).size).toBe(seen.length);
    expect([...seen].sort()).toEqual([...whole].sort());
    expect(seen).not.toContain(uploadedMidScroll);
    expect(totals).toEqual([...totals].sort((a, b) => b - a));
    expect(pages).toBe(Math.ceil(whole.length / 2));
    // A new scroll scores as of now: the upload is in it.
    expect(await ids(viewer)).toContain(uploadedMidScroll);
  });

  it('refuses a cursor it did not hand out', async () => {
    const viewer = await person();
    for (const after of ['nonsense', Buffer.from(JSON.stringify(['x', '1', 'y'])).toString('base64url')]) {
      expect(errorCodes(await api.gql(FOR_YOU, { page: { first: 2, after } }, viewer.accessToken))).toEqual([
        'VALIDATION/INVALID_CURSOR',
      ]);
    }
    const stale = ['2020-01-01T00:00:00.000Z', '1', '0c1d2e3f-4a5b-4c6d-8e7f-8091a2b3c4d5'];
    const cursor = Buffer.from(JSON.stringify(stale)).toString('base64url');
    expect(errorCodes(await api.gql(FOR_YOU, { page: { after: cursor } }, viewer.accessToken))).toEqual([
      'VALIDATION/CURSOR_EXPIRED',
    ]);
  });
});
