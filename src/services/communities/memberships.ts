import { loadAggregate } from '../../commands/load-aggregate.ts';
import { communityPersonOf } from '../../domain/communities/community-values.ts';
import type { MembershipCommand } from '../../domain/communities/membership-commands.ts';
import { membershipAggregate, membershipDecider } from '../../domain/communities/membership-decider.ts';
import type { CommunityRole } from '../../domain/communities/policy.ts';
import { communityMemberStream } from '../../domain/communities/streams.ts';
import { userStream } from '../../domain/identity/streams.ts';
import { forbidden, notFound } from '../../domain/shared/domain-error.ts';
import { users } from '../identity/aggregates.ts';
import {
  commandIdFor,
  envelope,
  execute,
  type KeyedInput,
  nowFrom,
  type RequestContext,
} from '../shared/command-context.ts';
import { type CommunityOnRecord, communityOnRecord, membershipOnRecord, refuseUnseen } from './access.ts';
import { banInput, communityInput, idempotencyKey, memberInput, roleInput } from './community-inputs.ts';
import type { CommunityDeps } from './deps.ts';

/**
 * Joining, requests, invitations, leaving, bans and roles. The community and every membership
 * involved are read from their streams (access.ts), never from the read model; the decider then
 * judges them against the permissions table. Each use case answers with the community's id.
 */

/**
 * Joining and leaving take an optional idempotency key (sync passes the change id): a join stored
 * before a crash, then a leave, must not be joined again by the retry.
 */
const keyedCommunityInput = communityInput.extend({ idempotencyKey });

/**
 * Public: joins; request-to-join: asks; invite-only: only with an invitation (FORBIDDEN
 * INVITATION_REQUIRED otherwise, as the contract of the API says, nothing stored).
 */
export async function joinCommunity(deps: CommunityDeps, context: RequestContext, raw: unknown) {
  const input = keyedCommunityInput.parse(raw);
  const { communityId } = input;
  const community = await liveCommunity(deps, communityId);
  await issueOwn(deps, context, community, 'JoinCommunity', 'joinCommunity', input);
  return communityId;
}

export async function acceptCommunityInvitation(deps: CommunityDeps, context: RequestContext, raw: unknown) {
  const { communityId } = communityInput.parse(raw);
  const community = await seenCommunity(deps, context, communityId);
  await issueOwn(deps, context, community, 'AcceptCommunityInvitation', 'acceptCommunityInvitation');
  return communityId;
}

export async function declineCommunityInvitation(deps: CommunityDeps, context: RequestContext, raw: unknown) {
  const { communityId } = communityInput.parse(raw);
  const community = await seenCommunity(deps, context, communityId);
  await issueOwn(deps, context, community, 'DeclineCommunityInvitation', 'declineCommunityInvitation');
  return communityId;
}

/** Leaves, or withdraws a request to join. The owner cannot leave (CONFLICT OWNER_CANNOT_LEAVE). */
export async function leaveCommunity(deps: CommunityDeps, context: RequestContext, raw: unknown) {
  const input = keyedCommunityInput.parse(raw);
  const { communityId } = input;
  const community = await seenCommunity(deps, context, communityId);
  await issueOwn(deps, context, community, 'LeaveCommunity', 'leaveCommunity', input);
  return communityId;
}

/** Moderators and the owner invite an existing, active account. */
export async function inviteToCommunity(deps: CommunityDeps, context: RequestContext, raw: unknown) {
  const { communityId, userId } = memberInput.parse(raw);
  const { community, actorRole } = await actingIn(deps, context, communityId);
  const command: MembershipCommand = { type: 'InviteToCommunity', community, userId, actorRole };
  await decideFirst(deps, context, command);
  await requireActiveUser(deps, userId);
  await issueAbout(deps, context, command, 'inviteToCommunity');
  return communityId;
}

export async function approveJoinRequest(deps: CommunityDeps, context: RequestContext, raw: unknown) {
  const { communityId, userId } = memberInput.parse(raw);
  const { community, actorRole } = await actingIn(deps, context, communityId);
  await issueAbout(
    deps,
    context,
    { type: 'ApproveJoinRequest', community, userId, actorRole },
    'approveJoinRequest',
  );
  return communityId;
}

export async function declineJoinRequest(deps: CommunityDeps, context: RequestContext, raw: unknown) {
  const { communityId, userId } = memberInput.parse(raw);
  const { community, actorRole } = await actingIn(deps, context, communityId);
  await issueAbout(
    deps,
    context,
    { type: 'DeclineJoinRequest', community, userId, actorRole },
    'declineJoinRequest',
  );
  return communityId;
}

