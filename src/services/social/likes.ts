import { z } from 'zod';
import { uuidv5 } from '../../commands/event-ids.ts';
import type { LikeCommand } from '../../domain/social/like-commands.ts';
import { likeAggregate } from '../../domain/social/like-decider.ts';
import { LIKED_KINDS } from '../../domain/social/like-events.ts';
import { reporterOf } from '../../domain/social/moderation-policy.ts';
import { commandIdFor, envelope, execute, nowFrom, type RequestContext } from '../shared/command-context.ts';
import { isBlockedBetween } from './blocks.ts';
import type { EngagementDeps } from './comments-deps.ts';
import { commentFacts, isHidden, moderatedContent } from './moderation-content.ts';

/** Names the like streams: one per person and piece of content, the same on every process. */
const LIKE_NAMESPACE = '0d6f3c1e-8a0b-4c6e-9f2d-5b7a1c3e9d40';
export const likeStream = (userId: string, targetId: string) =>
  `like-${uuidv5(`${userId}:${targetId}`, LIKE_NAMESPACE)}`;

export const likeInput = z.object({
  targetKind: z.enum(LIKED_KINDS),
  targetId: z.uuid(),
  idempotencyKey: z.string().min(8).max(128).nullish(),
});

/**
 * Like or unlike a video or comment: idempotent (liking twice is one like). Liking first reads the
 * content's own stream (deleted content cannot be liked even a moment after it went) and the block
 * list; content hidden by moderators is not there to like either, nor is a comment on a video the
 * liker cannot see (holding its id is not seeing it).
 */
export async function setLike(deps: EngagementDeps, context: RequestContext, raw: unknown, liked: boolean) {
  const parsed = likeInput.parse(raw);
  const { targetKind, targetId } = parsed;
  const userId = reporterOf(context.actor);
  const commandId = commandIdFor(context, `${liked ? 'like' : 'unlike'}:${targetKind}:${targetId}`, parsed);
  let command: LikeCommand = { type: 'Unlike' };
  if (liked) {
    const content = await moderatedContent(deps, targetKind, targetId, userId);
    const blocked = content !== null && (await isBlockedBetween(deps.pool, userId, content.authorId));
    const hidden = content !== null && (await isHidden(deps.pool, targetKind, targetId));
    const videoUnseen =
      targetKind === 'comment' && content !== null && (await commentVideoUnseen(deps, targetId, userId));
    command = {
      type: 'Like',
      content:
        content === null
          ? null
          : {
              ...content,
              kind: targetKind,
              deleted: content.deleted || hidden,
              blockedWithAuthor: blocked,
              videoUnseen,
            },
    };
  }
  await execute(
    deps,
    likeAggregate,
    likeStream(userId, targetId),
    envelope(context, commandId, nowFrom(deps), command),
  );
  return { targetKind, targetId };
}

/**
 * Whether the liker cannot see the video a comment is on: gone, private to someone else, hidden by
 * moderators, or its owner and the liker blocked one another.
 */
async function commentVideoUnseen(deps: EngagementDeps, commentId: string, likerId: string) {
  const comment = await commentFacts(deps, commentId);
  if (comment === null) return true;
  const video = await moderatedContent(deps, 'video', comment.videoId, likerId);
  return (
    video === null ||
    video.deleted ||
    (await isHidden(deps.pool, 'video', comment.videoId)) ||
    (await isBlockedBetween(deps.pool, likerId, video.authorId))
  );
}
