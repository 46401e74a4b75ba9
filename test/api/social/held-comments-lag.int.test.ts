import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '../../../src/logger.ts';
import { localTextModerator } from '../../../src/media/moderation/local-text-rules.ts';
import { Projector } from '../../../src/projections/projector.ts';
import { commandIdFor, type RequestContext } from '../../../src/services/shared/command-context.ts';
import { postComment } from '../../../src/services/social/comments.ts';
import type { EngagementDeps } from '../../../src/services/social/comments-deps.ts';
import { holdFlaggedText } from '../../../src/services/social/moderation-hold.ts';
import { errorCodes, fieldOf, type IdentityApp, startIdentityApp } from '../support/identity-app.ts';
import { registerAndSignIn, type TestUser } from '../support/identity-operations.ts';
import {
  COMMENTS,
  comment,
  EDIT_COMMENT,
  ENGAGEMENT,
  makeModerator,
  publicVideo,
  RESTORE,
} from './comments-support.ts';

/**
 * The projector here runs every projection but `social_moderation`, as `projector --only` groups
 * or an isolated failed projection leave it: the text check's hold is stored but never reaches
 * `social_hidden`, so only the comment's own `held` flag keeps it from other readers.
 */
let api: IdentityApp;
let projector: Projector;
let creator: TestUser;
let author: TestUser;
let reader: TestUser;
let moderator: TestUser;
beforeAll(async () => {
  // Mutations wait for every projection that handles their events, social_moderation included:
  // a short wait keeps each at about a second when that one never answers.
  api = await startIdentityApp({ readYourWritesTimeoutMs: 1_000 });
  // The full projector makes every read model's tables, then gives way to one without moderation.
  await api.stopProjector();
  const { store, pool, bus, projections } = api.runtime;
  projector = new Projector(
    { store, pool, bus, log: createLogger('silent') },
    projections.filter((projection) => projection.name !== 'social_moderation'),
    { batchSize: 200 },
  );
  await projector.start();
  creator = await registerAndSignIn(api, 'Creator');
  author = await registerAndSignIn(api, 'Author');
  reader = await registerAndSignIn(api, 'Reader');
  moderator = await makeModerator(api);
}, 60_000);
afterAll(async () => {
  await projector?.stop();
  await api?.close();
});

const ids = async (videoId: string, token?: string) =>
  fieldOf<{ nodes: { id: string }[] }>(await api.gql(COMMENTS, { videoId }, token), 'comments').nodes.map(
    (node) => node.id,
  );
const commentCount = async (videoId: string, token?: string) =>
  fieldOf<{ commentCount: number }>(await api.gql(ENGAGEMENT, { videoId }, token), 'videoEngagement')
    .commentCount;
const hiddenRows = async () => (await api.runtime.pool.query('select 1 from social_hidden')).rowCount ?? 0;

describe('held comments while social_moderation lags', () => {
  it('hides a flagged comment from everyone but its author, and shows it once a moderator restores it', async () => {
    const videoId = await publicVideo(api, creator);
    const held = await comment(api, author, videoId, 'just kys');
    expect(await hiddenRows()).toBe(0);

    expect(held.hiddenReason).toMatch(/^Held for review/);
    expect(await ids(videoId, reader.accessToken)).toEqual([]);
    expect(await ids(videoId)).toEqual([]);
    expect(await ids(videoId, author.accessToken)).toEqual([held.id]);
    expect(await commentCount(videoId, reader.accessToken)).toBe(0);

    await api.gql(RESTORE, { kind: 'comment', id: held.id }, moderator.accessToken);
    expect(await hiddenRows()).toBe(0);
    expect(await ids(videoId, reader.accessToken)).toEqual([held.id]);
    expect(await commentCount(videoId)).toBe(1);
  }, 30_000);

  it('hides a comment whose edit is flagged, replies to it included in its count', async () => {
    const videoId = await publicVideo(api, creator);
    const posted = await comment(api, author, videoId, 'nice one');
    await comment(api, reader, videoId, 'agreed', posted.id);
    expect(await ids(videoId, reader.accessToken)).toEqual([posted.id]);

    const reply = await comment(api, author, videoId, 'just kys', posted.id);
    const replies = fieldOf<{ nodes: { id: string; replyCount: number }[] }>(
      await api.gql(COMMENTS, { videoId }, reader.accessToken),
      'comments',
    ).nodes;
    expect(replies).toEqual([expect.objectContaining({ id: posted.id, replyCount: 1 })]);
    expect(await commentCount(videoId, reader.accessToken)).toBe(2);
    expect(reply.hiddenReason).toMatch(/^Held for review/);

    await api.gql(
      EDIT_COMMENT,
      {
        id: posted.id,
        body: 'free followers at http://a.example http://b.example http://c.example http://d.example',
      },
      author.accessToken,
    );
    expect(await hiddenRows()).toBe(0);
    expect(await ids(videoId, reader.accessToken)).toEqual([]);
    expect(await commentCount(videoId, reader.accessToken)).toBe(1);
  }, 30_000);

  it('finishes a request that crashed after its hold: nothing to restore before, held after', async () => {
    const videoId = await publicVideo(api, creator);
    const { store, codec, pool } = api.runtime;
    const deps: EngagementDeps = {
      store,
      codec,
      pool,
      log: createLogger('silent'),
      textModerator: localTextModerator(),
    };
    const context: RequestContext = {
      actor: { kind: 'user', userId: author.id, role: 'user' },
      correlationId: randomUUID(),
    };
    const input = { videoId, body: 'just kys', idempotencyKey: `retry-${randomUUID()}` };
    // The first attempt stored its hold and crashed before the comment: the hold postComment makes.
    const commentId = commandIdFor(context, 'postComment', input);
    const content = { kind: 'comment' as const, id: commentId, authorId: author.id, deleted: false };
    expect(await holdFlaggedText(deps, context, commentId, content, input.body)).toBe(true);
    // A moderator cannot release a hold on a comment not yet stored, so the retry's held flag is right.
    expect(
      errorCodes(await api.gql(RESTORE, { kind: 'comment', id: commentId }, moderator.accessToken)),
    ).toEqual(['NOT_FOUND/CONTENT_NOT_FOUND']);

    expect(await postComment(deps, context, input)).toBe(commentId);
    const deadline = Date.now() + 10_000;
    while ((await ids(videoId, author.accessToken)).length === 0 && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    expect(await ids(videoId, author.accessToken)).toEqual([commentId]);
    expect(await ids(videoId, reader.accessToken)).toEqual([]);
    expect(await hiddenRows()).toBe(0);
  }, 30_000);
});
