import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { errorCodes, fieldOf, type IdentityApp, startIdentityApp } from '../support/identity-app.ts';
import { registerAndSignIn, type TestUser } from '../support/identity-operations.ts';
import {
  COMMENT,
  COMMENTS,
  type CommentView,
  comment,
  ENGAGEMENT,
  HIDE,
  LIKE,
  makeModerator,
  NOTICES,
  POST_COMMENT,
  publicVideo,
  QUEUE,
  REPORT,
  RESTORE,
  SHARE,
  TRENDING,
} from './comments-support.ts';

let api: IdentityApp;
let creator: TestUser;
let author: TestUser;
let reader: TestUser;
let moderator: TestUser;
beforeAll(async () => {
  api = await startIdentityApp();
  creator = await registerAndSignIn(api, 'Creator');
  author = await registerAndSignIn(api, 'Author');
  reader = await registerAndSignIn(api, 'Reader');
  moderator = await makeModerator(api);
});
afterAll(async () => {
  await api?.close();
});

interface CaseView {
  targetId: string;
  visibility: string;
  openReports: number;
  reasons: { reason: string; count: number }[];
  heldCategories: string[] | null;
  text: string | null;
  decision: string | null;
  decisionReason: string | null;
  decidedBy: string | null;
}

const queue = async () =>
  fieldOf<{ nodes: CaseView[] }>(
    await api.gql(QUEUE, { page: { first: 30 } }, moderator.accessToken),
    'moderationQueue',
  ).nodes;
const report = (id: string, user: TestUser, reason = 'spam', kind = 'comment') =>
  api.gql(REPORT, { kind, id, reason }, user.accessToken);
const ids = async (videoId: string, token?: string) =>
  fieldOf<{ nodes: { id: string }[] }>(await api.gql(COMMENTS, { videoId }, token), 'comments').nodes.map(
    (node) => node.id,
  );

