import type { IResolvers } from 'mercurius';
import { z } from 'zod';
import { forbidden, notFound } from '../../domain/shared/domain-error.ts';
import { isModerator } from '../../domain/social/moderation-policy.ts';
import type { RequestContext } from '../../services/shared/command-context.ts';
import {
  deleteComment,
  editComment,
  postComment,
  setCommentsEnabled,
} from '../../services/social/comments.ts';
import type { EngagementDeps } from '../../services/social/comments-deps.ts';
import { setLike } from '../../services/social/likes.ts';
import { hideContent, reportContent, restoreContent } from '../../services/social/reports.ts';
import { shareVideo } from '../../services/social/shares.ts';
import { connection } from '../pagination.ts';
import { callerFor, type GraphQLContext, type RequestScope } from '../request-scope.ts';
import { toVideoPost, videoPostCursor } from '../videos/mappers.ts';
import { findVideoPosts, videoViewerOf } from '../videos/read-model-queries.ts';
import { type CommentView, toComment, toModerationCase } from './engagement-mappers.ts';
import {
  canSeeVideo,
  commentCursor,
  commentRevisions,
  findComments,
  likesOf,
  listLikedVideos,
  listReplies,
  listVideoComments,
  moderationCase,
  moderationNotices,
  moderationQueue,
  type Reader,
  trendingVideos,
  videoEngagement,
} from './engagement-queries.ts';

type Args = Record<string, unknown>;
type Resolver = (root: unknown, args: Args, context: GraphQLContext) => Promise<unknown>;

export function readerOf(caller: RequestContext): Reader {
  return { userId: videoViewerOf(caller.actor).userId, moderator: isModerator(caller.actor) };
}

const videoIdArgs = z.object({ videoId: z.uuid() });
const idArgs = z.object({ id: z.uuid() });
const commentsArgs = z.object({
  videoId: z.uuid(),
  sort: z.enum(['newest', 'top']).nullish(),
  page: z.unknown().optional(),
});
const likedArgs = z.object({ userId: z.uuid(), page: z.unknown().optional() });
const trendingArgs = z.object({
  windowMinutes: z.number().int().min(5).max(1_440).nullish(),
  first: z.number().int().min(1).max(100).nullish(),
});

