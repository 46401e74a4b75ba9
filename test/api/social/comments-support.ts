import { randomUUID } from 'node:crypto';
import { waitForPosition } from '../../../src/projections/wait-for-position.ts';
import { setRole } from '../../../src/services/identity/account.ts';
import { fieldOf, type IdentityApp } from '../support/identity-app.ts';
import { identityDeps, registerAndSignIn, type TestUser } from '../support/identity-operations.ts';
import { createPost, mediaAsset } from '../videos/support.ts';

/** The GraphQL operations the engagement tests use, in one place. */
export const COMMENT_FIELDS = `id videoId parentId depth body deleted edited likeCount likedByMe replyCount
  hiddenReason mentions { username userId } author { id forgotten }`;
export const POST_COMMENT = `mutation ($videoId: ID!, $parentId: ID, $body: String!, $key: String) {
  postComment(videoId: $videoId, parentId: $parentId, body: $body, idempotencyKey: $key) { ${COMMENT_FIELDS} } }`;
export const EDIT_COMMENT = `mutation ($id: ID!, $body: String!) {
  editComment(id: $id, body: $body) { ${COMMENT_FIELDS} revisions { revision body } } }`;
export const DELETE_COMMENT = `mutation ($id: ID!) { deleteComment(id: $id) { ${COMMENT_FIELDS} } }`;
export const COMMENT = `query ($id: ID!) { comment(id: $id) { ${COMMENT_FIELDS} revisions { revision body } } }`;
export const COMMENTS = `query ($videoId: ID!, $sort: CommentSort, $page: PageInput) {
  comments(videoId: $videoId, sort: $sort, page: $page) {
    nodes { ${COMMENT_FIELDS} replies(page: { first: 2 }) { nodes { id depth body replyCount } pageInfo { hasNextPage endCursor } } }
    pageInfo { hasNextPage endCursor } } }`;
export const REPLIES = `query ($id: ID!, $page: PageInput) {
  comment(id: $id) { replies(page: $page) { nodes { id depth } pageInfo { hasNextPage endCursor } } } }`;
export const LIKE = `mutation ($kind: EngagementTarget!, $id: ID!) {
  like(targetKind: $kind, targetId: $id) { targetKind targetId likeCount likedByMe } }`;
export const UNLIKE = `mutation ($kind: EngagementTarget!, $id: ID!) {
  unlike(targetKind: $kind, targetId: $id) { targetKind targetId likeCount likedByMe } }`;
export const ENGAGEMENT = `query ($videoId: ID!) { videoEngagement(videoId: $videoId) {
  videoId likeCount commentCount shareCount likedByMe commentsEnabled sharesByPlatform { platform count } } }`;
export const LIKED_VIDEOS = `query ($userId: ID!, $page: PageInput) {
  likedVideos(userId: $userId, page: $page) { nodes { id } pageInfo { hasNextPage endCursor } } }`;
export const SHARE = `mutation ($videoId: ID!, $platform: SharePlatform!) {
  shareVideo(videoId: $videoId, platform: $platform) { id videoId platform url } }`;
export const SET_COMMENTS = `mutation ($videoId: ID!, $enabled: Boolean!) {
  setCommentsEnabled(videoId: $videoId, enabled: $enabled) { commentsEnabled } }`;
export const BLOCK = `mutation ($userId: ID!) { blockUser(userId: $userId) { id } }`;
export const REPORT = `mutation ($kind: EngagementTarget!, $id: ID!, $reason: ReportReason!) {
  reportContent(targetKind: $kind, targetId: $id, reason: $reason) }`;
const CASE_FIELDS = `targetKind targetId authorId visibility openReports reasons { reason count } heldCategories
  queuedAt text decision decisionReason decidedBy`;
export const HIDE = `mutation ($kind: EngagementTarget!, $id: ID!, $reason: String!) {
  hideContent(targetKind: $kind, targetId: $id, reason: $reason) { ${CASE_FIELDS} } }`;
export const RESTORE = `mutation ($kind: EngagementTarget!, $id: ID!) {
  restoreContent(targetKind: $kind, targetId: $id) { ${CASE_FIELDS} } }`;
export const QUEUE = `query ($page: PageInput) { moderationQueue(page: $page) {
  nodes { ${CASE_FIELDS} } pageInfo { hasNextPage endCursor } } }`;
export const NOTICES = `{ myModerationNotices { targetKind targetId visibility reason since } }`;
export const TRENDING = `query ($window: Int) { trendingVideos(windowMinutes: $window) { video { id } score likes comments shares } }`;

export interface CommentView {
  id: string;
  videoId: string;
  parentId: string | null;
  depth: number;
  body: string;
  deleted: boolean;
  edited: boolean;
  likeCount: number;
  likedByMe: boolean;
  replyCount: number;
  hiddenReason: string | null;
  mentions: { username: string; userId: string }[];
  author: { id: string; forgotten: boolean };
  revisions?: { revision: number; body: string }[];
}

/** A public video posted by `owner`, its asset's events appended as the transcoding saga leaves them. */
export async function publicVideo(api: IdentityApp, owner: TestUser, visibility = 'public') {
  const assetId = await mediaAsset(api, owner.id);
  return (await createPost(api, owner.accessToken, { assetId, title: 'Kickflip', visibility })).id;
}

export async function comment(
  api: IdentityApp,
  user: TestUser,
  videoId: string,
  body: string,
  parentId?: string,
): Promise<CommentView> {
  return fieldOf<CommentView>(
    await api.gql(POST_COMMENT, { videoId, body, ...(parentId ? { parentId } : {}) }, user.accessToken),
    'postComment',
  );
}

/** Moderators are made by an operator, as admins are. */
export async function makeModerator(api: IdentityApp): Promise<TestUser> {
  const user = await registerAndSignIn(api, 'Mo Derator');
  const result = await setRole(
    identityDeps(api),
    { actor: { kind: 'system', process: 'test' }, correlationId: randomUUID() },
    { userId: user.id, role: 'moderator' },
  );
  if (result.position !== null) {
    await waitForPosition(api.runtime.pool, api.runtime.bus, result.position, { timeoutMs: 5000 });
  }
  return user;
}
