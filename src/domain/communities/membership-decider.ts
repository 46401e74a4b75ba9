import { validOr } from '../brands/validate.ts';
import type { Decider } from '../shared/decider.ts';
import { conflict, forbidden, notFound, validation } from '../shared/domain-error.ts';
import { requireRole } from './community-permission.ts';
import { banReason, communityPersonOf, sameId } from './community-values.ts';
import type { CommunityFacts, MembershipCommand, MembershipCommandOf } from './membership-commands.ts';
import { type MembershipEvent, membershipEventCatalogue } from './membership-events.ts';
import { evolveMembership, initialMembershipState, type MembershipState } from './membership-state.ts';
import { ownedByCommunity } from './streams.ts';

type Decision = MembershipEvent[];

/**
 * Joining, requests, invitations, leaving, bans and roles: one person's place in one community.
 * The community's creator is its owner whatever their own stream says (creation writes the
 * community first and the creator's membership second; a crash in between must not leave a
 * community without its owner), so they can neither leave, be banned nor be given another role.
 */
export const membershipDecider: Decider<MembershipCommand, MembershipEvent, MembershipState> = {
  initialState: initialMembershipState,
  evolve: evolveMembership,
  decide(command, state, context) {
    const actorId = communityPersonOf(context.actor);
    switch (command.type) {
      case 'JoinCommunity':
        return join(command.community, state, actorId);
      case 'AcceptCommunityInvitation':
        return acceptInvitation(command.community, effective(state, command.community, actorId), actorId);
      case 'DeclineCommunityInvitation':
        return declineInvitation(command.community, effective(state, command.community, actorId), actorId);
      case 'LeaveCommunity':
        return leave(command.community, effective(state, command.community, actorId), actorId);
      case 'ApproveJoinRequest':
      case 'DeclineJoinRequest':
        return answerRequest(command, effective(state, command.community, command.userId), actorId);
      case 'InviteToCommunity':
        return invite(command, effective(state, command.community, command.userId), actorId);
      case 'BanFromCommunity':
        return ban(command, effective(state, command.community, command.userId), actorId);
      case 'UnbanFromCommunity':
        return unban(command, effective(state, command.community, command.userId), actorId);
      case 'SetCommunityRole':
        return setRole(command, effective(state, command.community, command.userId), actorId);
      default: {
        const unknown: never = command;
        throw new Error(`Unknown membership command ${JSON.stringify(unknown)}`);
      }
    }
  },
};

export const membershipAggregate = {
  decider: membershipDecider,
  catalogue: membershipEventCatalogue,
  communityOf: ownedByCommunity,
};

/** The creator is the owner, a member, whatever their stream says; anyone else is as recorded. */
function effective(state: MembershipState, community: CommunityFacts, userId: string): MembershipState {
  return sameId(userId, community.createdBy) ? { status: 'member', role: 'owner', invitedBy: null } : state;
}

const subject = (community: CommunityFacts, userId: string) => ({
  communityId: community.communityId,
  userId: userId.toLowerCase(),
});

/**
 * Public: joins. Request-to-join: asks (once; asking again decides nothing). Invite-only: only
 * with an invitation, which joining accepts (as it does in any community). The creator's join
 * records their ownership, once: the second half of creating a community.
 */
function join(community: CommunityFacts, state: MembershipState, actorId: string): Decision {
  const data = subject(community, actorId);
  if (sameId(actorId, community.createdBy)) {
    if (state.status === 'member') return [];
    return [
      { type: 'CommunityMemberJoined', data: { ...data, role: 'owner', via: 'creation', approvedBy: null } },
    ];
  }
  switch (state.status) {
    case 'banned':
      throw forbidden('BANNED', 'You are banned from this community');
    case 'member':
    case 'requested':
      return [];
    case 'invited':
      return [
        {
          type: 'CommunityMemberJoined',
          data: { ...data, role: 'member', via: 'invitation', approvedBy: state.invitedBy },
        },
      ];
    default:
      break;
  }
  switch (community.visibility) {
    case 'public':
      return [
        { type: 'CommunityMemberJoined', data: { ...data, role: 'member', via: 'open', approvedBy: null } },
      ];
    case 'request_to_join':
      return [{ type: 'CommunityJoinRequested', data }];
    case 'invite_only':
      throw forbidden('INVITATION_REQUIRED', 'This community is open to invited people only');
  }
}

function acceptInvitation(community: CommunityFacts, state: MembershipState, actorId: string): Decision {
  if (state.status === 'member') return [];
  if (state.status === 'banned') throw forbidden('BANNED', 'You are banned from this community');
  if (state.status !== 'invited')
    throw notFound('INVITATION_NOT_FOUND', 'You have no invitation to this community');
  return [
    {
      type: 'CommunityMemberJoined',
      data: {
        ...subject(community, actorId),
        role: 'member',
        via: 'invitation',
        approvedBy: state.invitedBy,
      },
    },
  ];
}

