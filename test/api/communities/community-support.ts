import { randomUUID } from 'node:crypto';
import { createLocalProvider } from '../../../src/ai/local-provider.ts';
import { communityMemberStream, communityStream } from '../../../src/domain/communities/streams.ts';
import { createLogger } from '../../../src/logger.ts';
import { waitForPosition } from '../../../src/projections/wait-for-position.ts';
import type { CommunityDeps } from '../../../src/services/communities/deps.ts';
import { eventsIn } from '../social/graph-support.ts';
import { fieldOf, type IdentityApp } from '../support/identity-app.ts';
import type { TestUser } from '../support/identity-operations.ts';

/** The communities GraphQL operations, in one place (other contexts' tests import them too). */
export const COMMUNITY_FIELDS = `id name description language region visibility rules minTrustToStartThreads
  minTrustToPostLinks memberCount myRole myStatus createdAt`;
export const CREATE_COMMUNITY = `mutation ($input: CreateCommunityInput!) {
  createCommunity(input: $input) { ${COMMUNITY_FIELDS} } }`;
export const UPDATE_SETTINGS = `mutation ($communityId: ID!, $input: CommunitySettingsInput!) {
  updateCommunitySettings(communityId: $communityId, input: $input) { ${COMMUNITY_FIELDS} } }`;
export const COMMUNITY = `query ($id: ID!) { community(id: $id) { ${COMMUNITY_FIELDS} } }`;
export const COMMUNITY_MEMBERS = `query ($id: ID!, $first: Int, $after: String, $role: CommunityRole) {
  community(id: $id) { members(first: $first, after: $after, role: $role) {
    nodes { userId role joinedAt user { id displayName } } pageInfo { hasNextPage endCursor } } } }`;
export const COMMUNITIES = `query ($first: Int, $after: String, $language: String, $region: String, $search: String) {
  communities(first: $first, after: $after, language: $language, region: $region, search: $search) {
    nodes { id name myStatus } pageInfo { hasNextPage endCursor } } }`;
export const MY_COMMUNITIES = `query ($first: Int, $after: String) { myCommunities(first: $first, after: $after) {
  nodes { id name myRole } pageInfo { hasNextPage endCursor } } }`;
export const JOIN_REQUESTS = `query ($communityId: ID!, $first: Int, $after: String) {
  communityJoinRequests(communityId: $communityId, first: $first, after: $after) {
    nodes { userId requestedAt user { id displayName } } pageInfo { hasNextPage endCursor } } }`;
/** A mutation about someone's membership (`extra`: one more argument, e.g. `reason: String!`). */
const about = (name: string, extra?: { arg: string; type: string }) => {
  const variables = extra ? `, $${extra.arg}: ${extra.type}` : '';
  const args = extra ? `, ${extra.arg}: $${extra.arg}` : '';
  return `mutation ($communityId: ID!, $userId: ID!${variables}) {
  ${name}(communityId: $communityId, userId: $userId${args}) { ${COMMUNITY_FIELDS} } }`;
};
export const JOIN = `mutation ($communityId: ID!) { joinCommunity(communityId: $communityId) { ${COMMUNITY_FIELDS} } }`;
export const ACCEPT_INVITATION = `mutation ($communityId: ID!) {
  acceptCommunityInvitation(communityId: $communityId) { ${COMMUNITY_FIELDS} } }`;
export const DECLINE_INVITATION = `mutation ($communityId: ID!) { declineCommunityInvitation(communityId: $communityId) }`;
export const LEAVE = `mutation ($communityId: ID!) { leaveCommunity(communityId: $communityId) }`;
export const INVITE = about('inviteToCommunity');
export const APPROVE = about('approveJoinRequest');
export const DECLINE_REQUEST = about('declineJoinRequest');
export const BAN = about('banFromCommunity', { arg: 'reason', type: 'String!' });
export const UNBAN = about('unbanFromCommunity');
export const SET_ROLE = about('setCommunityRole', { arg: 'role', type: 'CommunityRole!' });

