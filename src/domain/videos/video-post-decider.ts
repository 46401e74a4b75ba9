import { deepEqual, validOr } from '../brands/validate.ts';
import type { Decider, DecisionContext } from '../shared/decider.ts';
import { conflict, forbidden, notFound, validation } from '../shared/domain-error.ts';
import type { VideoAssetFacts, VideoPostCommand } from './video-commands.ts';
import { type VideoPostChanges, type VideoPostEvent, videoPostEventCatalogue } from './video-events.ts';
import { posterOf, requireDeleter, requireOwnerOrAdmin } from './video-post-policy.ts';
import {
  evolveVideoPost,
  initialVideoPostState,
  type VideoPost,
  type VideoPostState,
} from './video-state.ts';
import {
  MAX_TAG_LENGTH,
  MAX_TAGS,
  normaliseTag,
  type VideoVisibility,
  videoDescription,
  videoTitle,
  videoVisibility,
} from './video-values.ts';

type CommandOf<Type extends VideoPostCommand['type']> = Extract<VideoPostCommand, { type: Type }>;

export const videoPostDecider: Decider<VideoPostCommand, VideoPostEvent, VideoPostState> = {
  initialState: initialVideoPostState,
  evolve: evolveVideoPost,
  decide(command, state, context) {
    if (command.type === 'CreateVideoPost') return createVideoPost(command, state, context);
    if (state.status === 'none') throw notFound('VIDEO_POST_NOT_FOUND', 'No such video post');
    switch (command.type) {
      case 'UpdateVideoPost':
        return updateVideoPost(command, state, context);
      case 'DeleteVideoPost':
        return deleteVideoPost(state, context);
      default: {
        const unknown: never = command;
        throw new Error(`Unknown video post command ${JSON.stringify(unknown)}`);
      }
    }
  },
};

/** The video post aggregate as the command pipeline takes it (an `AggregateSpec`). */
export const videoPostAggregate = { decider: videoPostDecider, catalogue: videoPostEventCatalogue };

function createVideoPost(
  command: CommandOf<'CreateVideoPost'>,
  state: VideoPostState,
  { actor }: DecisionContext,
): VideoPostEvent[] {
  if (state.status !== 'none') throw conflict('VIDEO_POST_EXISTS', 'This video post already exists');
  const ownerId = posterOf(actor);
  requirePostableAsset(command.assetId, command.asset, ownerId);
  return [
    {
      type: 'VideoPostCreated',
      data: {
        postId: command.postId,
        ownerId,
        assetId: command.assetId,
        title: validTitle(command.title),
        description: validDescription(command.description ?? ''),
        tags: validTags(command.tags ?? []),
        visibility: validVisibility(command.visibility ?? 'public'),
      },
    },
  ];
}

/** Only the parts that differ are recorded; an edit that changes nothing decides nothing. */
function updateVideoPost(
  command: CommandOf<'UpdateVideoPost'>,
  post: VideoPost,
  { actor }: DecisionContext,
): VideoPostEvent[] {
  requireOwnerOrAdmin(post, actor, 'edit it');
  requireActive(post);
  const changes: VideoPostChanges = {};
  if (command.title !== undefined) {
    const title = validTitle(command.title);
    if (title !== post.title) changes.title = title;
  }
  if (command.description !== undefined) {
    const description = validDescription(command.description);
    if (description !== post.description) changes.description = description;
  }
  if (command.tags !== undefined) {
    const tags = validTags(command.tags);
    if (!deepEqual(tags, post.tags)) changes.tags = tags;
  }
  if (command.visibility !== undefined) {
    const visibility = validVisibility(command.visibility);
    if (visibility !== post.visibility) changes.visibility = visibility;
  }
  if (Object.keys(changes).length === 0) return [];
  return [{ type: 'VideoPostUpdated', data: { postId: post.postId, changes } }];
}

/** Deleting a deleted post again decides nothing: the first delete already did it. */
function deleteVideoPost(post: VideoPost, { actor }: DecisionContext): VideoPostEvent[] {
  const deletedBy = requireDeleter(post, actor);
  if (post.status === 'deleted') return [];
  return [{ type: 'VideoPostDeleted', data: { postId: post.postId, deletedBy } }];
}

function requireActive(post: VideoPost): void {
  if (post.status === 'deleted') throw notFound('VIDEO_POST_DELETED', 'This video post was deleted');
}

/**
 * A post shows an asset its poster owns, that is a video, and that finished processing. Checked
 * in this order so the answer never tells a stranger more than that the asset is not theirs.
 */
function requirePostableAsset(assetId: string, asset: VideoAssetFacts | null, ownerId: string): void {
  if (asset === null || asset.assetId !== assetId) throw notFound('MEDIA_NOT_FOUND', 'No such media asset');
  if (asset.ownerId !== ownerId) {
    throw forbidden('NOT_ASSET_OWNER', 'Only the owner of a video can post it');
  }
  if (asset.status === 'deleted') throw notFound('MEDIA_DELETED', 'This media asset was deleted');
  if (asset.kind !== 'video') {
    throw validation('NOT_A_VIDEO', `A video post needs a video, not ${article(asset.kind)}`, {
      kind: asset.kind,
    });
  }
  if (asset.status !== 'ready') {
    throw conflict('MEDIA_NOT_READY', 'The video has not finished processing', { status: asset.status });
  }
}

const article = (kind: string) => (/^[aeiou]/.test(kind) ? `an ${kind}` : `a ${kind}`);

const validTitle = (value: unknown) => validOr(videoTitle, value, 'INVALID_TITLE', 'title');
const validDescription = (value: unknown) =>
  validOr(videoDescription, value, 'INVALID_DESCRIPTION', 'description');
const validVisibility = (value: unknown): VideoVisibility =>
  validOr(videoVisibility, value, 'INVALID_VISIBILITY', 'visibility');

/** Tags normalised, duplicates dropped (first spelling kept), then held to the limits. */
function validTags(raw: readonly string[]): string[] {
  const tags = [...new Set(raw.map(normaliseTag))];
  if (tags.some((tag) => tag.length === 0)) throw validation('INVALID_TAG', 'A tag may not be empty');
  const tooLong = tags.find((tag) => tag.length > MAX_TAG_LENGTH);
  if (tooLong !== undefined) {
    throw validation('TAG_TOO_LONG', `A tag is at most ${MAX_TAG_LENGTH} characters`, { tag: tooLong });
  }
  if (tags.length > MAX_TAGS) {
    throw validation('TOO_MANY_TAGS', `At most ${MAX_TAGS} tags`, { count: tags.length });
  }
  return tags;
}
