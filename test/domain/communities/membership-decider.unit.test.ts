import { describe, it } from 'vitest';
import type {
  CommunityFacts,
  MembershipCommand,
} from '../../../src/domain/communities/membership-commands.ts';
import { membershipDecider } from '../../../src/domain/communities/membership-decider.ts';
import type { MembershipEvent } from '../../../src/domain/communities/membership-events.ts';
import type { CommunityRole } from '../../../src/domain/communities/policy.ts';
import { anIntegration, anonymous, asUser, by } from '../support/actors.ts';
import { deciderSpec } from '../support/decider-spec.ts';

const OWNER = '1a1f0c2e-3b4d-4e5f-8a9b-0c1d2e3f4a5b';
const MODERATOR = '2b2a1d3f-4c5e-4f60-9b0c-1d2e3f4a5b6c';
const ANA = '3c3b2e40-5d6f-4071-8c1d-2e3f4a5b6c7d';
const COMMUNITY = '6f6e5173-8092-43a4-9f40-5b6c7d8e9fa0';
const now = new Date('2026-12-07T08:00:00.000Z');

const spec = deciderSpec(membershipDecider);
const owner = by(asUser(OWNER), now);
const moderator = by(asUser(MODERATOR), now);
const ana = by(asUser(ANA), now);

const community = (visibility: CommunityFacts['visibility'] = 'public'): CommunityFacts => ({
  communityId: COMMUNITY,
  visibility,
  createdBy: OWNER,
});
const own = (
  type: 'JoinCommunity' | 'AcceptCommunityInvitation' | 'DeclineCommunityInvitation' | 'LeaveCommunity',
  visibility: CommunityFacts['visibility'] = 'public',
): MembershipCommand => ({ type, community: community(visibility) });
const about = (
  type: 'ApproveJoinRequest' | 'DeclineJoinRequest' | 'InviteToCommunity' | 'UnbanFromCommunity',
  actorRole: CommunityRole | null = 'moderator',
  userId = ANA,
): MembershipCommand => ({ type, community: community('request_to_join'), userId, actorRole });
const ban = (
  actorRole: CommunityRole | null = 'moderator',
  userId = ANA,
  reason = 'Spam',
): MembershipCommand => ({
  type: 'BanFromCommunity',
  community: community(),
  userId,
  actorRole,
  reason,
});
const setRole = (
  role: CommunityRole,
  actorRole: CommunityRole | null = 'owner',
  userId = ANA,
): MembershipCommand => ({
  type: 'SetCommunityRole',
  community: community(),
  userId,
  actorRole,
  role,
});

const subject = (userId = ANA) => ({ communityId: COMMUNITY, userId });
const joined = (
  via: 'creation' | 'open' | 'approval' | 'invitation',
  approvedBy: string | null = null,
  role: CommunityRole = 'member',
  userId = ANA,
): MembershipEvent => ({
  type: 'CommunityMemberJoined',
  data: { ...subject(userId), role, via, approvedBy },
});
const requested: MembershipEvent = { type: 'CommunityJoinRequested', data: subject() };
const invited: MembershipEvent = {
  type: 'CommunityMemberInvited',
  data: { ...subject(), invitedBy: MODERATOR },
};
const left: MembershipEvent = { type: 'CommunityMemberLeft', data: subject() };
const banned: MembershipEvent = {
  type: 'CommunityMemberBanned',
  data: { ...subject(), bannedBy: MODERATOR, reason: 'Spam' },
};
const roleChanged = (role: CommunityRole): MembershipEvent => ({
  type: 'CommunityMemberRoleChanged',
  data: { ...subject(), role, changedBy: OWNER },
});

describe('joining', () => {
  it('a public community: at once, once', () => {
    spec
      .given([])
      .when(own('JoinCommunity'), ana)
      .then([joined('open')]);
    spec
      .given([joined('open')])
      .when(own('JoinCommunity'), ana)
      .thenNothing();
    spec
      .given([joined('open'), left])
      .when(own('JoinCommunity'), ana)
      .then([joined('open')]);
  });

  it('a request-to-join community: asks, once', () => {
    spec.given([]).when(own('JoinCommunity', 'request_to_join'), ana).then([requested]);
    spec.given([requested]).when(own('JoinCommunity', 'request_to_join'), ana).thenNothing();
  });

  it('an invite-only community: refused without an invitation, accepted with one', () => {
    spec
      .given([])
      .when(own('JoinCommunity', 'invite_only'), ana)
      .thenThrows('FORBIDDEN', 'INVITATION_REQUIRED');
    spec
      .given([joined('invitation', MODERATOR), left])
      .when(own('JoinCommunity', 'invite_only'), ana)
      .thenThrows('FORBIDDEN', 'INVITATION_REQUIRED');
    spec
      .given([invited])
      .when(own('JoinCommunity', 'invite_only'), ana)
      .then([joined('invitation', MODERATOR)]);
  });

  it('is refused to the banned, anonymous callers; an API key joins its owner', () => {
    spec.given([banned]).when(own('JoinCommunity'), ana).thenThrows('FORBIDDEN', 'BANNED');
    spec.given([]).when(own('JoinCommunity'), by(anonymous, now)).thenThrows('FORBIDDEN', 'SIGN_IN_REQUIRED');
    spec
      .given([])
      .when(own('JoinCommunity'), by(anIntegration(ANA, ['graphql:write']), now))
      .then([joined('open')]);
  });

  it('by the creator records their ownership, once (the second half of creation)', () => {
    const ownerJoined = joined('creation', null, 'owner', OWNER);
    spec.given([]).when(own('JoinCommunity', 'invite_only'), owner).then([ownerJoined]);
    spec.given([ownerJoined]).when(own('JoinCommunity'), owner).thenNothing();
  });
});

