import type { FastifyBaseLogger } from 'fastify';
import type { IResolvers } from 'mercurius';
import { z } from 'zod';
import type { Actor } from '../../domain/shared/decider.ts';
import { forbidden, notFound, unauthenticated } from '../../domain/shared/domain-error.ts';
import { isModerator } from '../../domain/social/moderation-policy.ts';
import type { Change } from '../../projections/change-bus.ts';
import { callerFor, type GraphQLContext } from '../request-scope.ts';
import { watchReadModel } from '../subscriptions/read-model-watch.ts';
import { guardedSubscribe } from '../subscriptions/subscription-errors.ts';
import { videoViewerOf } from '../videos/read-model-queries.ts';
import { commentVideoChangesOf } from './comment-video-changes.ts';
import { type CommentView, toComment } from './engagement-mappers.ts';
import { canSeeVideo, newVideoComments, type Reader, videoOwnerOf } from './engagement-queries.ts';
import { engagementView } from './engagement-resolvers.ts';

const videoArgs = z.object({ videoId: z.uuid() });

/** New comments read per statement; a larger burst is read over several statements of one read. */
const COMMENT_BATCH = 100;
/** At most this many statements per read: a burst beyond it goes out on the next read. */
const MAX_BATCHES_PER_READ = 10;
/**
 * A comment's time is stamped by the API process that stored it, a moment before the projector
 * sees it: one stamped earlier can reach the read model after a later one. Comments this far
 * behind the newest one sent are still looked for (and those sent are remembered for as long).
 */
const LATE_MS = 30_000;

/**
 * `videoCommentAdded(videoId)` and `videoEngagementChanged(videoId)`, fed by the engagement read
 * model. Who may watch is who may see the video (not private unless theirs, not hidden, no block
 * either way): refused at the start as the engagement mutations refuse it, and checked again on
 * every read, so a block, the video turning private, hidden or deleted ends the subscription with
 * FORBIDDEN/ACCESS_REVOKED without waiting for the next comment or count.
 */
export function engagementSubscriptionResolvers(log: FastifyBaseLogger): IResolvers {
  return {
    Subscription: {
      videoCommentAdded: {
        subscribe: guardedSubscribe(log, (_root: unknown, args: unknown, context: GraphQLContext) =>
          videoCommentAdded(context, videoArgs.parse(args).videoId),
        ),
        resolve: (comment: unknown) => comment,
      },
      videoEngagementChanged: {
        subscribe: guardedSubscribe(log, (_root: unknown, args: unknown, context: GraphQLContext) =>
          videoEngagementChanged(context, videoArgs.parse(args).videoId),
        ),
        resolve: (engagement: unknown) => engagement,
      },
    },
  };
}

const readerFrom = (actor: Actor): Reader => ({
  userId: videoViewerOf(actor).userId,
  moderator: isModerator(actor),
});

const revoked = () => forbidden('ACCESS_REVOKED', 'You can no longer see this video');

/** The live connection and the video's owner, once the caller may see the video. */
async function openVideo(context: GraphQLContext, videoId: string) {
  const { live, scope } = context;
  if (!live) throw unauthenticated('SIGN_IN_REQUIRED', 'Subscriptions need an authenticated WebSocket');
  const reader = readerFrom((await callerFor(scope, 'read')).actor);
  const { pool } = scope.services;
  const ownerId = await videoOwnerOf(pool, videoId);
  if (ownerId === undefined || !(await canSeeVideo(pool, reader, videoId))) {
    throw notFound('VIDEO_POST_NOT_FOUND', 'No such video');
  }
  return { live, ownerId };
}

/**
 * A change to who may see the video: the post itself (made private, deleted), a moderator hiding
 * it, a block between its owner and the caller. `callerId` is read when the change arrives.
 */