/** Members, requesters and strangers alike may be banned (a ban keeps them out); they must exist. */
export async function banFromCommunity(deps: CommunityDeps, context: RequestContext, raw: unknown) {
  const { communityId, userId, reason } = banInput.parse(raw);
  const { community, actorRole } = await actingIn(deps, context, communityId);
  const command: MembershipCommand = { type: 'BanFromCommunity', community, userId, actorRole, reason };
  await decideFirst(deps, context, command);
  await requireActiveUser(deps, userId);
  await issueAbout(deps, context, command, 'banFromCommunity');
  return communityId;
}

export async function unbanFromCommunity(deps: CommunityDeps, context: RequestContext, raw: unknown) {
  const { communityId, userId } = memberInput.parse(raw);
  const { community, actorRole } = await actingIn(deps, context, communityId);
  await issueAbout(
    deps,
    context,
    { type: 'UnbanFromCommunity', community, userId, actorRole },
    'unbanFromCommunity',
  );
  return communityId;
}

/** The owner makes a member a moderator, a mentor or a member again. */
export async function setCommunityRole(deps: CommunityDeps, context: RequestContext, raw: unknown) {
  const { communityId, userId, role } = roleInput.parse(raw);
  const { community, actorRole } = await actingIn(deps, context, communityId);
  await issueAbout(
    deps,
    context,
    { type: 'SetCommunityRole', community, userId, actorRole, role },
    'setCommunityRole',
  );
  return communityId;
}

/** The community on record, unless missing or erased (NOT_FOUND COMMUNITY_NOT_FOUND). */
async function liveCommunity(deps: CommunityDeps, communityId: string): Promise<CommunityOnRecord> {
  const community = await communityOnRecord(deps, communityId);
  if (!community || community.erased) throw notFound('COMMUNITY_NOT_FOUND', 'No such community');
  return community;
}

/** As liveCommunity, and NOT_FOUND too for an invite-only one that has no record of the caller. */
async function seenCommunity(deps: CommunityDeps, context: RequestContext, communityId: string) {
  const community = await liveCommunity(deps, communityId);
  const { status } = await membershipOnRecord(deps, communityId, communityPersonOf(context.actor), community);
  refuseUnseen(community.visibility, status);
  return community;
}

/**
 * The community and the actor's role in it, for acting on someone else's membership. A banned
 * actor is told so; anyone without a role (a moderator of another community included) reaches the
 * decider with none, which refuses FORBIDDEN NOT_A_MEMBER.
 */
async function actingIn(
  deps: CommunityDeps,
  context: RequestContext,
  communityId: string,
): Promise<{ community: CommunityOnRecord; actorRole: CommunityRole | null }> {
  const community = await liveCommunity(deps, communityId);
  const actorId = communityPersonOf(context.actor);
  const { status, role } = await membershipOnRecord(deps, communityId, actorId, community);
  refuseUnseen(community.visibility, status);
  if (status === 'banned') throw forbidden('BANNED', 'You are banned from this community');
  return { community, actorRole: role };
}

/**
 * Asks the decider without storing, so a caller without the right learns nothing about whether
 * the person named exists, and no account is read for a refused command.
 */
async function decideFirst(
  deps: CommunityDeps,
  context: RequestContext,
  command: Extract<MembershipCommand, { userId: string }>,
): Promise<void> {
  const stream = communityMemberStream(command.community.communityId, command.userId);
  const { state } = await loadAggregate(deps, membershipAggregate, stream);
  membershipDecider.decide(command, state, { actor: context.actor, now: nowFrom(deps) });
}

/** Someone named is an active account, as their own stream tells it: NOT_FOUND USER_NOT_FOUND otherwise. */
async function requireActiveUser(deps: CommunityDeps, userId: string): Promise<void> {
  const { state } = await loadAggregate(deps, users, userStream(userId));
  if (state.status !== 'active') throw notFound('USER_NOT_FOUND', 'No such user', { userId });
}

function issueOwn(
  deps: CommunityDeps,
  context: RequestContext,
  community: CommunityOnRecord,
  type: Exclude<MembershipCommand, { userId: string }>['type'],
  operation: string,
  input?: KeyedInput,
) {
  const userId = communityPersonOf(context.actor);
  const command: MembershipCommand = { type, community };
  return issue(
    deps,
    context,
    communityMemberStream(community.communityId, userId),
    command,
    operation,
    input,
  );
}

function issueAbout(
  deps: CommunityDeps,
  context: RequestContext,
  command: Extract<MembershipCommand, { userId: string }>,
  operation: string,
) {
  return issue(
    deps,
    context,
    communityMemberStream(command.community.communityId, command.userId),
    command,
    operation,
  );
}

function issue(
  deps: CommunityDeps,
  context: RequestContext,
  stream: string,
  command: MembershipCommand,
  operation: string,
  input?: KeyedInput,
) {
  const commandId = commandIdFor(context, `${operation}:${command.community.communityId}`, input);
  return execute(deps, membershipAggregate, stream, envelope(context, commandId, nowFrom(deps), command));
}
