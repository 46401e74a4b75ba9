import type { MercuriusLoaders } from 'mercurius';
import { callerFor } from '../request-scope.ts';
import type { CommentView } from './engagement-mappers.ts';
import { likesOf } from './engagement-queries.ts';
import { toSocialProfile } from './graph-mappers.ts';
import { findProfiles } from './graph-queries.ts';

type Queries = { obj: CommentView }[];

/** A page of comments costs one statement per nested field, not one per comment. */
export function engagementLoaders(): MercuriusLoaders {
  return {
    Comment: {
      /** Every author has an account row; one that is missing shows as forgotten, as erasure leaves it. */
      async author(queries: Queries, context) {
        const ids = [...new Set(queries.map((q) => q.obj.authorId))];
        const rows = await findProfiles(context.scope.services.pool, ids);
        return queries.map(({ obj }) => {
          const row = rows.get(obj.authorId);
          return row
            ? toSocialProfile(row)
            : {
                id: obj.authorId,
                username: null,
                displayName: null,
                bio: null,
                avatarAssetId: null,
                forgotten: true,
              };
        });
      },
      async likedByMe(queries: Queries, context) {
        const { actor } = await callerFor(context.scope, 'public');
        const userId =
          actor.kind === 'user' ? actor.userId : actor.kind === 'integration' ? actor.ownerId : null;
        if (userId === null) return queries.map(() => false);
        const ids = [...new Set(queries.map((q) => q.obj.id))];
        const likes = await likesOf(context.scope.services.pool, 'comment', ids, userId);
        return queries.map(({ obj }) => likes.get(obj.id)?.liked ?? false);
      },
    },
  };
}
