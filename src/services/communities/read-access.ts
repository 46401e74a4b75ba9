import type pg from 'pg';
import { z } from 'zod';
import { requireRole } from '../../domain/communities/community-permission.ts';
import { type CommunityVisibility, sameId } from '../../domain/communities/community-values.ts';
import type { CommunityPermission, CommunityRole } from '../../domain/communities/policy.ts';
import { forbidden, notFound } from '../../domain/shared/domain-error.ts';
import type { MembershipOnRecord } from './access.ts';

type Queryable = Pick<pg.Pool, 'query'>;

/**
 * The read side's judgement of who may see what in a community, from the `communities` read
 * model (one query): for queries, which read projections anyway. Mutations judge from the
 * streams instead (access.ts).
 */
export interface CommunityReadAccess {
  communityId: string;
  visibility: CommunityVisibility;
  role: CommunityRole | null;
  status: MembershipOnRecord['status'];
}

const uuid = z.uuid();

/**
 * Null when the community does not exist, is erased, or is invite-only and the caller has no
 * record with it (neither member, invitee, requester, former member nor banned): to them it does
 * not exist. The creator is its owner whatever the membership rows say (see membership-decider.ts).
 */
export async function communityReadAccess(
  pool: Queryable,
  communityId: string,
  userId: string | null,
): Promise<CommunityReadAccess | null> {
  if (!uuid.safeParse(communityId).success || (userId !== null && !uuid.safeParse(userId).success))
    return null;
  const { rows } = await pool.query<{
    visibility: CommunityVisibility;
    created_by: string;
    role: CommunityRole | null;
    status: MembershipOnRecord['status'] | null;
  }>(
    `select c.visibility, c.created_by, m.role, m.status
       from community_communities c
       left join community_members m on m.community_id = c.community_id and m.user_id = $2::uuid
      where c.community_id = $1::uuid and not c.erased`,
    [communityId, userId],
  );
  const row = rows[0];
  if (!row) return null;
  const id = communityId.toLowerCase();
  if (userId !== null && sameId(row.created_by, userId)) {
    return { communityId: id, visibility: row.visibility, role: 'owner', status: 'member' };
  }
  const status = row.status ?? 'none';
  if (row.visibility === 'invite_only' && status === 'none') return null;
  return { communityId: id, visibility: row.visibility, role: status === 'member' ? row.role : null, status };
}

/**
 * Throws as requireCommunityPermission does (NOT_FOUND COMMUNITY_NOT_FOUND; FORBIDDEN
 * SIGN_IN_REQUIRED, BANNED, NOT_A_MEMBER, MISSING_PERMISSION), judged from the read model.
 */
export async function requireReadPermission(
  pool: Queryable,
  communityId: string,
  userId: string | null,
  permission: CommunityPermission,
): Promise<CommunityReadAccess & { role: CommunityRole }> {
  const access = await communityReadAccess(pool, communityId, userId);
  if (!access) throw notFound('COMMUNITY_NOT_FOUND', 'No such community');
  if (userId === null) throw forbidden('SIGN_IN_REQUIRED', 'Sign in first');
  if (access.status === 'banned') throw forbidden('BANNED', 'You are banned from this community');
  return { ...access, role: requireRole(access.role, permission) };
}