function declineInvitation(community: CommunityFacts, state: MembershipState, actorId: string): Decision {
  if (state.status !== 'invited')
    throw notFound('INVITATION_NOT_FOUND', 'You have no invitation to this community');
  return [{ type: 'CommunityInvitationDeclined', data: subject(community, actorId) }];
}

/** A member leaves; someone waiting for an answer withdraws their request the same way. */
function leave(community: CommunityFacts, state: MembershipState, actorId: string): Decision {
  if (state.role === 'owner') {
    throw conflict('OWNER_CANNOT_LEAVE', 'The owner cannot leave their community (erase it instead)');
  }
  switch (state.status) {
    case 'member':
    case 'requested':
      return [{ type: 'CommunityMemberLeft', data: subject(community, actorId) }];
    case 'left':
      return [];
    case 'banned':
      throw forbidden('BANNED', 'You are banned from this community');
    default:
      throw forbidden('NOT_A_MEMBER', 'You are not a member of this community');
  }
}

function answerRequest(
  command: MembershipCommandOf<'ApproveJoinRequest' | 'DeclineJoinRequest'>,
  state: MembershipState,
  actorId: string,
): Decision {
  requireRole(command.actorRole, 'community.approve_requests');
  const data = subject(command.community, command.userId);
  if (state.status === 'member' && command.type === 'ApproveJoinRequest') return [];
  if (state.status !== 'requested')
    throw notFound('JOIN_REQUEST_NOT_FOUND', 'This person has not asked to join');
  return command.type === 'ApproveJoinRequest'
    ? [
        {
          type: 'CommunityMemberJoined',
          data: { ...data, role: 'member', via: 'approval', approvedBy: actorId },
        },
      ]
    : [{ type: 'CommunityJoinRequestDeclined', data: { ...data, declinedBy: actorId } }];
}

/**
 * An invitation to someone who already asked to join answers their request: they are in. A
 * banned person is not invited (unban them first), and members or invitees decide nothing.
 */
function invite(
  command: MembershipCommandOf<'InviteToCommunity'>,
  state: MembershipState,
  actorId: string,
): Decision {
  requireRole(command.actorRole, 'community.invite');
  const data = subject(command.community, command.userId);
  switch (state.status) {
    case 'member':
    case 'invited':
      return [];
    case 'banned':
      throw conflict('MEMBER_BANNED', 'This person is banned from the community: unban them first');
    case 'requested':
      return [
        {
          type: 'CommunityMemberJoined',
          data: { ...data, role: 'member', via: 'approval', approvedBy: actorId },
        },
      ];
    default:
      return [{ type: 'CommunityMemberInvited', data: { ...data, invitedBy: actorId } }];
  }
}

/**
 * Moderators ban members, requesters and strangers alike (a ban keeps them out); only the owner
 * bans a moderator, and nobody bans the owner or themselves. Banning the banned decides nothing.
 */
function ban(
  command: MembershipCommandOf<'BanFromCommunity'>,
  state: MembershipState,
  actorId: string,
): Decision {
  const actorRole = requireRole(command.actorRole, 'community.ban');
  if (state.role === 'owner')
    throw forbidden('CANNOT_BAN_OWNER', 'The owner of a community cannot be banned');
  if (sameId(command.userId, actorId)) throw validation('SELF_BAN', 'You cannot ban yourself');
  if (state.role === 'moderator' && actorRole !== 'owner') {
    throw forbidden('OUTRANKED', 'Only the owner bans a moderator');
  }
  if (state.status === 'banned') return [];
  const reason = validOr(banReason.unwrap(), command.reason, 'INVALID_REASON', 'reason');
  return [
    {
      type: 'CommunityMemberBanned',
      data: { ...subject(command.community, command.userId), bannedBy: actorId, reason },
    },
  ];
}

function unban(
  command: MembershipCommandOf<'UnbanFromCommunity'>,
  state: MembershipState,
  actorId: string,
): Decision {
  requireRole(command.actorRole, 'community.ban');
  if (state.status !== 'banned') return [];
  return [
    {
      type: 'CommunityMemberUnbanned',
      data: { ...subject(command.community, command.userId), unbannedBy: actorId },
    },
  ];
}

/** The owner makes members moderators, mentors or members again; ownership is not handed over. */
function setRole(
  command: MembershipCommandOf<'SetCommunityRole'>,
  state: MembershipState,
  actorId: string,
): Decision {
  requireRole(command.actorRole, 'community.assign_roles');
  if (state.role === 'owner') throw forbidden('CANNOT_CHANGE_OWNER', "The owner's role does not change");
  if (command.role === 'owner') {
    throw validation('OWNER_NOT_ASSIGNABLE', 'A community has one owner, its creator');
  }
  if (state.status !== 'member')
    throw notFound('MEMBER_NOT_FOUND', 'This person is not a member of the community');
  if (state.role === command.role) return [];
  return [
    {
      type: 'CommunityMemberRoleChanged',
      data: { ...subject(command.community, command.userId), role: command.role, changedBy: actorId },
    },
  ];
}