export type CommunityRoleName = 'OWNER' | 'MODERATOR' | 'MENTOR' | 'MEMBER';

export interface CommunityView {
  id: string;
  name: string;
  description: string | null;
  language: string;
  region: string;
  visibility: 'PUBLIC' | 'REQUEST_TO_JOIN' | 'INVITE_ONLY';
  rules: string | null;
  minTrustToStartThreads: number;
  minTrustToPostLinks: number;
  memberCount: number;
  myRole: CommunityRoleName | null;
  myStatus: 'NONE' | 'REQUESTED' | 'INVITED' | 'MEMBER' | 'LEFT' | 'BANNED';
  createdAt: string;
}

export interface CommunityInput {
  name?: string;
  description?: string | null;
  language?: string;
  region?: string;
  visibility?: CommunityView['visibility'];
  rules?: string | null;
  minTrustToStartThreads?: number;
  minTrustToPostLinks?: number;
  idempotencyKey?: string;
}

/** A public community `owner` owns, named uniquely unless `input` says otherwise. */
export async function createCommunity(
  api: IdentityApp,
  owner: TestUser,
  input: CommunityInput = {},
): Promise<CommunityView> {
  const response = await api.gql(
    CREATE_COMMUNITY,
    {
      input: {
        name: `Learners ${randomUUID().slice(0, 8)}`,
        description: 'We learn together.',
        language: 'en',
        region: 'Nairobi',
        visibility: 'PUBLIC',
        rules: 'Be kind.',
        ...input,
      },
    },
    owner.accessToken,
  );
  return fieldOf<CommunityView>(response, 'createCommunity');
}

/** `user` joins (a public community) or asks to (request-to-join): the community as they then see it. */
export async function joinCommunity(
  api: IdentityApp,
  user: TestUser,
  communityId: string,
): Promise<CommunityView> {
  return fieldOf<CommunityView>(await api.gql(JOIN, { communityId }, user.accessToken), 'joinCommunity');
}

/**
 * Makes `user` a member of the community with `role`, whatever its visibility: `owner` invites,
 * `user` accepts, and the owner gives any role but MEMBER. Answers the community as `user` sees it.
 */
export async function addMember(
  api: IdentityApp,
  owner: TestUser,
  communityId: string,
  user: TestUser,
  role: Exclude<CommunityRoleName, 'OWNER'> = 'MEMBER',
): Promise<CommunityView> {
  fieldOf(await api.gql(INVITE, { communityId, userId: user.id }, owner.accessToken), 'inviteToCommunity');
  let view = fieldOf<CommunityView>(
    await api.gql(ACCEPT_INVITATION, { communityId }, user.accessToken),
    'acceptCommunityInvitation',
  );
  if (role !== 'MEMBER') {
    fieldOf(
      await api.gql(SET_ROLE, { communityId, userId: user.id, role }, owner.accessToken),
      'setCommunityRole',
    );
    view = await communityAs(api, user, communityId);
  }
  return view;
}

export async function communityAs(
  api: IdentityApp,
  user: TestUser | null,
  id: string,
): Promise<CommunityView> {
  return fieldOf<CommunityView>(await api.gql(COMMUNITY, { id }, user?.accessToken), 'community');
}

/** How many events a person's membership stream holds: refusals must store nothing. */
export const membershipEvents = (api: IdentityApp, communityId: string, userId: string) =>
  eventsIn(api, communityMemberStream(communityId, userId));
export const communityEvents = (api: IdentityApp, communityId: string) =>
  eventsIn(api, communityStream(communityId));

/** The community use cases' deps on the test app's runtime, for calling a service directly. */
export function communityServiceDeps(api: IdentityApp): CommunityDeps {
  const { store, codec, pool, bus, keys } = api.runtime;
  return {
    store,
    codec,
    pool,
    log: createLogger('silent'),
    ai: createLocalProvider(),
    personalDataKeys: keys,
    settle: async (position: bigint) => {
      await waitForPosition(pool, bus, position, { timeoutMs: 5_000 });
      return true;
    },
  };
}
