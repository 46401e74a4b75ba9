import type { IResolvers } from 'mercurius';
import { z } from 'zod';
import { compareForYou, forYouScore, isAfter } from '../../domain/social/for-you-score.ts';
import { connection, pageOf } from '../pagination.ts';
import type { GraphQLContext } from '../request-scope.ts';
import { callerFor } from '../request-scope.ts';
import { toVideoPost } from '../videos/mappers.ts';
import { findVideoPosts, videoViewerOf } from '../videos/read-model-queries.ts';
import { forYouCursorOf, forYouCursorParts } from './for-you-cursor.ts';
import { forYouCandidates } from './for-you-queries.ts';

const forYouArgs = z.object({ page: z.unknown().optional() });

/**
 * `forYouFeed`: candidates and their signals in one statement, scored by the domain's pure
 * function (so the ranking the API explains is the one it applies), ordered by (total, id), then
 * the page's videos in a second statement. Public: an anonymous caller gets the newcomer's feed.
 */
export function forYouResolvers(): IResolvers {
  return {
    Query: {
      forYouFeed: async (_root: unknown, args: Record<string, unknown>, { scope }: GraphQLContext) => {
        const caller = await callerFor(scope, 'public');
        const viewer = videoViewerOf(caller.actor);
        const page = pageOf(forYouArgs.parse(args).page, 3);
        const now = scope.services.identity.clock?.() ?? new Date();
        const cursor = page.after ? forYouCursorOf(page.after, now) : null;
        const asOf = cursor?.asOf ?? now;
        const ranked = (await forYouCandidates(scope.services.pool, viewer.userId, asOf))
          .map((row) => ({
            id: row.post_id,
            ...forYouScore(
              {
                postedAt: row.created_at,
                velocity: row.velocity,
                followsCreator: row.follows_creator,
                friendsFollowingCreator: row.friends_following_creator,
                friendsWhoLiked: row.friends_who_liked,
              },
              asOf,
            ),
          }))
          .filter((entry) => cursor === null || isAfter(entry, cursor))
          .sort(compareForYou)
          .slice(0, page.first + 1);
        // The same visibility the rest of the API applies, checked again on the rows sent: a video
        // deleted or hidden between the two statements is left out rather than sent.
        const posts = await findVideoPosts(
          scope.services.pool,
          viewer,
          ranked.map((entry) => entry.id),
        );
        const shown = ranked.flatMap((entry) => {
          const post = posts.get(entry.id);
          return post ? [{ ...entry, post }] : [];
        });
        return connection(
          shown,
          page,
          undefined,
          (entry) => forYouCursorParts(asOf, entry.total, entry.id),
          (entry) => ({
            video: toVideoPost(entry.post),
            score: { total: entry.total, components: entry.components },
          }),
        );
      },
    },
  };
}
