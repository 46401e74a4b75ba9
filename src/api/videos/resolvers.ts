import type { IResolvers } from 'mercurius';
import { z } from 'zod';
import { notFound } from '../../domain/shared/domain-error.ts';
import type { RequestContext } from '../../services/shared/command-context.ts';
import {
  createVideoPost,
  deleteVideoPost,
  updateVideoPost,
  type VideoDeps,
} from '../../services/videos/videos.ts';
import { connection } from '../pagination.ts';
import { callerFor, type GraphQLContext, type RequestScope } from '../request-scope.ts';
import {
  toSearchConnection,
  toVideoPost,
  type VideoPostView,
  videoPostCursor,
  videoSearchCursor,
} from './mappers.ts';
import { type PlayableRendition, type Playback, playbackOf } from './playback.ts';
import { findVideoPost, listUserVideos, searchVideoPosts, videoViewerOf } from './read-model-queries.ts';

type Args = Record<string, unknown>;
type Resolver = (root: unknown, args: Args, context: GraphQLContext) => Promise<unknown>;
type VideoUseCase = (deps: VideoDeps, context: RequestContext, raw: unknown) => Promise<string>;

const postIdArgs = z.object({ id: z.uuid() });

/** Reads are public: anonymous callers see what is public or unlisted. */
export function videoResolvers(): IResolvers {
  const query: Record<string, Resolver> = {
    videoPost: async (_root, args, { scope }) => {
      const caller = await callerFor(scope, 'public');
      return videoPostView(scope, caller, postIdArgs.parse(args).id);
    },
    videos: async (_root, args, { scope }) => {
      const caller = await callerFor(scope, 'public');
      const { rows, page, total } = await listUserVideos(
        scope.services.pool,
        videoViewerOf(caller.actor),
        args,
      );
      return connection(rows, page, total, videoPostCursor, toVideoPost);
    },
    searchVideos: async (_root, args, { scope }) => {
      const caller = await callerFor(scope, 'public');
      const { rows, page, total } = await searchVideoPosts(
        scope.services.pool,
        videoViewerOf(caller.actor),
        args,
      );
      return toSearchConnection(connection(rows, page, total, videoSearchCursor, (row) => row));
    },
  };

  /** Every mutation but delete answers with the post as it is after the change. */
  const mutate =
    (useCase: VideoUseCase): Resolver =>
    async (_root, args, { scope }) => {
      const caller = await callerFor(scope, 'write');
      const postId = await useCase(scope.videos, caller, args);
      const post = await videoPostView(scope, caller, postId);
      if (!post) throw notFound('VIDEO_POST_NOT_FOUND', 'No such video post');
      return post;
    };

  /** What the post plays comes from its media asset, looked up once for every post on the page. */
  const playback =
    (part: keyof Playback) =>
    async (post: VideoPostView, _args: Args, { scope }: GraphQLContext) =>
      (await playbackOf(scope, post.assetId))[part];

  return {
    Query: query,
    Mutation: {
      createVideoPost: mutate(createVideoPost),
      updateVideoPost: mutate(updateVideoPost),
      deleteVideoPost: async (_root, args, { scope }) => {
        const caller = await callerFor(scope, 'write');
        return deleteVideoPost(scope.videos, caller, args);
      },
    },
    // Signed when asked for (see PlayableRendition).
    VideoRendition: { url: (rendition: PlayableRendition) => rendition.url() },
    VideoPost: {
      durationSeconds: playback('durationSeconds'),
      renditions: playback('renditions'),
      hlsMaster: playback('hlsMaster'),
      poster: playback('poster'),
    },
  };
}

async function videoPostView(scope: RequestScope, caller: RequestContext, postId: string) {
  const row = await findVideoPost(scope.services.pool, videoViewerOf(caller.actor), postId);
  return row ? toVideoPost(row) : null;
}
