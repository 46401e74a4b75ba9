import type { MercuriusLoaders } from 'mercurius';
import type { Actor } from '../../domain/shared/decider.ts';
import { connection, pageOf } from '../pagination.ts';
import { callerFor, type RequestScope } from '../request-scope.ts';
import { apiKeyCursor, toApiKey, toUser } from './mappers.ts';
import { findUsers, firstApiKeysOfOwners } from './read-model-queries.ts';

/**
 * Nested fields resolved in batches: however many users, keys or sessions a page holds, each
 * nested field costs one statement per request (Mercurius loaders), never one per row.
 */
export function identityLoaders(): MercuriusLoaders {
  return {
    User: {
      async apiKeys(queries: { obj: { id: string }; params: { first?: number | null } }[], context) {
        const { actor } = await callerFor(context.scope, 'read');
        // Aliases may ask for different sizes: fetch the largest once, cut each to its own.
        const pages = queries.map(({ params }) => pageOf({ first: params.first }, 2));
        const largest = { first: Math.max(...pages.map((p) => p.first)), after: undefined };
        const visible = queries.map(({ obj }) => canSeeKeysOf(actor, obj.id));
        const owners = queries.filter((_, i) => visible[i]).map(({ obj }) => obj.id);
        const byOwner =
          owners.length > 0
            ? await firstApiKeysOfOwners(context.scope.services.pool, owners, largest)
            : new Map();
        return queries.map(({ obj }, i) => {
          const page = pages[i];
          if (!visible[i] || !page) return null;
          const keys = byOwner.get(obj.id) ?? { rows: [], total: 0 };
          return connection(keys.rows.slice(0, page.first + 1), page, keys.total, apiKeyCursor, toApiKey);
        });
      },
    },
    ApiKey: {
      owner: (queries: { obj: { ownerId: string } }[], context) =>
        usersById(
          queries.map((q) => q.obj.ownerId),
          context,
        ),
    },
    Session: {
      user: (queries: { obj: { userId: string } }[], context) =>
        usersById(
          queries.map((q) => q.obj.userId),
          context,
        ),
    },
  };
}

async function usersById(ids: string[], context: { scope: RequestScope }) {
  const { actor } = await callerFor(context.scope, 'read');
  const rows = await findUsers(context.scope.services.pool, [...new Set(ids)]);
  return ids.map((id) => {
    const row = rows.get(id);
    return row ? toUser(row, actor) : null;
  });
}

function canSeeKeysOf(actor: Actor, userId: string): boolean {
  if (actor.kind === 'user') return actor.userId === userId || actor.role === 'admin';
  return actor.kind === 'integration' && actor.ownerId === userId;
}
