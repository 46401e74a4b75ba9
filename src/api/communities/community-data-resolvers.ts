import type { IResolvers } from 'mercurius';
import { eraseCommunity } from '../../services/communities/erasure.ts';
import { callerFor, type GraphQLContext } from '../request-scope.ts';

/** Data sovereignty: erasing a community as a unit (its export is `chronicle audit export --community`). */
export function communityDataResolvers(): IResolvers {
  return {
    Mutation: {
      eraseCommunity: async (_root: unknown, args: Record<string, unknown>, { scope }: GraphQLContext) => {
        const caller = await callerFor(scope, 'write');
        const receipt = await eraseCommunity(scope.communities, caller, args);
        return { ...receipt, position: receipt.position?.toString() ?? null };
      },
    },
  };
}
