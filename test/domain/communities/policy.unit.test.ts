import { describe, expect, it } from 'vitest';
import type { CommunityCommand } from '../../../src/domain/communities/community-commands.ts';
import { communityDecider } from '../../../src/domain/communities/community-decider.ts';
import type { CommunityEvent } from '../../../src/domain/communities/community-events.ts';
import type { MembershipCommand } from '../../../src/domain/communities/membership-commands.ts';
import { membershipDecider } from '../../../src/domain/communities/membership-decider.ts';
import type { MembershipEvent } from '../../../src/domain/communities/membership-events.ts';
import {
  COMMUNITY_PERMISSIONS,
  COMMUNITY_ROLES,
  type CommunityPermission,
  type CommunityRole,
  can,
} from '../../../src/domain/communities/policy.ts';
import { fold } from '../../../src/domain/shared/decider.ts';
import { DomainError } from '../../../src/domain/shared/domain-error.ts';
import { asUser, by } from '../support/actors.ts';

const OWNER = '1a1f0c2e-3b4d-4e5f-8a9b-0c1d2e3f4a5b';
const ACTOR = '2b2a1d3f-4c5e-4f60-9b0c-1d2e3f4a5b6c';
const ANA = '3c3b2e40-5d6f-4071-8c1d-2e3f4a5b6c7d';
const COMMUNITY = '6f6e5173-8092-43a4-9f40-5b6c7d8e9fa0';
const now = new Date('2026-12-07T08:00:00.000Z');

/**
 * The table as docs/communities.md shows it, written out again by hand: a change to the policy
 * must change this too, on purpose. O = owner, D = moderator, T = mentor, M = member.
 */
const EXPECTED: Record<CommunityPermission, string> = {
  'community.read': 'ODTM',
  'community.edit_settings': 'O',
  'community.invite': 'OD',
  'community.approve_requests': 'OD',
  'community.ban': 'OD',
  'community.assign_roles': 'O',
  'community.erase': 'O',
  'discussion.start_thread': 'ODTM',
  'discussion.reply': 'ODTM',
  'discussion.pin': 'OD',
  'discussion.remove_post': 'OD',
  'discussion.mark_helpful': 'ODT',
  'learning.publish': 'ODT',
  'learning.take': 'ODTM',
  'checkpoint.grade': 'ODT',
  'progress.view_aggregates': 'OD',
  'trust.view_explanations': 'OD',
};
const LETTER: Record<CommunityRole, string> = { owner: 'O', moderator: 'D', mentor: 'T', member: 'M' };

describe('the permissions table', () => {
  it.each(COMMUNITY_PERMISSIONS)('%s: held by exactly the roles the table names', (permission) => {
    const holders = COMMUNITY_ROLES.filter((role) => can(role, permission))
      .map((role) => LETTER[role])
      .join('');
    expect(holders).toBe(EXPECTED[permission]);
  });

  it('grants nothing to someone without a role', () => {
    for (const permission of COMMUNITY_PERMISSIONS) {
      expect(can(null, permission)).toBe(false);
      expect(can(undefined, permission)).toBe(false);
    }
  });

  it('only adds as roles rise: member ⊂ mentor ⊂ moderator ⊂ owner', () => {
    const ranks: CommunityRole[] = ['member', 'mentor', 'moderator', 'owner'];
    for (const permission of COMMUNITY_PERMISSIONS) {
      const held = ranks.map((role) => can(role, permission));
      expect(held).toEqual([...held].sort((a, b) => Number(a) - Number(b)));
    }
  });
});

