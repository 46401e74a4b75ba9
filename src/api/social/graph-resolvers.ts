import type { IResolvers } from 'mercurius';
import { z } from 'zod';
import { notFound, validation } from '../../domain/shared/domain-error.ts';
import type { RequestContext } from '../../services/shared/command-context.ts';
import { isBlockedBetween } from '../../services/social/blocks.ts';
import {
  blockUser,
  followUser,
  type SocialGraphDeps,
  unblockUser,
  unfollowUser,
} from '../../services/social/follows.ts';
import { removeAvatar, setAvatar, setUsername } from '../../services/social/profiles.ts';
import { connection } from '../pagination.ts';
import { callerFor, type GraphQLContext, type RequestScope } from '../request-scope.ts';
import { toVideoPost, videoPostCursor } from '../videos/mappers.ts';
import { playbackOf } from '../videos/playback.ts';
import { videoViewerOf } from '../videos/read-model-queries.ts';
import { type SocialProfileView, toSocialProfile } from './graph-mappers.ts';
import {
  type EdgeRow,
  edgeCursor,
  findProfileByUsername,
  findProfiles,
  homeFeed,
  listBlocked,
  listCreatorVideos,
  listFollowEdges,
} from './graph-queries.ts';

type Args = Record<string, unknown>;
type Resolver = (root: unknown, args: Args, context: GraphQLContext) => Promise<unknown>;
type GraphUseCase = (deps: SocialGraphDeps, context: RequestContext, raw: unknown) => Promise<string>;

const profileArgs = z.object({ id: z.uuid().nullish(), username: z.string().max(200).nullish() });

const avatarSize = z.enum(['SMALL', 'LARGE']);

/** The image pipeline's square crops (src/media/images.ts) behind each `AvatarSize`. */
const AVATAR_SQUARES: Record<z.infer<typeof avatarSize>, string> = {
  SMALL: 'square-64-webp',
  LARGE: 'square-256-webp',
};

/** Profiles are public; the relations, the feed and every change are for a signed-in person. */
export function socialGraphResolvers(): IResolvers {
  const query: Record<string, Resolver> = {
    homeFeed: async (_root, args, { scope }) => {
      const caller = await callerFor(scope, 'read');
      const viewerId = personOf(caller);
      const { rows, page } = await homeFeed(scope.services.pool, viewerId, args.page);
      const { totalCount: _, ...feed } = connection(rows, page, 0, videoPostCursor, toVideoPost);
      return feed;
    },
    blockedUsers: async (_root, args, { scope }) => {
      const caller = await callerFor(scope, 'read');
      const { rows, page, total } = await listBlocked(scope.services.pool, personOf(caller), args.page);
      return profileConnection(scope, rows, page, total);
    },
    profile: async (_root, args, { scope }) => {
      const { id, username } = profileArgs.parse(args);
      if ((id == null) === (username == null)) {
        throw validation('PROFILE_KEY', 'Give exactly one of id and username');
      }
      const row =
        id != null
          ? (await findProfiles(scope.services.pool, [id])).get(id)
          : await findProfileByUsername(scope.services.pool, username ?? '');
      return row ? toSocialProfile(row) : null;
    },
  };

  /** Every mutation answers with the profile it concerns, as it is after the change. */
  const mutate =
    (useCase: GraphUseCase): Resolver =>
    async (_root, args, { scope }) => {
      const caller = await callerFor(scope, 'write');
      const userId = await useCase(scope.socialGraph, caller, args);
      const row = (await findProfiles(scope.services.pool, [userId])).get(userId);
      if (!row) throw notFound('USER_NOT_FOUND', 'No such user');
      return toSocialProfile(row);
    };

  const edges =
    (direction: 'followers' | 'following') =>
    async (profile: SocialProfileView, args: Args, { scope }: GraphQLContext) => {
      const caller = await callerFor(scope, 'public');
      const viewerId = videoViewerOf(caller.actor).userId;
      const { rows, page, total } = await listFollowEdges(scope.services.pool, direction, viewerId, {
        userId: profile.id,
        page: args.page,
      });
      return profileConnection(scope, rows, page, total);
    };

  return {
    Query: query,
    Mutation: {
      followUser: mutate(followUser),
      unfollowUser: mutate(unfollowUser),
      blockUser: mutate(blockUser),
      unblockUser: mutate(unblockUser),
      setUsername: mutate(setUsername),
      setAvatar: mutate(setAvatar),
      removeAvatar: mutate(removeAvatar),
    },
    SocialProfile: {
      avatar: async (profile: SocialProfileView, _args: Args, { scope }: GraphQLContext) =>
        profile.avatarAssetId ? (await playbackOf(scope, profile.avatarAssetId)).renditions : [],
      avatarSquare: async (profile: SocialProfileView, args: Args, { scope }: GraphQLContext) => {
        if (!profile.avatarAssetId) return null;
        const name = AVATAR_SQUARES[avatarSize.parse(args.size ?? 'LARGE')];
        const { renditions } = await playbackOf(scope, profile.avatarAssetId);
        return renditions.find((rendition) => rendition.name === name) ?? null;
      },
      followers: edges('followers'),
      following: edges('following'),
      videos: async (profile: SocialProfileView, args: Args, { scope }: GraphQLContext) => {
        const caller = await callerFor(scope, 'public');
        const viewerId = videoViewerOf(caller.actor).userId;
        if (viewerId !== null && (await isBlockedBetween(scope.services.pool, viewerId, profile.id))) {
          return connection([], { first: 0, after: undefined }, 0, videoPostCursor, toVideoPost);
        }
        const { rows, page, total } = await listCreatorVideos(scope.services.pool, profile.id, args.page);
        return connection(rows, page, total, videoPostCursor, toVideoPost);
      },
    },
  };
}

/** The person the caller acts as: the user, or the owner of the API key. */
function personOf(caller: RequestContext): string {
  const { userId } = videoViewerOf(caller.actor);
  if (userId === null) throw validation('PEOPLE_ONLY', 'Only a person has a social graph');
  return userId;
}

async function profileConnection(
  scope: RequestScope,
  rows: readonly EdgeRow[],
  page: Parameters<typeof connection>[1],
  total: number,
) {
  const profiles = await findProfiles(
    scope.services.pool,
    rows.map((row) => row.user_id),
  );
  // A user row always exists for an edge (users are never deleted, only forgotten).
  const present = rows.filter((row) => profiles.has(row.user_id));
  return connection(present, page, total, edgeCursor, (row) => {
    const profile = profiles.get(row.user_id);
    if (!profile) throw new Error(`profile ${row.user_id} vanished between two reads`);
    return toSocialProfile(profile);
  });
}
