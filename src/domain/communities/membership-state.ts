import type { MembershipStatus } from './community-values.ts';
import type { MembershipEvent } from './membership-events.ts';
import type { CommunityRole } from './policy.ts';

export interface MembershipState {
  status: MembershipStatus;
  /** Held while a member; null otherwise. */
  role: CommunityRole | null;
  /** Who sent the pending invitation. */
  invitedBy: string | null;
}

export const initialMembershipState: MembershipState = { status: 'none', role: null, invitedBy: null };

export function evolveMembership(state: MembershipState, event: MembershipEvent): MembershipState {
  switch (event.type) {
    case 'CommunityMemberJoined':
      return { status: 'member', role: event.data.role, invitedBy: null };
    case 'CommunityJoinRequested':
      return { ...state, status: 'requested' };
    case 'CommunityMemberInvited':
      return { ...state, status: 'invited', invitedBy: event.data.invitedBy };
    case 'CommunityJoinRequestDeclined':
    case 'CommunityInvitationDeclined':
    case 'CommunityMemberUnbanned':
      // Back to a stranger: they may ask, or be invited, again.
      return initialMembershipState;
    case 'CommunityMemberLeft':
      return { status: 'left', role: null, invitedBy: null };
    case 'CommunityMemberBanned':
      return { status: 'banned', role: null, invitedBy: null };
    case 'CommunityMemberRoleChanged':
      return state.status === 'member' ? { ...state, role: event.data.role } : state;
    default:
      return state;
  }
}
