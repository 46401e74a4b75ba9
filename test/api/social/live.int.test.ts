import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connect, graphqlWsUrl, subscribe, type TestClient } from '../subscriptions/support/ws-client.ts';
import { fieldOf, type IdentityApp, startIdentityApp } from '../support/identity-app.ts';
import { registerAndSignIn, type TestUser } from '../support/identity-operations.ts';
import { DELETE_POST, UPDATE_POST } from '../videos/support.ts';
import {
  BLOCK,
  type CommentView,
  comment,
  DELETE_COMMENT,
  LIKE,
  publicVideo,
  SHARE,
} from './comments-support.ts';
import { hideVideo } from './graph-support.ts';

/**
 * The Social context's live subscriptions over a real graphql-ws client: a video's new comments
 * and its counts, each guarded for as long as it runs by whether the subscriber may see the video.
 */
const COMMENT_ADDED = `subscription ($videoId: ID!) {
  videoCommentAdded(videoId: $videoId) { id parentId depth body author { id } } }`;
const ENGAGEMENT_CHANGED = `subscription ($videoId: ID!) {
  videoEngagementChanged(videoId: $videoId) {
    videoId likeCount commentCount shareCount likedByMe sharesByPlatform { platform count } } }`;
const REVOKED = { kind: 'errors', errors: [{ extensions: { code: 'FORBIDDEN', reason: 'ACCESS_REVOKED' } }] };

interface Counts {
  videoId: string;
  likeCount: number;
  commentCount: number;
  shareCount: number;
  likedByMe: boolean;
  sharesByPlatform: { platform: string; count: number }[];
}

let api: IdentityApp;
let url: string;
let creator: TestUser;
let fan: TestUser;
let other: TestUser;
const clients: TestClient[] = [];
const client = (token: string) => {
  const created = connect(url, token);
  clients.push(created);
  return created;
};
beforeAll(async () => {
  api = await startIdentityApp();
  url = await graphqlWsUrl(api.app);
  creator = await registerAndSignIn(api, 'Creator');
  fan = await registerAndSignIn(api, 'Fan');
  other = await registerAndSignIn(api, 'Other');
});
afterAll(async () => {
  await Promise.all(clients.map((c) => c.dispose()));
  await api?.close();
});

/**
 * Both subscriptions of one person on one video. The counts' first value arrives after the
 * comments' subscription has taken its starting point (same socket, subscribed first, fewer steps).
 */
async function watch(user: TestUser, videoId: string) {
  const socket = client(user.accessToken);
  const comments = subscribe<Pick<CommentView, 'id' | 'parentId' | 'depth' | 'body' | 'author'>>(
    socket,
    'videoCommentAdded',
    COMMENT_ADDED,
    { videoId },
  );
  const counts = subscribe<Counts>(socket, 'videoEngagementChanged', ENGAGEMENT_CHANGED, { videoId });
  await counts.received(1);
  // graphql-ws does not acknowledge a subscription: a margin for a busy machine, where the two
  // subscribes run side by side and the comments' starting point could come after a quick comment.
  await new Promise((resolve) => setTimeout(resolve, 100));
  return { comments, counts };
}

/**
 * Waits until the latest value, or one pushed after it, passes `test` (counts may come in several
 * steps, and the push may have arrived before the mutation's answer).
 */
async function until<T>(
  live: { values: T[]; received(count: number): Promise<T[]> },
  test: (value: T) => boolean,
) {
  for (let count = Math.max(1, live.values.length); ; count++) {
    const [value] = (await live.received(count)).slice(-1);
    if (value !== undefined && test(value)) return value;
  }
}

describe('videoCommentAdded', () => {
  it('sends each new comment and reply once, in order, with its author, and not a held comment to others', async () => {
    const videoId = await publicVideo(api, creator);
    const before = await comment(api, other, videoId, 'Before anyone watched');
    const { comments } = await watch(fan, videoId);

    const first = await comment(api, creator, videoId, 'First!');
    const second = await comment(api, other, videoId, 'Second');
    const held = await comment(api, other, videoId, 'just kys');
    expect(held.hiddenReason).toMatch(/Held for review/);
    const reply = await comment(api, fan, videoId, 'Replying to the first', first.id);
    const third = await comment(api, creator, videoId, 'Third');

    const received = await comments.received(4);
    expect(received).toEqual([
      { id: first.id, parentId: null, depth: 0, body: 'First!', author: { id: creator.id } },
      { id: second.id, parentId: null, depth: 0, body: 'Second', author: { id: other.id } },
      { id: reply.id, parentId: first.id, depth: 1, body: 'Replying to the first', author: { id: fan.id } },
      { id: third.id, parentId: null, depth: 0, body: 'Third', author: { id: creator.id } },
    ]);
    // Nothing more: not the comment from before, not the held one, nothing twice.
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(comments.values.map((c) => c.id)).toEqual([first.id, second.id, reply.id, third.id]);
    expect(comments.values.map((c) => c.id)).not.toContain(before.id);
  });

  it('shows the author their own held comment', async () => {
    const videoId = await publicVideo(api, creator);
    const { comments } = await watch(other, videoId);
    const held = await comment(api, other, videoId, 'just kys');
    expect((await comments.received(1)).map((c) => c.id)).toEqual([held.id]);
  });
});

