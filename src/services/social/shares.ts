import { z } from 'zod';
import { reporterOf } from '../../domain/social/moderation-policy.ts';
import { shareAggregate } from '../../domain/social/share-decider.ts';
import { SHARE_PLATFORMS, shareStream } from '../../domain/social/share-events.ts';
import { commandIdFor, envelope, execute, nowFrom, type RequestContext } from '../shared/command-context.ts';
import { isBlockedBetween } from './blocks.ts';
import type { EngagementDeps } from './comments-deps.ts';
import { isHidden, videoFacts } from './moderation-content.ts';

export const shareInput = z.object({
  videoId: z.uuid(),
  platform: z.enum(SHARE_PLATFORMS),
  idempotencyKey: z.string().min(8).max(128).nullish(),
});

/**
 * Records a share and answers with its id, which the share URL carries (`?s=<share id>`) so that
 * whoever arrives through the link is attributed to this share. Private, hidden and deleted
 * videos, and videos of someone blocked either way, have no link to share.
 */
export async function shareVideo(deps: EngagementDeps, context: RequestContext, raw: unknown) {
  const parsed = shareInput.parse(raw);
  const { videoId, platform } = parsed;
  const sharerId = reporterOf(context.actor);
  const commandId = commandIdFor(context, `shareVideo:${videoId}`, parsed);
  const shareId = commandId;
  const video = await videoFacts(deps, videoId);
  const shareable =
    video !== null &&
    video.visibility !== 'private' &&
    !(await isHidden(deps.pool, 'video', videoId)) &&
    !(await isBlockedBetween(deps.pool, sharerId, video.ownerId));
  await execute(
    deps,
    shareAggregate,
    shareStream(shareId),
    envelope(context, commandId, nowFrom(deps), {
      type: 'ShareVideo',
      shareId,
      platform,
      video: video && { videoId, deleted: video.status === 'deleted', shareable },
    }),
  );
  return { shareId, videoId, platform };
}
