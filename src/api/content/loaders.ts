import type { MercuriusLoaders } from 'mercurius';
import { toBrand } from '../brands/mappers.ts';
import { brandViewerOf, findBrands } from '../brands/read-model-queries.ts';
import { toUser } from '../identity/mappers.ts';
import { findUsers } from '../identity/read-model-queries.ts';
import { callerFor } from '../request-scope.ts';

/** Nested fields resolved in batches: a page of contents or members costs one statement per field. */
export function contentLoaders(): MercuriusLoaders {
  return {
    Content: {
      async brand(queries: { obj: { brandId: string } }[], context) {
        const { actor } = await callerFor(context.scope, 'read');
        const viewer = brandViewerOf(actor);
        const ids = [...new Set(queries.map((q) => q.obj.brandId))];
        const rows = await findBrands(context.scope.services.pool, viewer, ids);
        return queries.map(({ obj }) => {
          const row = rows.get(obj.brandId);
          return row ? toBrand(row, viewer.admin, context.scope.publishing.authSecret) : null;
        });
      },
    },
    BrandMember: {
      async user(queries: { obj: { userId: string } }[], context) {
        const { actor } = await callerFor(context.scope, 'read');
        const rows = await findUsers(context.scope.services.pool, [
          ...new Set(queries.map((q) => q.obj.userId)),
        ]);
        return queries.map(({ obj }) => {
          const row = rows.get(obj.userId);
          return row ? toUser(row, actor) : null;
        });
      },
    },
  };
}
