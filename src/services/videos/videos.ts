import { loadAggregate } from '../../commands/load-aggregate.ts';
import { mediaAggregate } from '../../domain/media/media-decider.ts';
import { mediaStream } from '../../domain/media/streams.ts';
import { videoPostStream } from '../../domain/videos/streams.ts';
import type { VideoAssetFacts, VideoPostCommand } from '../../domain/videos/video-commands.ts';
import { videoPostAggregate } from '../../domain/videos/video-post-decider.ts';
import {
  commandIdFor,
  envelope,
  execute,
  nowFrom,
  type RequestContext,
  type ServiceDeps,
} from '../shared/command-context.ts';
import { createVideoPostInput, updateVideoPostInput, videoPostIdInput } from './inputs.ts';

/** What the video post use cases need: the command pipeline, its `settle` waiting for `video_posts`. */
export type VideoDeps = ServiceDeps;

/**
 * Video post use cases. A video post decider sees only its own stream, so creating one first reads
 * the media asset's stream (the write side's truth, not a read model that may lag) and hands the
 * facts in with the command.
 */
export async function createVideoPost(deps: VideoDeps, context: RequestContext, raw: unknown) {
  const parsed = createVideoPostInput.parse(raw);
  const { input } = parsed;
  const commandId = commandIdFor(context, 'createVideoPost', parsed);
  // The post id derives from the command id, so a retried creation finds what it made.
  const postId = commandId;
  await issue(deps, context, postId, commandId, {
    type: 'CreateVideoPost',
    postId,
    assetId: input.assetId,
    asset: await assetFacts(deps, input.assetId),
    title: input.title,
    ...(input.description != null ? { description: input.description } : {}),
    ...(input.tags != null ? { tags: input.tags } : {}),
    ...(input.visibility != null ? { visibility: input.visibility } : {}),
  });
  return postId;
}

export async function updateVideoPost(deps: VideoDeps, context: RequestContext, raw: unknown) {
  const parsed = updateVideoPostInput.parse(raw);
  const { id, input } = parsed;
  const commandId = commandIdFor(context, `updateVideoPost:${id}`, parsed);
  await issue(deps, context, id, commandId, {
    type: 'UpdateVideoPost',
    ...(input.title != null ? { title: input.title } : {}),
    ...(input.description != null ? { description: input.description } : {}),
    ...(input.tags != null ? { tags: input.tags } : {}),
    ...(input.visibility != null ? { visibility: input.visibility } : {}),
  });
  return id;
}

export async function deleteVideoPost(deps: VideoDeps, context: RequestContext, raw: unknown) {
  const parsed = videoPostIdInput.parse(raw);
  const { id } = parsed;
  const commandId = commandIdFor(context, `deleteVideoPost:${id}`, parsed);
  await issue(deps, context, id, commandId, { type: 'DeleteVideoPost' });
  return id;
}

async function issue(
  deps: VideoDeps,
  context: RequestContext,
  postId: string,
  commandId: string,
  command: VideoPostCommand,
) {
  return execute(
    deps,
    videoPostAggregate,
    videoPostStream(postId),
    envelope(context, commandId, nowFrom(deps), command),
  );
}

/** The asset as its own stream tells it; null when there is no such asset. */
async function assetFacts(deps: VideoDeps, assetId: string): Promise<VideoAssetFacts | null> {
  const { state } = await loadAggregate(deps, mediaAggregate, mediaStream(assetId));
  if (state.status === 'none') return null;
  return { assetId: state.assetId, ownerId: state.ownerId, kind: state.kind, status: state.status };
}