describe('invitations', () => {
  it('are sent by moderators, once; to a requester they are an approval', () => {
    spec.given([]).when(about('InviteToCommunity'), moderator).then([invited]);
    spec.given([invited]).when(about('InviteToCommunity'), moderator).thenNothing();
    spec
      .given([joined('open')])
      .when(about('InviteToCommunity'), moderator)
      .thenNothing();
    spec
      .given([requested])
      .when(about('InviteToCommunity'), moderator)
      .then([joined('approval', MODERATOR)]);
  });

  it('are refused for the banned, and to members and strangers', () => {
    spec.given([banned]).when(about('InviteToCommunity'), moderator).thenThrows('CONFLICT', 'MEMBER_BANNED');
    spec
      .given([])
      .when(about('InviteToCommunity', 'member'), moderator)
      .thenThrows('FORBIDDEN', 'MISSING_PERMISSION');
    spec.given([]).when(about('InviteToCommunity', null), moderator).thenThrows('FORBIDDEN', 'NOT_A_MEMBER');
  });

  it('are accepted or declined by the invitee', () => {
    spec
      .given([invited])
      .when(own('AcceptCommunityInvitation'), ana)
      .then([joined('invitation', MODERATOR)]);
    spec
      .given([joined('invitation', MODERATOR)])
      .when(own('AcceptCommunityInvitation'), ana)
      .thenNothing();
    spec
      .given([invited])
      .when(own('DeclineCommunityInvitation'), ana)
      .then([{ type: 'CommunityInvitationDeclined', data: subject() }]);
    spec
      .given([])
      .when(own('AcceptCommunityInvitation'), ana)
      .thenThrows('NOT_FOUND', 'INVITATION_NOT_FOUND');
    spec
      .given([])
      .when(own('DeclineCommunityInvitation'), ana)
      .thenThrows('NOT_FOUND', 'INVITATION_NOT_FOUND');
    spec.given([banned]).when(own('AcceptCommunityInvitation'), ana).thenThrows('FORBIDDEN', 'BANNED');
  });
});

describe('join requests', () => {
  it('are approved or declined by moderators', () => {
    spec
      .given([requested])
      .when(about('ApproveJoinRequest'), moderator)
      .then([joined('approval', MODERATOR)]);
    spec
      .given([requested])
      .when(about('DeclineJoinRequest'), moderator)
      .then([{ type: 'CommunityJoinRequestDeclined', data: { ...subject(), declinedBy: MODERATOR } }]);
    spec
      .given([joined('approval', MODERATOR)])
      .when(about('ApproveJoinRequest'), moderator)
      .thenNothing();
  });

  it('must exist, and be answered by someone allowed to', () => {
    spec
      .given([])
      .when(about('ApproveJoinRequest'), moderator)
      .thenThrows('NOT_FOUND', 'JOIN_REQUEST_NOT_FOUND');
    spec
      .given([])
      .when(about('DeclineJoinRequest'), moderator)
      .thenThrows('NOT_FOUND', 'JOIN_REQUEST_NOT_FOUND');
    spec
      .given([requested])
      .when(about('ApproveJoinRequest', 'mentor'), moderator)
      .thenThrows('FORBIDDEN', 'MISSING_PERMISSION');
    // A moderator of another community holds no role in this one.
    spec
      .given([requested])
      .when(about('ApproveJoinRequest', null), moderator)
      .thenThrows('FORBIDDEN', 'NOT_A_MEMBER');
  });
});

