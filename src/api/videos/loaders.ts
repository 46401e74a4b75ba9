import type { MercuriusLoaders } from 'mercurius';
import { toUser } from '../identity/mappers.ts';
import { findUsers } from '../identity/read-model-queries.ts';
import { callerFor } from '../request-scope.ts';

/** Nested fields resolved in batches: a page of posts costs one statement per field. */
export function videoLoaders(): MercuriusLoaders {
  return {
    VideoPost: {
      /** Users are for signed-in callers (as `user(id)` is): anonymous ones get null. */
      async owner(queries: { obj: { ownerId: string } }[], context) {
        const { actor } = await callerFor(context.scope, 'public');
        if (actor.kind === 'anonymous') return queries.map(() => null);
        const rows = await findUsers(context.scope.services.pool, [
          ...new Set(queries.map((q) => q.obj.ownerId)),
        ]);
        return queries.map(({ obj }) => {
          const row = rows.get(obj.ownerId);
          return row ? toUser(row, actor) : null;
        });
      },
    },
  };
}
