import type { IResolvers } from 'mercurius';
import { z } from 'zod';
import {
  addBrandMember,
  addMasterClaim,
  archiveBrand,
  changeBrandMemberRole,
  createBrand,
  removeBrandMember,
  removeMasterClaim,
  updateBrand,
} from '../../services/brands/brands.ts';
import type { PublishingDeps } from '../../services/publishing-deps.ts';
import type { RequestContext } from '../../services/shared/command-context.ts';
import { contentCursor, toContent } from '../content/mappers.ts';
import { listContents } from '../content/read-model-queries.ts';
import { connection } from '../pagination.ts';
import { callerFor, type GraphQLContext } from '../request-scope.ts';
import { brandOrNotFound, brandView } from './brand-view.ts';
import { invitationResolvers } from './invitation-resolvers.ts';
import { type BrandView, brandCursor, memberCursor, toBrand, toClaim, toMember } from './mappers.ts';
import { brandViewerOf, listBrands, listMasterClaims, listMembers } from './read-model-queries.ts';

type Args = Record<string, unknown>;
type Resolver = (root: unknown, args: Args, context: GraphQLContext) => Promise<unknown>;
type BrandField = (brand: BrandView, args: Args, context: GraphQLContext) => Promise<unknown>;
type BrandUseCase = (deps: PublishingDeps, context: RequestContext, raw: unknown) => Promise<string>;

const brandIdArgs = z.object({ id: z.uuid() });
const claimsArgs = z.object({
  country: z
    .string()
    .regex(/^[A-Z]{2}$/)
    .nullish(),
});

/** Resolvers are thin: authenticate, call the use case (which waits for the read models), read them. */
export function brandResolvers(): IResolvers {
  const query: Record<string, Resolver> = {
    brand: async (_root, args, { scope }) => {
      const caller = await callerFor(scope, 'read');
      return brandView(scope, caller, brandIdArgs.parse(args).id);
    },
    brands: async (_root, args, { scope }) => {
      const caller = await callerFor(scope, 'read');
      const viewer = brandViewerOf(caller.actor);
      const { rows, page, total } = await listBrands(scope.services.pool, viewer, args);
      return connection(rows, page, total, brandCursor, (row) =>
        toBrand(row, viewer.admin, scope.publishing.authSecret),
      );
    },
  };

  /** Every brand mutation answers with the brand as it is after the change. */
  const mutate =
    (useCase: BrandUseCase): Resolver =>
    async (_root, args, { scope }) => {
      const caller = await callerFor(scope, 'write');
      const brandId = await useCase(scope.publishing, caller, args);
      return brandOrNotFound(await brandView(scope, caller, brandId));
    };

  const brand: Record<string, BrandField> = {
    members: async (parent, args, { scope }) => {
      const { rows, page, total } = await listMembers(scope.services.pool, parent.id, args.page);
      return connection(rows, page, total, memberCursor, toMember);
    },
    masterClaims: async (parent, args, { scope }) => {
      const { country } = claimsArgs.parse(args);
      return (await listMasterClaims(scope.services.pool, parent.id, country ?? null)).map(toClaim);
    },
    contents: async (parent, args, { scope }) => {
      const caller = await callerFor(scope, 'read');
      const given = typeof args.filter === 'object' && args.filter !== null ? args.filter : {};
      const filter = { ...given, brandId: parent.id };
      const viewer = brandViewerOf(caller.actor);
      const { rows, page, total } = await listContents(scope.services.pool, viewer, {
        filter,
        page: args.page,
      });
      return connection(rows, page, total, contentCursor, toContent);
    },
  };

  const invitations = invitationResolvers();
  return {
    Query: { ...query, ...invitations.Query },
    Mutation: {
      ...invitations.Mutation,
      createBrand: mutate(createBrand),
      updateBrand: mutate(updateBrand),
      archiveBrand: mutate(archiveBrand),
      addBrandMember: mutate(addBrandMember),
      changeBrandMemberRole: mutate(changeBrandMemberRole),
      removeBrandMember: mutate(removeBrandMember),
      addMasterClaim: mutate(addMasterClaim),
      removeMasterClaim: mutate(removeMasterClaim),
    },
    Brand: { ...brand, ...invitations.Brand },
  };
}