/** Each decision guarded by a permission, with a history in which only the permission decides. */
const community = { communityId: COMMUNITY, visibility: 'public' as const, createdBy: OWNER };
const anaJoined: MembershipEvent = {
  type: 'CommunityMemberJoined',
  data: { communityId: COMMUNITY, userId: ANA, role: 'member', via: 'open', approvedBy: null },
};
const anaRequested: MembershipEvent = {
  type: 'CommunityJoinRequested',
  data: { communityId: COMMUNITY, userId: ANA },
};
const anaBanned: MembershipEvent = {
  type: 'CommunityMemberBanned',
  data: { communityId: COMMUNITY, userId: ANA, bannedBy: OWNER, reason: 'Spam' },
};
const created: CommunityEvent = {
  type: 'CommunityCreated',
  data: {
    communityId: COMMUNITY,
    name: 'Readers',
    description: null,
    language: 'en',
    region: 'Accra',
    visibility: 'public',
    rules: null,
    minTrustToStartThreads: 0,
    minTrustToPostLinks: 0,
    createdBy: OWNER,
  },
};

type Guarded =
  | {
      permission: CommunityPermission;
      given: MembershipEvent[];
      command: (role: CommunityRole) => MembershipCommand;
      on: 'membership';
    }
  | {
      permission: CommunityPermission;
      given: CommunityEvent[];
      command: (role: CommunityRole) => CommunityCommand;
      on: 'community';
    };

const about =
  (type: 'ApproveJoinRequest' | 'DeclineJoinRequest' | 'InviteToCommunity' | 'UnbanFromCommunity') =>
  (actorRole: CommunityRole): MembershipCommand => ({ type, community, userId: ANA, actorRole });

const GUARDED: Record<string, Guarded> = {
  InviteToCommunity: {
    permission: 'community.invite',
    on: 'membership',
    given: [],
    command: about('InviteToCommunity'),
  },
  ApproveJoinRequest: {
    permission: 'community.approve_requests',
    on: 'membership',
    given: [anaRequested],
    command: about('ApproveJoinRequest'),
  },
  DeclineJoinRequest: {
    permission: 'community.approve_requests',
    on: 'membership',
    given: [anaRequested],
    command: about('DeclineJoinRequest'),
  },
  BanFromCommunity: {
    permission: 'community.ban',
    on: 'membership',
    given: [anaJoined],
    command: (actorRole) => ({ type: 'BanFromCommunity', community, userId: ANA, actorRole, reason: 'Spam' }),
  },
  UnbanFromCommunity: {
    permission: 'community.ban',
    on: 'membership',
    given: [anaBanned],
    command: about('UnbanFromCommunity'),
  },
  SetCommunityRole: {
    permission: 'community.assign_roles',
    on: 'membership',
    given: [anaJoined],
    command: (actorRole) => ({ type: 'SetCommunityRole', community, userId: ANA, actorRole, role: 'mentor' }),
  },
  ChangeCommunitySettings: {
    permission: 'community.edit_settings',
    on: 'community',
    given: [created],
    command: (actorRole) => ({
      type: 'ChangeCommunitySettings',
      settings: { ...created.data, name: 'Renamed' },
      actorRole,
    }),
  },
  EraseCommunity: {
    permission: 'community.erase',
    on: 'community',
    given: [created],
    command: (actorRole) => ({ type: 'EraseCommunity', reason: 'Closing', actorRole }),
  },
};

function outcome(guarded: Guarded, role: CommunityRole): 'allowed' | 'refused' {
  const context = by(asUser(ACTOR), now);
  try {
    const events =
      guarded.on === 'membership'
        ? membershipDecider.decide(guarded.command(role), fold(membershipDecider, guarded.given), context)
        : communityDecider.decide(guarded.command(role), fold(communityDecider, guarded.given), context);
    expect(events.length).toBeGreaterThan(0);
    return 'allowed';
  } catch (error) {
    expect(error).toBeInstanceOf(DomainError);
    expect(error).toMatchObject({ code: 'FORBIDDEN', reason: 'MISSING_PERMISSION' });
    return 'refused';
  }
}

describe('the deciders walk the table', () => {
  for (const [command, guarded] of Object.entries(GUARDED)) {
    it.each(COMMUNITY_ROLES)(`${command} (${guarded.permission}) by a %s`, (role) => {
      expect(outcome(guarded, role)).toBe(can(role, guarded.permission) ? 'allowed' : 'refused');
    });
  }
});