function accessConcerns(change: Change, videoId: string, ownerId: string, callerId: () => string | null) {
  const about = (test: (key: Record<string, unknown>) => boolean) =>
    change.truncated || change.keys.some(({ key }) => test(key));
  switch (change.projection) {
    case 'video_posts':
      return about((key) => key.post_id === videoId);
    case 'social_moderation':
      return about((key) => key.target_kind === 'video' && key.target_id === videoId);
    case 'social_graph': {
      const me = callerId();
      return (
        me !== null &&
        (change.truncated ||
          change.keys.some(
            ({ table, key }) =>
              table === 'social_blocks' &&
              ((key.blocker_id === ownerId && key.blocked_id === me) ||
                (key.blocker_id === me && key.blocked_id === ownerId)),
          ))
      );
    }
    default:
      return false;
  }
}

/** Whether a change of the engagement read model wrote one of this video's own rows (its keys name the video). */
function videoRowsConcerned(change: Change, videoId: string) {
  if (change.projection !== 'social_engagement') return false;
  return (
    change.truncated ||
    change.keys.some(
      ({ table, key }) =>
        key.video_id === videoId ||
        (table === 'social_counts' && key.target_kind === 'video' && key.target_id === videoId),
    )
  );
}

/**
 * Each new comment or reply on the video the caller may see, once, in the order they were posted.
 * Held and hidden comments go to nobody but their author and moderators; a comment deleted before
 * it was read is not sent. Comments already there when the subscription started are not sent.
 */
async function videoCommentAdded(context: GraphQLContext, videoId: string) {
  const { live, ownerId } = await openVideo(context, videoId);
  const { scope } = context;
  const { pool } = scope.services;
  const horizon = (scope.services.identity.clock?.() ?? new Date()).getTime();
  let latest = horizon;
  /** Comments sent (or there at the start) that a late-arriving neighbour's read could find again. */
  const sent = new Map<string, number>();
  let primed = false;
  return watchReadModel<CommentView>(context, live, {
    // A comment posted always adds to the video's activity row, which is keyed by the video.
    concerns: (change) =>
      videoRowsConcerned(change, videoId) ||
      accessConcerns(change, videoId, ownerId, () => videoViewerOf(live.authenticated.actor).userId),
    async read(actor) {
      const reader = readerFrom(actor);
      if (!(await canSeeVideo(pool, reader, videoId))) throw revoked();
      const found: CommentView[] = [];
      for (let batch = 0; batch < MAX_BATCHES_PER_READ; batch++) {
        const from = latest - LATE_MS;
        for (const [id, at] of sent) if (at < from) sent.delete(id);
        const rows = await newVideoComments(
          pool,
          reader,
          videoId,
          new Date(from).toISOString(),
          [...sent.keys()],
          COMMENT_BATCH,
        );
        for (const row of rows) {
          const at = row.created_at.getTime();
          sent.set(row.comment_id, at);
          // What was there before the subscription started is remembered, never sent.
          if (!primed && at <= horizon) continue;
          latest = Math.max(latest, at);
          found.push(toComment(row, reader));
        }
        if (rows.length < COMMENT_BATCH) break;
      }
      primed = true;
      return found;
    },
  });
}

/**
 * The video's counts as `videoEngagement` answers them, now and after each change. Changes that
 * arrive close together are coalesced (a slow client or a burst of likes gets the latest counts,
 * not every step), and counts that did not change are not sent again.
 */
async function videoEngagementChanged(context: GraphQLContext, videoId: string) {
  const { live, ownerId } = await openVideo(context, videoId);
  const { scope } = context;
  let last = '';
  return watchReadModel(context, live, {
    concerns: (change) =>
      videoRowsConcerned(change, videoId) ||
      accessConcerns(change, videoId, ownerId, () => videoViewerOf(live.authenticated.actor).userId),
    // A comment deleted, hidden or restored changes the comment count; its rows name no video.
    wake: (refresh) =>
      commentVideoChangesOf(scope.services.pool, scope.services.bus, context.app.log).watch(videoId, refresh),
    async read(actor) {
      const view = await engagementView(scope, readerFrom(actor), videoId);
      if (!view) throw revoked();
      const serialized = JSON.stringify(view);
      if (serialized === last) return [];
      last = serialized;
      return [view];
    },
  });
}
