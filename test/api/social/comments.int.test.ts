import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { errorCodes, fieldOf, type IdentityApp, startIdentityApp } from '../support/identity-app.ts';
import { registerAndSignIn, type TestUser } from '../support/identity-operations.ts';
import { DELETE_POST } from '../videos/support.ts';
import {
  BLOCK,
  COMMENT,
  COMMENTS,
  type CommentView,
  comment,
  DELETE_COMMENT,
  EDIT_COMMENT,
  ENGAGEMENT,
  HIDE,
  LIKE,
  LIKED_VIDEOS,
  makeModerator,
  POST_COMMENT,
  publicVideo,
  REPLIES,
  SET_COMMENTS,
  SHARE,
  UNLIKE,
} from './comments-support.ts';
import { SET_USERNAME } from './graph-support.ts';

let api: IdentityApp;
let creator: TestUser;
let fan: TestUser;
let other: TestUser;
beforeAll(async () => {
  api = await startIdentityApp();
  creator = await registerAndSignIn(api, 'Creator');
  fan = await registerAndSignIn(api, 'Fan');
  other = await registerAndSignIn(api, 'Other');
});
afterAll(async () => {
  await api?.close();
});

const engagement = async (videoId: string, token?: string) =>
  (await api.gql(ENGAGEMENT, { videoId }, token)).data?.videoEngagement as Record<string, unknown> | null;

describe('likes', () => {
  it('likes a video once however often asked, counts it, and shows it as liked by me', async () => {
    const videoId = await publicVideo(api, creator);
    for (let i = 0; i < 2; i++) {
      expect(fieldOf(await api.gql(LIKE, { kind: 'video', id: videoId }, fan.accessToken), 'like')).toEqual({
        targetKind: 'video',
        targetId: videoId,
        likeCount: 1,
        likedByMe: true,
      });
    }
    await api.gql(LIKE, { kind: 'video', id: videoId }, other.accessToken);
    expect(await engagement(videoId, fan.accessToken)).toMatchObject({ likeCount: 2, likedByMe: true });
    expect(await engagement(videoId)).toMatchObject({ likeCount: 2, likedByMe: false });
    const liked = await api.gql(LIKED_VIDEOS, { userId: fan.id });
    expect(liked.data?.likedVideos).toMatchObject({ nodes: [{ id: videoId }] });

    for (let i = 0; i < 2; i++) {
      expect(
        fieldOf(await api.gql(UNLIKE, { kind: 'video', id: videoId }, fan.accessToken), 'unlike'),
      ).toMatchObject({
        likeCount: 1,
        likedByMe: false,
      });
    }
    expect((await api.gql(LIKED_VIDEOS, { userId: fan.id })).data?.likedVideos).toMatchObject({ nodes: [] });
  });

  it('likes comments, shown on the comment', async () => {
    const videoId = await publicVideo(api, creator);
    const posted = await comment(api, other, videoId, 'Clean');
    await api.gql(LIKE, { kind: 'comment', id: posted.id }, fan.accessToken);
    const seen = fieldOf<CommentView>(await api.gql(COMMENT, { id: posted.id }, fan.accessToken), 'comment');
    expect(seen).toMatchObject({ likeCount: 1, likedByMe: true });
  });

  it('refuses a deleted video, a missing one, and anonymous callers, storing nothing', async () => {
    const videoId = await publicVideo(api, creator);
    await api.gql(DELETE_POST, { id: videoId }, creator.accessToken);
    expect(errorCodes(await api.gql(LIKE, { kind: 'video', id: videoId }, fan.accessToken))).toEqual([
      'NOT_FOUND/VIDEO_POST_NOT_FOUND',
    ]);
    expect(errorCodes(await api.gql(LIKE, { kind: 'video', id: randomUUID() }, fan.accessToken))).toEqual([
      'NOT_FOUND/VIDEO_POST_NOT_FOUND',
    ]);
    expect(errorCodes(await api.gql(LIKE, { kind: 'video', id: videoId }))[0]).toMatch(/^UNAUTHENTICATED/);
  });

  it('counts likes of one video from twenty people at once (one stream each: none waits)', async () => {
    const videoId = await publicVideo(api, creator);
    const people: TestUser[] = [];
    while (people.length < 20)
      people.push(...(await Promise.all([1, 2, 3, 4, 5].map(() => registerAndSignIn(api)))));
    const answers = await Promise.all(
      people.map((person) => api.gql(LIKE, { kind: 'video', id: videoId }, person.accessToken)),
    );
    expect(answers.flatMap((answer) => answer.errors ?? [])).toEqual([]);
    expect(await engagement(videoId)).toMatchObject({ likeCount: 20 });
  }, 60_000);
});

