import { requireRole } from '../../domain/communities/community-permission.ts';
import type { CommunityPermission, CommunityRole } from '../../domain/communities/policy.ts';
import { forbidden } from '../../domain/shared/domain-error.ts';
import type { CommunityView } from './community-mappers.ts';

/**
 * The reader's right to `permission` in a community, judged from the community view a field hangs
 * off: that view was read with the reader's standing (role, status), so its fields ask no query
 * of their own and a list of 100 communities costs no 100 permission checks. Refuses as
 * requireReadPermission does (FORBIDDEN SIGN_IN_REQUIRED, BANNED, NOT_A_MEMBER, MISSING_PERMISSION).
 */
export function standingIn(
  community: CommunityView,
  permission: CommunityPermission,
): { readerId: string; role: CommunityRole } {
  if (community.viewerId === null) throw forbidden('SIGN_IN_REQUIRED', 'Sign in first');
  if (community.myStatus === 'BANNED') throw forbidden('BANNED', 'You are banned from this community');
  return {
    readerId: community.viewerId.toLowerCase(),
    role: requireRole(community.viewerRole, permission),
  };
}
