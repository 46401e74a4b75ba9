import type { IResolvers } from 'mercurius';

export interface ResolverDeps {
  version: string;
}

export function createResolvers(deps: ResolverDeps): IResolvers {
  return {
    Query: {
      version: () => deps.version,
    },
  };
}