describe('reports and the moderators’ queue', () => {
  it('queues reported content with its reasons counted, one report per person', async () => {
    const videoId = await publicVideo(api, creator);
    const posted = await comment(api, author, videoId, 'buy my stuff');
    expect(fieldOf(await report(posted.id, reader), 'reportContent')).toBe(true);
    expect(fieldOf(await report(posted.id, reader), 'reportContent')).toBe(true);
    await report(posted.id, creator, 'harassment');
    const queued = (await queue()).find((entry) => entry.targetId === posted.id);
    expect(queued).toMatchObject({
      visibility: 'visible',
      openReports: 2,
      reasons: [
        { reason: 'harassment', count: 1 },
        { reason: 'spam', count: 1 },
      ],
      text: 'buy my stuff',
    });
  });

  it('refuses reports of one’s own or missing content, and the queue to anyone but moderators', async () => {
    const videoId = await publicVideo(api, creator);
    const posted = await comment(api, author, videoId, 'mine');
    expect(errorCodes(await report(posted.id, author))).toEqual(['VALIDATION/CANNOT_REPORT_OWN']);
    expect(errorCodes(await report(randomUUID(), reader))).toEqual(['NOT_FOUND/CONTENT_NOT_FOUND']);
    expect(errorCodes(await api.gql(QUEUE, {}, reader.accessToken))).toEqual(['FORBIDDEN/MODERATORS_ONLY']);
    expect(
      errorCodes(await api.gql(HIDE, { kind: 'comment', id: posted.id, reason: 'no' }, creator.accessToken)),
    ).toEqual(['FORBIDDEN/MODERATORS_ONLY']);
  });

  it('hides a comment from lists and counts, tells its author why, and restores it', async () => {
    const videoId = await publicVideo(api, creator);
    const posted = await comment(api, author, videoId, 'rude words');
    await report(posted.id, reader, 'harassment');
    const hidden = fieldOf<CaseView>(
      await api.gql(
        HIDE,
        { kind: 'comment', id: posted.id, reason: 'Harassment of another user' },
        moderator.accessToken,
      ),
      'hideContent',
    );
    expect(hidden).toMatchObject({
      visibility: 'hidden',
      openReports: 0,
      decision: 'hidden',
      decisionReason: 'Harassment of another user',
      decidedBy: moderator.id,
    });
    expect((await queue()).some((entry) => entry.targetId === posted.id)).toBe(false);
    expect(await ids(videoId, reader.accessToken)).toEqual([]);
    expect((await api.gql(ENGAGEMENT, { videoId })).data?.videoEngagement).toMatchObject({ commentCount: 0 });
    // Its author still sees it, with the reason, and is told in their notices.
    expect(await ids(videoId, author.accessToken)).toEqual([posted.id]);
    expect(
      fieldOf<CommentView>(await api.gql(COMMENT, { id: posted.id }, author.accessToken), 'comment'),
    ).toMatchObject({
      hiddenReason: 'Harassment of another user',
    });
    expect(
      fieldOf<unknown[]>(await api.gql(NOTICES, {}, author.accessToken), 'myModerationNotices'),
    ).toContainEqual(
      expect.objectContaining({
        targetId: posted.id,
        visibility: 'hidden',
        reason: 'Harassment of another user',
      }),
    );
    expect(errorCodes(await api.gql(LIKE, { kind: 'comment', id: posted.id }, reader.accessToken))).toEqual([
      'NOT_FOUND/COMMENT_NOT_FOUND',
    ]);

    const restored = fieldOf<CaseView>(
      await api.gql(RESTORE, { kind: 'comment', id: posted.id }, moderator.accessToken),
      'restoreContent',
    );
    expect(restored).toMatchObject({ visibility: 'visible', decision: 'restored' });
    expect(await ids(videoId, reader.accessToken)).toEqual([posted.id]);
    expect(
      fieldOf<unknown[]>(await api.gql(NOTICES, {}, author.accessToken), 'myModerationNotices'),
    ).not.toContainEqual(expect.objectContaining({ targetId: posted.id }));
  });

  it('hides a video: gone from trending and closed to likes, comments and shares', async () => {
    const videoId = await publicVideo(api, creator);
    await api.gql(LIKE, { kind: 'video', id: videoId }, reader.accessToken);
    const trending = async () =>
      fieldOf<{ video: { id: string } }[]>(await api.gql(TRENDING, { window: 60 }), 'trendingVideos').map(
        (t) => t.video.id,
      );
    expect(await trending()).toContain(videoId);
    await api.gql(HIDE, { kind: 'video', id: videoId, reason: 'Stolen footage' }, moderator.accessToken);
    expect(await trending()).not.toContain(videoId);
    expect((await api.gql(ENGAGEMENT, { videoId }, reader.accessToken)).data?.videoEngagement).toBeNull();
    expect(errorCodes(await api.gql(POST_COMMENT, { videoId, body: 'hi' }, reader.accessToken))).toEqual([
      'NOT_FOUND/VIDEO_POST_NOT_FOUND',
    ]);
    expect(errorCodes(await api.gql(SHARE, { videoId, platform: 'x' }, reader.accessToken))).toEqual([
      'NOT_FOUND/VIDEO_POST_NOT_FOUND',
    ]);
    expect(
      fieldOf<unknown[]>(await api.gql(NOTICES, {}, creator.accessToken), 'myModerationNotices'),
    ).toContainEqual(
      expect.objectContaining({ targetKind: 'video', targetId: videoId, reason: 'Stolen footage' }),
    );
  });
});

describe('text moderation', () => {
  it('holds flagged text for the queue: only its author sees it until a moderator restores it', async () => {
    const videoId = await publicVideo(api, creator);
    const held = await comment(api, author, videoId, 'just kys');
    expect(held.hiddenReason).toMatch(/Held for review .*harassment/);
    expect(await ids(videoId, reader.accessToken)).toEqual([]);
    const queued = (await queue()).find((entry) => entry.targetId === held.id);
    expect(queued).toMatchObject({ visibility: 'held', heldCategories: ['harassment'], openReports: 0 });

    await api.gql(RESTORE, { kind: 'comment', id: held.id }, moderator.accessToken);
    expect(await ids(videoId, reader.accessToken)).toEqual([held.id]);
  });

  it('holds an edit whose new words are flagged', async () => {
    const videoId = await publicVideo(api, creator);
    const posted = await comment(api, author, videoId, 'nice one');
    await api.gql(
      `mutation ($id: ID!, $body: String!) { editComment(id: $id, body: $body) { id } }`,
      {
        id: posted.id,
        body: 'free followers at http://a.example http://b.example http://c.example http://d.example',
      },
      author.accessToken,
    );
    expect(await ids(videoId, reader.accessToken)).toEqual([]);
    expect((await queue()).find((entry) => entry.targetId === posted.id)).toMatchObject({
      visibility: 'held',
      heldCategories: ['spam'],
    });
  });
});