describe('videoEngagementChanged', () => {
  it('sends the counts now, then as likes, shares and comments change them', async () => {
    const videoId = await publicVideo(api, creator);
    const { counts } = await watch(fan, videoId);
    expect(counts.values[0]).toEqual({
      videoId,
      likeCount: 0,
      commentCount: 0,
      shareCount: 0,
      likedByMe: false,
      sharesByPlatform: [],
    });

    fieldOf(await api.gql(LIKE, { kind: 'video', id: videoId }, fan.accessToken), 'like');
    fieldOf(await api.gql(LIKE, { kind: 'video', id: videoId }, other.accessToken), 'like');
    expect(await until(counts, (c) => c.likeCount === 2)).toMatchObject({ likeCount: 2, likedByMe: true });

    fieldOf(await api.gql(SHARE, { videoId, platform: 'whatsapp' }, other.accessToken), 'shareVideo');
    expect(await until(counts, (c) => c.shareCount === 1)).toMatchObject({
      sharesByPlatform: [{ platform: 'whatsapp', count: 1 }],
    });

    const posted = await comment(api, other, videoId, 'Nice');
    expect(await until(counts, (c) => c.commentCount === 1)).toMatchObject({ likeCount: 2, shareCount: 1 });
    // A deletion's rows name the comment, not the video: it still reaches the video's watchers.
    fieldOf(await api.gql(DELETE_COMMENT, { id: posted.id }, other.accessToken), 'deleteComment');
    expect(await until(counts, (c) => c.commentCount === 0)).toMatchObject({ likeCount: 2 });

    // Counts are pushed when they change, never the same ones twice in a row.
    const serialized = counts.values.map((value) => JSON.stringify(value));
    for (let i = 1; i < serialized.length; i++) expect(serialized[i]).not.toBe(serialized[i - 1]);
  });
});

describe('who may watch', () => {
  it("refuses someone else's private video as the queries do, and lets its owner watch it", async () => {
    const videoId = await publicVideo(api, creator, 'private');
    const refused = subscribe(client(fan.accessToken), 'videoCommentAdded', COMMENT_ADDED, { videoId });
    expect(await refused.ended).toMatchObject({
      kind: 'errors',
      errors: [{ extensions: { code: 'NOT_FOUND', reason: 'VIDEO_POST_NOT_FOUND' } }],
    });
    const counts = subscribe(client(fan.accessToken), 'videoEngagementChanged', ENGAGEMENT_CHANGED, {
      videoId,
    });
    expect(await counts.ended).toMatchObject({ errors: [{ extensions: { code: 'NOT_FOUND' } }] });

    const { counts: own } = await watch(creator, videoId);
    expect(own.values[0]).toMatchObject({ videoId, likeCount: 0 });
  });

  it('ends both subscriptions when the owner blocks the subscriber, and sends nothing after', async () => {
    const videoId = await publicVideo(api, creator);
    const { comments, counts } = await watch(fan, videoId);
    const seen = await comment(api, other, videoId, 'Seen');
    await comments.received(1);

    fieldOf(await api.gql(BLOCK, { userId: fan.id }, creator.accessToken), 'blockUser');
    // Ended by the block itself: no comment or like is needed to notice it.
    expect(await comments.ended).toMatchObject(REVOKED);
    expect(await counts.ended).toMatchObject(REVOKED);
    await comment(api, other, videoId, 'Not seen');
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(comments.values.map((c) => c.id)).toEqual([seen.id]);
  });

  it('ends when the video turns private, is hidden by a moderator, or is deleted', async () => {
    const privateLater = await publicVideo(api, creator);
    const first = await watch(other, privateLater);
    fieldOf(
      await api.gql(UPDATE_POST, { id: privateLater, input: { visibility: 'private' } }, creator.accessToken),
      'updateVideoPost',
    );
    expect(await first.comments.ended).toMatchObject(REVOKED);
    expect(await first.counts.ended).toMatchObject(REVOKED);

    const hiddenLater = await publicVideo(api, creator);
    const watched = await watch(other, hiddenLater);
    await hideVideo(api, hiddenLater, creator.id);
    expect(await watched.comments.ended).toMatchObject(REVOKED);

    const deletedLater = await publicVideo(api, creator);
    const second = await watch(other, deletedLater);
    fieldOf(await api.gql(DELETE_POST, { id: deletedLater }, creator.accessToken), 'deleteVideoPost');
    expect(await second.counts.ended).toMatchObject(REVOKED);
  });
});