describe('comments', () => {
  it('posts comments and nested replies, shown two levels deep with a cursor for more', async () => {
    const videoId = await publicVideo(api, creator);
    const top = await comment(api, fan, videoId, '  First!  ');
    expect(top).toMatchObject({ videoId, parentId: null, depth: 0, body: 'First!', edited: false });
    const reply = await comment(api, other, videoId, 'Second', top.id);
    const deeper = await comment(api, fan, videoId, 'Third', reply.id);
    const deepest = await comment(api, other, videoId, 'Fourth', deeper.id);
    expect([reply.depth, deeper.depth, deepest.depth]).toEqual([1, 2, 3]);
    await comment(api, other, videoId, 'Also second', top.id);
    await comment(api, other, videoId, 'And again', top.id);

    const page = await api.gql(COMMENTS, { videoId });
    const [shown] = fieldOf<{ nodes: (CommentView & { replies: unknown })[] }>(page, 'comments').nodes;
    expect(shown).toMatchObject({ id: top.id, replyCount: 3 });
    expect(shown?.replies).toMatchObject({
      nodes: [
        { id: reply.id, depth: 1, replyCount: 1 },
        { body: 'Also second', depth: 1 },
      ],
      pageInfo: { hasNextPage: true },
    });
    const more = await api.gql(REPLIES, { id: reply.id, page: { first: 5 } });
    expect(more.data?.comment).toMatchObject({ replies: { nodes: [{ id: deeper.id, depth: 2 }] } });
  });

  it('sorts by newest or by likes', async () => {
    const videoId = await publicVideo(api, creator);
    const liked = await comment(api, fan, videoId, 'liked one');
    const newer = await comment(api, fan, videoId, 'newer one');
    await api.gql(LIKE, { kind: 'comment', id: liked.id }, other.accessToken);
    const ids = async (sort: string) =>
      fieldOf<{ nodes: { id: string }[] }>(await api.gql(COMMENTS, { videoId, sort }), 'comments').nodes.map(
        (node) => node.id,
      );
    expect(await ids('newest')).toEqual([newer.id, liked.id]);
    expect(await ids('top')).toEqual([liked.id, newer.id]);
  });

  it('refuses a top cursor whose like count would not fit an int', async () => {
    const videoId = await publicVideo(api, creator);
    const cursor = (likes: string) =>
      Buffer.from(JSON.stringify([likes, new Date().toISOString(), randomUUID()])).toString('base64url');
    const page = async (likes: string) =>
      api.gql(COMMENTS, { videoId, sort: 'top', page: { first: 5, after: cursor(likes) } });
    expect(errorCodes(await page('9999999999'))).toEqual(['VALIDATION/INVALID_CURSOR']);
    expect(fieldOf<{ nodes: unknown[] }>(await page('999999999'), 'comments').nodes).toEqual([]);
  });

  it('resolves @mentions of nobody to plain text', async () => {
    const videoId = await publicVideo(api, creator);
    expect((await comment(api, fan, videoId, 'hey @nobody_here_at_all')).mentions).toEqual([]);
  });

  it('keeps the history of edits for the author and shows the comment as edited', async () => {
    const videoId = await publicVideo(api, creator);
    const posted = await comment(api, fan, videoId, 'Frist');
    const edited = fieldOf<CommentView>(
      await api.gql(EDIT_COMMENT, { id: posted.id, body: 'First' }, fan.accessToken),
      'editComment',
    );
    expect(edited).toMatchObject({
      body: 'First',
      edited: true,
      revisions: [{ revision: 1, body: 'Frist' }],
    });
    const asOther = fieldOf<CommentView>(
      await api.gql(COMMENT, { id: posted.id }, other.accessToken),
      'comment',
    );
    expect(asOther).toMatchObject({ body: 'First', edited: true, revisions: [] });
    expect(
      errorCodes(await api.gql(EDIT_COMMENT, { id: posted.id, body: 'mine' }, other.accessToken)),
    ).toEqual(['FORBIDDEN/NOT_COMMENT_AUTHOR']);
  });

  it('deletes to a tombstone that keeps its replies', async () => {
    const videoId = await publicVideo(api, creator);
    const top = await comment(api, fan, videoId, 'to be deleted');
    const reply = await comment(api, other, videoId, 'a reply', top.id);
    const deleted = fieldOf<CommentView>(
      await api.gql(DELETE_COMMENT, { id: top.id }, creator.accessToken),
      'deleteComment',
    );
    expect(deleted).toMatchObject({ body: '[deleted]', deleted: true, replyCount: 1 });
    expect((await api.gql(REPLIES, { id: top.id })).data?.comment).toMatchObject({
      replies: { nodes: [{ id: reply.id }] },
    });
    expect(await engagement(videoId)).toMatchObject({ commentCount: 1 });
    expect(
      errorCodes(await api.gql(POST_COMMENT, { videoId, parentId: top.id, body: 'late' }, fan.accessToken)),
    ).toEqual(['CONFLICT/COMMENT_DELETED']);
  });

  it('refuses bad comments and stores nothing', async () => {
    const videoId = await publicVideo(api, creator);
    const otherVideo = await publicVideo(api, creator);
    const elsewhere = await comment(api, fan, otherVideo, 'elsewhere');
    const refused = async (variables: Record<string, unknown>, token = fan.accessToken) =>
      errorCodes(await api.gql(POST_COMMENT, { videoId, ...variables }, token));
    expect(await refused({ body: '   ' })).toEqual(['VALIDATION/EMPTY_COMMENT']);
    expect(await refused({ body: 'x'.repeat(5_000) })).toEqual(['VALIDATION/COMMENT_TOO_LONG']);
    expect(await refused({ body: 'hi', parentId: elsewhere.id })).toEqual([
      'VALIDATION/PARENT_ON_OTHER_VIDEO',
    ]);
    expect(await refused({ body: 'hi', parentId: randomUUID() })).toEqual(['NOT_FOUND/COMMENT_NOT_FOUND']);
    expect(await refused({ body: 'hi', videoId: randomUUID() })).toEqual(['NOT_FOUND/VIDEO_POST_NOT_FOUND']);
    expect((await refused({ body: 'hi' }, ''))[0]).toMatch(/^UNAUTHENTICATED/);
    expect(await engagement(videoId)).toMatchObject({ commentCount: 0 });
  });

  it('takes no comments where the owner turned them off, until turned on again', async () => {
    const videoId = await publicVideo(api, creator);
    expect(errorCodes(await api.gql(SET_COMMENTS, { videoId, enabled: false }, fan.accessToken))).toEqual([
      'FORBIDDEN/NOT_VIDEO_OWNER',
    ]);
    expect(
      fieldOf(
        await api.gql(SET_COMMENTS, { videoId, enabled: false }, creator.accessToken),
        'setCommentsEnabled',
      ),
    ).toEqual({
      commentsEnabled: false,
    });
    expect(errorCodes(await api.gql(POST_COMMENT, { videoId, body: 'hi' }, fan.accessToken))).toEqual([
      'FORBIDDEN/COMMENTS_OFF',
    ]);
    await api.gql(SET_COMMENTS, { videoId, enabled: true }, creator.accessToken);
    await comment(api, fan, videoId, 'hi again');
  });

  it('refuses a flood: at most 10 comments a minute per person', async () => {
    const flooder = await registerAndSignIn(api, 'Flooder');
    const videoId = await publicVideo(api, creator);
    const answers = await Promise.all(
      Array.from({ length: 14 }, (_, i) =>
        api.gql(POST_COMMENT, { videoId, body: `spam ${i}` }, flooder.accessToken),
      ),
    );
    const refused = answers.filter((answer) => errorCodes(answer)[0] === 'RATE_LIMITED/COMMENT_RATE_LIMITED');
    expect(refused).toHaveLength(4);
    expect(refused[0]?.errors?.[0]?.extensions).toMatchObject({ limit: 10 });
    expect(await engagement(videoId)).toMatchObject({ commentCount: 10 });
  });
});

