import type { IResolvers } from 'mercurius';
import { forbidden } from '../../domain/shared/domain-error.ts';
import { projectionStatuses } from '../../projections/status.ts';
import { callerFor, type GraphQLContext } from '../request-scope.ts';

export function operationsResolvers(): IResolvers {
  return {
    Query: {
      projections: async (_root: unknown, _args: unknown, { scope }: GraphQLContext) => {
        const { actor } = await callerFor(scope, 'read');
        if (actor.kind !== 'user' || actor.role !== 'admin')
          throw forbidden('ADMIN_ONLY', 'Only admins can do this');
        const { pool, identity, projections } = scope.services;
        const statuses = await projectionStatuses(pool, identity.store, projections);
        return statuses.map((status) => ({
          ...status,
          checkpoint: status.checkpoint.toString(),
          head: status.head.toString(),
          state: status.state.replace('-', '_'),
          errorPosition: status.errorPosition?.toString() ?? null,
          rebuild: status.rebuild && {
            ...status.rebuild,
            checkpoint: status.rebuild.checkpoint.toString(),
            startedAt: status.rebuild.startedAt.toISOString(),
          },
        }));
      },
    },
  };
}
