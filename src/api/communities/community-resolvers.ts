import type { IResolvers } from 'mercurius';
import { z } from 'zod';
import { communityPersonOf } from '../../domain/communities/community-values.ts';
import { notFound } from '../../domain/shared/domain-error.ts';
import { createCommunity, updateCommunitySettings } from '../../services/communities/communities.ts';
import { communityId as communityIdInput } from '../../services/communities/community-inputs.ts';
import type { CommunityDeps } from '../../services/communities/deps.ts';
import {
  acceptCommunityInvitation,
  approveJoinRequest,
  banFromCommunity,
  declineCommunityInvitation,
  declineJoinRequest,
  inviteToCommunity,
  joinCommunity,
  leaveCommunity,
  setCommunityRole,
  unbanFromCommunity,
} from '../../services/communities/memberships.ts';
import { requireReadPermission } from '../../services/communities/read-access.ts';
import type { RequestContext } from '../../services/shared/command-context.ts';
import { connection } from '../pagination.ts';
import { callerFor, type GraphQLContext, type RequestScope } from '../request-scope.ts';
import { toSocialProfile } from '../social/graph-mappers.ts';
import { findProfiles } from '../social/graph-queries.ts';
import { type CommunityView, toCommunity, toJoinRequest } from './community-mappers.ts';
import {
  type CommunityRow,
  communityCursor,
  communityRowOf,
  joinRequestCursor,
  listCommunities,
  listJoinRequests,
  listMyCommunities,
  myCommunityCursor,
} from './community-queries.ts';

type Args = Record<string, unknown>;
type Resolver = (root: unknown, args: Args, context: GraphQLContext) => Promise<unknown>;
type CommunityUseCase = (deps: CommunityDeps, context: RequestContext, raw: unknown) => Promise<string>;

const pageArgs = z.object({ first: z.number().int().nullish(), after: z.string().nullish() });
const filterArgs = pageArgs.extend({
  language: z.string().max(35).nullish(),
  region: z.string().max(64).nullish(),
  search: z.string().max(200).nullish(),
});
const idArgs = z.object({ id: communityIdInput });
const requestArgs = pageArgs.extend({ communityId: communityIdInput });

/**
 * Communities and membership. Reads judge from the read model (one row with the reader's member
 * row); changes go through the services, which judge from the streams, and answer with the
 * community as the caller now sees it.
 */
export function communityResolvers(): IResolvers {
  const query: Record<string, Resolver> = {
    community: async (_root, args, { scope }) => {
      const readerId = await readerOrAnonymous(scope);
      return communityView(scope, readerId, idArgs.parse(args).id);
    },
    communities: async (_root, args, { scope }) => {
      const readerId = await readerOrAnonymous(scope);
      const { language, region, search, ...page } = filterArgs.parse(args);
      const listed = await listCommunities(scope.services.pool, readerId, { language, region, search }, page);
      return connection(listed.rows, listed.page, undefined, communityCursor, (row) => viewOf(row, readerId));
    },
    myCommunities: async (_root, args, { scope }) => {
      const readerId = await readerOf(scope);
      const listed = await listMyCommunities(scope.services.pool, readerId, pageArgs.parse(args));
      return connection(listed.rows, listed.page, undefined, myCommunityCursor, (row) =>
        viewOf(row, readerId),
      );
    },
    communityJoinRequests: async (_root, args, { scope }) => {
      const readerId = await readerOf(scope);
      const { communityId, ...page } = requestArgs.parse(args);
      const { pool } = scope.services;
      await requireReadPermission(pool, communityId, readerId, 'community.approve_requests');
      const listed = await listJoinRequests(pool, communityId, page);
      const profiles = await findProfiles(
        pool,
        listed.rows.slice(0, listed.page.first).map((r) => r.user_id),
      );
      return connection(listed.rows, listed.page, undefined, joinRequestCursor, (row) => {
        const profile = profiles.get(row.user_id);
        return { ...toJoinRequest(row), user: profile ? toSocialProfile(profile) : null };
      });
    },
  };

  const mutate =
    (useCase: CommunityUseCase): Resolver =>
    async (_root, args, { scope }) => {
      const caller = await callerFor(scope, 'write');
      const communityId = await useCase(scope.communities, caller, args);
      return communityView(scope, communityPersonOf(caller.actor), communityId);
    };
  /** For changes after which the caller may no longer see the community: answers with its id. */
  const mutateToId =
    (useCase: CommunityUseCase): Resolver =>
    async (_root, args, { scope }) =>
      useCase(scope.communities, await callerFor(scope, 'write'), args);

  return {
    Query: query,
    Mutation: {
      createCommunity: mutate(createCommunity),
      updateCommunitySettings: mutate(updateCommunitySettings),
      joinCommunity: mutate(joinCommunity),
      approveJoinRequest: mutate(approveJoinRequest),
      declineJoinRequest: mutate(declineJoinRequest),
      inviteToCommunity: mutate(inviteToCommunity),
      acceptCommunityInvitation: mutate(acceptCommunityInvitation),
      declineCommunityInvitation: mutateToId(declineCommunityInvitation),
      leaveCommunity: mutateToId(leaveCommunity),
      banFromCommunity: mutate(banFromCommunity),
      unbanFromCommunity: mutate(unbanFromCommunity),
      setCommunityRole: mutate(setCommunityRole),
    },
  };
}

/** The person reading: a signed-in user, or an API key's owner. */
async function readerOf(scope: RequestScope): Promise<string> {
  return communityPersonOf((await callerFor(scope, 'read')).actor);
}

/** As readerOf, or null for an anonymous caller (who may read public descriptions). */
async function readerOrAnonymous(scope: RequestScope): Promise<string | null> {
  const { actor } = await callerFor(scope, 'public');
  if (actor.kind === 'anonymous') return null;
  return readerOf(scope);
}

async function communityView(scope: RequestScope, readerId: string | null, communityId: string) {
  const row = await communityRowOf(scope.services.pool, readerId, communityId);
  const view = row && toCommunity(row, readerId);
  if (!view) throw notFound('COMMUNITY_NOT_FOUND', 'No such community');
  return view;
}

/** Rows of a list were chosen for the reader, so each is theirs to see. */
function viewOf(row: CommunityRow, readerId: string | null): CommunityView {
  const view = toCommunity(row, readerId);
  if (!view) throw new Error(`Community ${row.community_id} was listed for a reader who may not see it`);
  return view;
}