describe('erasure', () => {
  it('shows a forgotten person’s comments as from a forgotten user, with no name', async () => {
    const gone = await registerAndSignIn(api, 'Soon Gone');
    const videoId = await publicVideo(api, creator);
    const posted = await comment(api, gone, videoId, 'remember me');
    fieldOf(await api.gql('mutation { forgetUser { userId } }', {}, gone.accessToken), 'forgetUser');
    const seen = await api.gql(
      `query ($id: ID!) { comment(id: $id) { body author { id forgotten username displayName avatar { name } } } }`,
      { id: posted.id },
      fan.accessToken,
    );
    expect(seen.data?.comment).toEqual({
      body: 'remember me',
      author: { id: gone.id, forgotten: true, username: null, displayName: null, avatar: [] },
    });
  });

  it('drops a forgotten person’s username from the comments that mentioned them', async () => {
    const gone = await registerAndSignIn(api, 'Mentioned');
    const username = `gone_${randomUUID().slice(0, 8)}`;
    fieldOf(await api.gql(SET_USERNAME, { username }, gone.accessToken), 'setUsername');
    const videoId = await publicVideo(api, creator);
    const posted = await comment(
      api,
      await registerAndSignIn(api, 'Thanker'),
      videoId,
      `thanks @${username}`,
    );
    expect(posted.mentions).toEqual([{ username, userId: gone.id }]);
    fieldOf(await api.gql('mutation { forgetUser { userId } }', {}, gone.accessToken), 'forgetUser');
    const seen = fieldOf<CommentView>(
      await api.gql(COMMENT, { id: posted.id }, other.accessToken),
      'comment',
    );
    expect(seen.mentions).toEqual([]);
  });
});