/** Reads are public (anonymous callers see what is public and visible); writes need a person. */
export function engagementResolvers(): IResolvers {
  const query: Record<string, Resolver> = {
    videoEngagement: async (_root, args, { scope }) => {
      const reader = readerOf(await callerFor(scope, 'public'));
      return engagementView(scope, reader, videoIdArgs.parse(args).videoId);
    },
    comments: async (_root, args, { scope }) => {
      const reader = readerOf(await callerFor(scope, 'public'));
      const { videoId, sort: rawSort, page: rawPage } = commentsArgs.parse(args);
      const sort = rawSort ?? 'newest';
      if (!(await canSeeVideo(scope.services.pool, reader, videoId))) return emptyConnection();
      const { rows, page } = await listVideoComments(scope.services.pool, reader, videoId, sort, rawPage);
      return connection(rows, page, undefined, commentCursor(sort), (row) => toComment(row, reader));
    },
    comment: async (_root, args, { scope }) => {
      const reader = readerOf(await callerFor(scope, 'public'));
      return commentView(scope, reader, idArgs.parse(args).id);
    },
    likedVideos: async (_root, args, { scope }) => {
      const caller = await callerFor(scope, 'public');
      const reader = readerOf(caller);
      const { userId, page: rawPage } = likedArgs.parse(args);
      const { rows, page } = await listLikedVideos(scope.services.pool, reader, userId, rawPage);
      const posts = await findVideoPosts(
        scope.services.pool,
        videoViewerOf(caller.actor),
        rows.map((r) => r.post_id),
      );
      const found = rows.flatMap((row) => {
        const post = posts.get(row.post_id);
        return post ? [{ ...post, sort_key: row.sort_key }] : [];
      });
      return connection(found, page, undefined, videoPostCursor, toVideoPost);
    },
    trendingVideos: async (_root, args, { scope }) => {
      const caller = await callerFor(scope, 'public');
      const { windowMinutes, first } = trendingArgs.parse(args);
      const rows = await trendingVideos(scope.services.pool, windowMinutes ?? 60, first ?? 20, now(scope));
      const posts = await findVideoPosts(
        scope.services.pool,
        videoViewerOf(caller.actor),
        rows.map((r) => r.post_id),
      );
      return rows.flatMap((row) => {
        const post = posts.get(row.post_id);
        if (!post) return [];
        const { score, likes, comments, shares } = row;
        return [{ video: toVideoPost(post), score, likes, comments, shares }];
      });
    },
    moderationQueue: async (_root, args, { scope }) => {
      requireModerator(await callerFor(scope, 'read'));
      const { rows, page } = await moderationQueue(scope.services.pool, args.page);
      return connection(
        rows,
        page,
        undefined,
        (row) => [row.sort_key ?? '', row.target_id],
        toModerationCase,
      );
    },
    myModerationNotices: async (_root, _args, { scope }) => {
      const reader = readerOf(await callerFor(scope, 'read'));
      if (reader.userId === null) return [];
      const rows = await moderationNotices(scope.services.pool, reader.userId);
      return rows.map((row) => ({
        targetKind: row.target_kind,
        targetId: row.target_id,
        visibility: row.visibility,
        reason: row.reason,
        since: row.since.toISOString(),
      }));
    },
  };

  const like =
    (liked: boolean): Resolver =>
    async (_root, args, { scope }) => {
      const caller = await callerFor(scope, 'write');
      const { targetKind, targetId } = await setLike(engagement(scope), caller, args, liked);
      const reader = readerOf(caller);
      const counts = (await likesOf(scope.services.pool, targetKind, [targetId], reader.userId)).get(
        targetId,
      );
      return { targetKind, targetId, likeCount: counts?.likes ?? 0, likedByMe: counts?.liked ?? false };
    };

  const commentMutation =
    (useCase: (deps: EngagementDeps, context: RequestContext, raw: unknown) => Promise<string>): Resolver =>
    async (_root, args, { scope }) => {
      const caller = await callerFor(scope, 'write');
      const id = await useCase(engagement(scope), caller, args);
      const comment = await commentView(scope, readerOf(caller), id);
      if (!comment) throw notFound('COMMENT_NOT_FOUND', 'No such comment');
      return comment;
    };

  const decision =
    (useCase: typeof hideContent): Resolver =>
    async (_root, args, { scope }) => {
      const caller = await callerFor(scope, 'write');
      const { targetKind, targetId, authorId } = await useCase(engagement(scope), caller, args);
      const row = await moderationCase(scope.services.pool, targetKind, targetId);
      // Restoring content nobody reported or held decides nothing and opens no case.
      return row ? toModerationCase(row) : untouchedCase(targetKind, targetId, authorId);
    };

  return {
    Query: query,
    Mutation: {
      like: like(true),
      unlike: like(false),
      postComment: commentMutation(postComment),
      editComment: commentMutation(editComment),
      deleteComment: commentMutation(deleteComment),
      setCommentsEnabled: async (_root, args, { scope }) => {
        const caller = await callerFor(scope, 'write');
        const videoId = await setCommentsEnabled(engagement(scope), caller, args);
        return engagementView(scope, readerOf(caller), videoId);
      },
      shareVideo: async (_root, args, { scope }) => {
        const caller = await callerFor(scope, 'write');
        const { shareId, videoId, platform } = await shareVideo(engagement(scope), caller, args);
        return { id: shareId, videoId, platform, url: shareUrl(scope, videoId, shareId) };
      },
      reportContent: async (_root, args, { scope }) => {
        const caller = await callerFor(scope, 'write');
        await reportContent(engagement(scope), caller, args);
        return true;
      },
      hideContent: decision(hideContent),
      restoreContent: decision(restoreContent),
    },
    // `author` and `likedByMe` are batched by engagement-loaders.ts.
    Comment: {
      replies: async (comment: CommentView, args: Args, { scope }: GraphQLContext) => {
        const reader = readerOf(await callerFor(scope, 'public'));
        const { rows, page } = await listReplies(scope.services.pool, reader, comment.id, args.page);
        return connection(rows, page, undefined, commentCursor('newest'), (row) => toComment(row, reader));
      },
      revisions: async (comment: CommentView, _args: Args, { scope }: GraphQLContext) => {
        if (!comment.seesRevisions || comment.deleted) return [];
        const rows = await commentRevisions(scope.services.pool, comment.id);
        return rows.map((row) => ({
          revision: row.revision,
          body: row.body,
          replacedAt: row.replaced_at.toISOString(),
        }));
      },
    },
  };
}

const engagement = (scope: RequestScope): EngagementDeps => scope.engagement;

const now = (scope: RequestScope) => scope.services.identity.clock?.() ?? new Date();

function requireModerator(caller: RequestContext) {
  if (!isModerator(caller.actor)) throw forbidden('MODERATORS_ONLY', 'Only moderators can do this');
}

async function commentView(scope: RequestScope, reader: Reader, id: string) {
  const row = (await findComments(scope.services.pool, reader, [id])).get(id);
  if (!row || !(await canSeeVideo(scope.services.pool, reader, row.video_id))) return null;
  return toComment(row, reader);
}

/** What `videoEngagement` answers: null for a video the reader cannot see. */
export async function engagementView(scope: RequestScope, reader: Reader, videoId: string) {
  if (!(await canSeeVideo(scope.services.pool, reader, videoId))) return null;
  const row = await videoEngagement(scope.services.pool, videoId, reader.userId);
  if (!row) return null;
  return {
    videoId,
    likeCount: row.likes,
    commentCount: row.comments,
    shareCount: row.shares,
    sharesByPlatform: row.by_platform,
    likedByMe: row.liked,
    commentsEnabled: !row.comments_off,
  };
}

/**
 * The link a share hands out: the video's page with the share id as the attribution token, on
 * the public site when one is configured, else as a path for the client to put on its own origin.
 */
function shareUrl(scope: RequestScope, videoId: string, shareId: string) {
  const path = `/videos/${videoId}?s=${shareId}`;
  const base = scope.engagement.publicBaseUrl;
  return base ? new URL(path, base).toString() : path;
}

function untouchedCase(targetKind: string, targetId: string, authorId: string) {
  return {
    targetKind,
    targetId,
    authorId,
    visibility: 'visible',
    openReports: 0,
    reasons: [],
    heldCategories: null,
    queuedAt: null,
    text: null,
    decision: null,
    decisionReason: null,
    decidedBy: null,
    decidedAt: null,
  };
}

function emptyConnection() {
  return {
    edges: [],
    nodes: [],
    pageInfo: { hasNextPage: false, hasPreviousPage: false, startCursor: null, endCursor: null },
  };
}
