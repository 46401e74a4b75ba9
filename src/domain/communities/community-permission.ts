import { forbidden } from '../shared/domain-error.ts';
import { type CommunityPermission, type CommunityRole, can } from './policy.ts';

/**
 * The one way a decision checks the permissions table: someone who holds no role in the community
 * is FORBIDDEN NOT_A_MEMBER (a moderator of another community included), a role without the
 * permission FORBIDDEN MISSING_PERMISSION naming it. Answers the role, now known to be held.
 */
export function requireRole(role: CommunityRole | null, permission: CommunityPermission): CommunityRole {
  if (role === null) throw forbidden('NOT_A_MEMBER', 'You are not a member of this community');
  if (!can(role, permission)) {
    throw forbidden('MISSING_PERMISSION', `Your role in this community does not allow ${permission}`, {
      permission,
      role,
    });
  }
  return role;
}
