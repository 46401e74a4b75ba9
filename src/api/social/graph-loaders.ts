import type { MercuriusContext, MercuriusLoaders } from 'mercurius';
import { callerFor } from '../request-scope.ts';
import { videoViewerOf } from '../videos/read-model-queries.ts';
import type { SocialProfileView } from './graph-mappers.ts';
import { type ProfileCounts, profileCounts, type Relation, relationsTo } from './graph-queries.ts';

type Queries = { obj: SocialProfileView }[];

const NO_RELATION: Relation = {
  followsYou: false,
  followedByYou: false,
  blockedByYou: false,
  blocksYou: false,
};
const NO_COUNTS: ProfileCounts = { followers: 0, following: 0, videos: 0 };

/**
 * A page of profiles costs one statement for all their counts and one for how they stand to the
 * caller, whichever of those fields the query asks for.
 */
export function socialGraphLoaders(): MercuriusLoaders {
  const counts = (part: keyof ProfileCounts) => async (queries: Queries, context: MercuriusContext) => {
    const ids = [...new Set(queries.map((q) => q.obj.id))];
    const found = await profileCounts(context.scope.services.pool, ids);
    return queries.map(({ obj }) => (found.get(obj.id) ?? NO_COUNTS)[part]);
  };
  const relation = (part: keyof Relation) => async (queries: Queries, context: MercuriusContext) => {
    const { actor } = await callerFor(context.scope, 'public');
    const viewerId = videoViewerOf(actor).userId;
    if (viewerId === null) return queries.map(() => false);
    const ids = [...new Set(queries.map((q) => q.obj.id))];
    const found = await relationsTo(context.scope.services.pool, viewerId, ids);
    return queries.map(({ obj }) => (found.get(obj.id) ?? NO_RELATION)[part]);
  };
  return {
    SocialProfile: {
      followerCount: counts('followers'),
      followingCount: counts('following'),
      videoCount: counts('videos'),
      followsYou: relation('followsYou'),
      followedByYou: relation('followedByYou'),
      blockedByYou: relation('blockedByYou'),
      blocksYou: relation('blocksYou'),
    },
  };
}