describe('leaving', () => {
  it('a member leaves; a requester withdraws; leaving twice decides nothing', () => {
    spec
      .given([joined('open')])
      .when(own('LeaveCommunity'), ana)
      .then([left]);
    spec.given([requested]).when(own('LeaveCommunity'), ana).then([left]);
    spec
      .given([joined('open'), left])
      .when(own('LeaveCommunity'), ana)
      .thenNothing();
  });

  it('is refused to the owner, strangers and the banned', () => {
    spec.given([]).when(own('LeaveCommunity'), owner).thenThrows('CONFLICT', 'OWNER_CANNOT_LEAVE');
    spec.given([]).when(own('LeaveCommunity'), ana).thenThrows('FORBIDDEN', 'NOT_A_MEMBER');
    spec.given([invited]).when(own('LeaveCommunity'), ana).thenThrows('FORBIDDEN', 'NOT_A_MEMBER');
    spec.given([banned]).when(own('LeaveCommunity'), ana).thenThrows('FORBIDDEN', 'BANNED');
  });
});

describe('bans', () => {
  it('keep members and strangers out, with the moderator’s reason', () => {
    spec
      .given([joined('open')])
      .when(ban(), moderator)
      .then([banned]);
    spec.given([]).when(ban(), moderator).then([banned]);
    spec.given([banned]).when(ban(), moderator).thenNothing();
  });

  it('are lifted by moderators; lifting none decides nothing', () => {
    const unbanned: MembershipEvent = {
      type: 'CommunityMemberUnbanned',
      data: { ...subject(), unbannedBy: MODERATOR },
    };
    spec.given([banned]).when(about('UnbanFromCommunity'), moderator).then([unbanned]);
    spec.given([]).when(about('UnbanFromCommunity'), moderator).thenNothing();
    spec
      .given([banned, unbanned])
      .when(own('JoinCommunity'), ana)
      .then([joined('open')]);
  });

  it('never reach the owner, oneself, or (but by the owner) a moderator', () => {
    spec.given([]).when(ban('moderator', OWNER), moderator).thenThrows('FORBIDDEN', 'CANNOT_BAN_OWNER');
    spec
      .given([joined('open', null, 'moderator', MODERATOR)])
      .when(ban('moderator', MODERATOR), moderator)
      .thenThrows('VALIDATION', 'SELF_BAN');
    spec
      .given([joined('open'), roleChanged('moderator')])
      .when(ban('moderator'), moderator)
      .thenThrows('FORBIDDEN', 'OUTRANKED');
    spec
      .given([joined('open'), roleChanged('moderator')])
      .when(ban('owner'), owner)
      .then([{ ...banned, data: { ...subject(), bannedBy: OWNER, reason: 'Spam' } } as MembershipEvent]);
  });

  it('need a reason and the right', () => {
    spec
      .given([])
      .when(ban('moderator', ANA, '  '), moderator)
      .thenThrows('VALIDATION', 'INVALID_REASON');
    spec
      .given([])
      .when(ban('moderator', ANA, 'x'.repeat(501)), moderator)
      .thenThrows('VALIDATION', 'INVALID_REASON');
    spec.given([]).when(ban('mentor'), moderator).thenThrows('FORBIDDEN', 'MISSING_PERMISSION');
    spec.given([]).when(ban(null), moderator).thenThrows('FORBIDDEN', 'NOT_A_MEMBER');
  });
});

describe('roles', () => {
  it('are given to members by the owner; the same role decides nothing', () => {
    spec
      .given([joined('open')])
      .when(setRole('moderator'), owner)
      .then([roleChanged('moderator')]);
    spec
      .given([joined('open'), roleChanged('mentor')])
      .when(setRole('member'), owner)
      .then([roleChanged('member')]);
    spec
      .given([joined('open'), roleChanged('mentor')])
      .when(setRole('mentor'), owner)
      .thenNothing();
  });

  it('are refused to non-members, for the owner, as owner, and to anyone but the owner', () => {
    spec.given([]).when(setRole('mentor'), owner).thenThrows('NOT_FOUND', 'MEMBER_NOT_FOUND');
    spec
      .given([joined('open'), left])
      .when(setRole('mentor'), owner)
      .thenThrows('NOT_FOUND', 'MEMBER_NOT_FOUND');
    spec
      .given([])
      .when(setRole('member', 'owner', OWNER), owner)
      .thenThrows('FORBIDDEN', 'CANNOT_CHANGE_OWNER');
    spec
      .given([joined('open')])
      .when(setRole('owner'), owner)
      .thenThrows('VALIDATION', 'OWNER_NOT_ASSIGNABLE');
    spec
      .given([joined('open')])
      .when(setRole('mentor', 'moderator'), moderator)
      .thenThrows('FORBIDDEN', 'MISSING_PERMISSION');
    spec
      .given([joined('open')])
      .when(setRole('mentor', null), moderator)
      .thenThrows('FORBIDDEN', 'NOT_A_MEMBER');
  });

  it('are lost on leaving: someone who comes back is a member again', () => {
    spec
      .given([joined('open'), roleChanged('moderator'), left])
      .when(own('JoinCommunity'), ana)
      .then([joined('open')]);
  });
});