describe('blocks', () => {
  it('keeps a blocked person from liking, commenting on, sharing or seeing the blocker’s videos', async () => {
    const blocker = await registerAndSignIn(api, 'Blocker');
    const blocked = await registerAndSignIn(api, 'Blocked');
    const videoId = await publicVideo(api, blocker);
    const early = await comment(api, blocked, videoId, 'before the block');
    fieldOf(await api.gql(BLOCK, { userId: blocked.id }, blocker.accessToken), 'blockUser');
    const token = blocked.accessToken;
    expect(errorCodes(await api.gql(LIKE, { kind: 'video', id: videoId }, token))).toEqual([
      'NOT_FOUND/VIDEO_POST_NOT_FOUND',
    ]);
    expect(errorCodes(await api.gql(POST_COMMENT, { videoId, body: 'hi' }, token))).toEqual([
      'NOT_FOUND/VIDEO_POST_NOT_FOUND',
    ]);
    expect(errorCodes(await api.gql(SHARE, { videoId, platform: 'x' }, token))).toEqual([
      'NOT_FOUND/VIDEO_POST_NOT_FOUND',
    ]);
    expect(await engagement(videoId, token)).toBeNull();
    expect((await api.gql(COMMENTS, { videoId }, token)).data?.comments).toMatchObject({ nodes: [] });
    // The blocker no longer sees the blocked person's comment on their video either.
    expect((await api.gql(COMMENT, { id: early.id }, blocker.accessToken)).data?.comment).toBeNull();
  });

  it('shows a blocked person none of the blocker’s liked videos', async () => {
    const blocker = await registerAndSignIn(api, 'Blocker');
    const blocked = await registerAndSignIn(api, 'Blocked');
    const videoId = await publicVideo(api, creator);
    fieldOf(await api.gql(LIKE, { kind: 'video', id: videoId }, blocker.accessToken), 'like');
    fieldOf(await api.gql(BLOCK, { userId: blocked.id }, blocker.accessToken), 'blockUser');
    const liked = async (token: string) =>
      fieldOf<{ nodes: { id: string }[] }>(
        await api.gql(LIKED_VIDEOS, { userId: blocker.id }, token),
        'likedVideos',
      ).nodes.map((node) => node.id);
    expect(await liked(blocked.accessToken)).toEqual([]);
    expect(await liked(other.accessToken)).toEqual([videoId]);
  });

  it('counts no comments or replies of people either side of a block with the reader', async () => {
    const blocker = await registerAndSignIn(api, 'Blocker');
    const blocked = await registerAndSignIn(api, 'Blocked');
    const videoId = await publicVideo(api, creator);
    const top = await comment(api, await registerAndSignIn(api, 'Starter'), videoId, 'top');
    await comment(api, blocker, videoId, 'reply by the blocker', top.id);
    await comment(api, blocker, videoId, 'a comment by the blocker');
    fieldOf(await api.gql(BLOCK, { userId: blocked.id }, blocker.accessToken), 'blockUser');
    expect(await engagement(videoId, blocked.accessToken)).toMatchObject({ commentCount: 1 });
    expect(await engagement(videoId, fan.accessToken)).toMatchObject({ commentCount: 3 });
    const seen = async (token: string) =>
      fieldOf<CommentView>(await api.gql(COMMENT, { id: top.id }, token), 'comment').replyCount;
    expect(await seen(blocked.accessToken)).toBe(0);
    expect(await seen(fan.accessToken)).toBe(1);
  });

  it('keeps a blocked person from replying to or liking the blocker’s comment on someone else’s video', async () => {
    const blocker = await registerAndSignIn(api, 'Blocker');
    const blocked = await registerAndSignIn(api, 'Blocked');
    const videoId = await publicVideo(api, creator);
    const said = await comment(api, blocker, videoId, 'my take');
    fieldOf(await api.gql(BLOCK, { userId: blocked.id }, blocker.accessToken), 'blockUser');
    const token = blocked.accessToken;
    expect(
      errorCodes(await api.gql(POST_COMMENT, { videoId, parentId: said.id, body: 'reply' }, token)),
    ).toEqual(['NOT_FOUND/COMMENT_NOT_FOUND']);
    expect(errorCodes(await api.gql(LIKE, { kind: 'comment', id: said.id }, token))).toEqual([
      'NOT_FOUND/COMMENT_NOT_FOUND',
    ]);
    // Someone else still replies and likes as before.
    const bystander = await registerAndSignIn(api, 'Bystander');
    expect((await comment(api, bystander, videoId, 'agreed', said.id)).parentId).toBe(said.id);
    fieldOf(await api.gql(LIKE, { kind: 'comment', id: said.id }, other.accessToken), 'like');
  });

  it('refuses replies to a hidden comment and likes of comments on a video the liker cannot see', async () => {
    const moderator = await makeModerator(api);
    const videoId = await publicVideo(api, creator);
    const writer = await registerAndSignIn(api, 'Writer');
    const hidden = await comment(api, writer, videoId, 'to be hidden');
    fieldOf(
      await api.gql(HIDE, { kind: 'comment', id: hidden.id, reason: 'Spam' }, moderator.accessToken),
      'hideContent',
    );
    expect(
      errorCodes(await api.gql(POST_COMMENT, { videoId, parentId: hidden.id, body: 'hi' }, fan.accessToken)),
    ).toEqual(['NOT_FOUND/COMMENT_NOT_FOUND']);

    const privateId = await publicVideo(api, creator, 'private');
    const own = await comment(api, creator, privateId, 'notes to self');
    expect(errorCodes(await api.gql(LIKE, { kind: 'comment', id: own.id }, fan.accessToken))).toEqual([
      'NOT_FOUND/COMMENT_NOT_FOUND',
    ]);
    const onHiddenVideo = await comment(api, writer, await publicVideo(api, creator), 'x');
    fieldOf(
      await api.gql(
        HIDE,
        { kind: 'video', id: onHiddenVideo.videoId, reason: 'Stolen' },
        moderator.accessToken,
      ),
      'hideContent',
    );
    expect(
      errorCodes(await api.gql(LIKE, { kind: 'comment', id: onHiddenVideo.id }, fan.accessToken)),
    ).toEqual(['NOT_FOUND/COMMENT_NOT_FOUND']);
    // The owner of the private video still likes the comments on it.
    fieldOf(await api.gql(LIKE, { kind: 'comment', id: own.id }, creator.accessToken), 'like');
  });

  it('counts a hidden reply only for its author and moderators, as the replies list shows it', async () => {
    const moderator = await makeModerator(api);
    const videoId = await publicVideo(api, creator);
    const starter = await registerAndSignIn(api, 'Starter');
    const replier = await registerAndSignIn(api, 'Replier');
    const top = await comment(api, starter, videoId, 'top');
    const reply = await comment(api, replier, videoId, 'to be hidden', top.id);
    await comment(api, starter, videoId, 'stays', top.id);
    fieldOf(
      await api.gql(HIDE, { kind: 'comment', id: reply.id, reason: 'Spam' }, moderator.accessToken),
      'hideContent',
    );
    const count = async (token?: string) =>
      fieldOf<CommentView>(await api.gql(COMMENT, { id: top.id }, token), 'comment').replyCount;
    expect(await count()).toBe(1);
    expect(await count(starter.accessToken)).toBe(1);
    expect(await count(replier.accessToken)).toBe(2);
    expect(await count(moderator.accessToken)).toBe(2);
  });
});

describe('shares', () => {
  it('records shares per platform with a link that carries the share', async () => {
    const videoId = await publicVideo(api, creator);
    const share = fieldOf<{ id: string; url: string }>(
      await api.gql(SHARE, { videoId, platform: 'whatsapp' }, fan.accessToken),
      'shareVideo',
    );
    expect(share.url).toBe(`/videos/${videoId}?s=${share.id}`);
    await api.gql(SHARE, { videoId, platform: 'copy_link' }, other.accessToken);
    await api.gql(SHARE, { videoId, platform: 'whatsapp' }, other.accessToken);
    expect(await engagement(videoId)).toMatchObject({
      shareCount: 3,
      sharesByPlatform: [
        { platform: 'copy_link', count: 1 },
        { platform: 'whatsapp', count: 2 },
      ],
    });
  });

  it('has no link for a private video', async () => {
    const videoId = await publicVideo(api, creator, 'private');
    expect(errorCodes(await api.gql(SHARE, { videoId, platform: 'x' }, fan.accessToken))).toEqual([
      'NOT_FOUND/VIDEO_POST_NOT_FOUND',
    ]);
  });
});
