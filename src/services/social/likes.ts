import { z } from 'zod';
import { uuidv5 } from '../../commands/event-ids.ts';
import type { LikeCommand } from '../../domain/social/like-commands.ts';
import { likeAggregate } from '../../domain/social/like-decider.ts';
import { LIKED_KINDS } from '../../domain/social/like-events.ts';
import { reporterOf } from '../../domain/social/moderation-policy.ts';
import { commandIdFor, envelope, execute, nowFrom, type RequestContext } from '../shared/command-context.ts';
import { isBlockedBetween } from './blocks.ts';
import type { EngagementDeps } from './comments-deps.ts';
import { isHidden, moderatedContent } from './moderation-content.ts';

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
 * list; content hidden by moderators is not there to like either.
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
    command = {
      type: 'Like',
      content:
        content === null
          ? null
          : { ...content, deleted: content.deleted || hidden, blockedWithAuthor: blocked },
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
