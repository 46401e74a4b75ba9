import { sameId } from '../../domain/communities/community-values.ts';
import type { CommunityRole } from '../../domain/communities/policy.ts';
import type { CommunityRow, JoinRequestRow, MemberRow } from './community-queries.ts';

/** A community as one reader sees it (GraphQL enums in capitals). */
export interface CommunityView {
  id: string;
  name: string;
  description: string | null;
  language: string;
  region: string;
  visibility: string;
  rules: string | null;
  minTrustToStartThreads: number;
  minTrustToPostLinks: number;
  memberCount: number;
  myRole: string | null;
  myStatus: string;
  createdAt: string;
  /** Who reads (null: anonymous), and with which role: fields of other contexts judge from these. */
  viewerId: string | null;
  viewerRole: CommunityRole | null;
}

/**
 * The reader's standing from the row: the creator is the owner whatever the member rows say
 * (membership-decider.ts); null when the community is not theirs to see (invite-only, no record).
 */
export function standingOf(
  row: CommunityRow,
  readerId: string | null,
): { role: CommunityRole | null; status: string } | null {
  if (readerId !== null && sameId(row.created_by, readerId)) return { role: 'owner', status: 'member' };
  const status = row.my_status ?? 'none';
  if (row.visibility === 'invite_only' && status === 'none') return null;
  return { role: status === 'member' ? row.my_role : null, status };
}

/** Undefined when the reader may not see the community at all. */
export function toCommunity(row: CommunityRow, readerId: string | null): CommunityView | undefined {
  const standing = standingOf(row, readerId);
  if (!standing) return undefined;
  return {
    id: row.community_id,
    name: row.name,
    description: row.description,
    language: row.language,
    region: row.region,
    visibility: row.visibility.toUpperCase(),
    // The rules are the members' own: a passer-by reads the description.
    rules: standing.role ? row.rules : null,
    minTrustToStartThreads: row.min_trust_to_start_threads,
    minTrustToPostLinks: row.min_trust_to_post_links,
    memberCount: row.member_count,
    myRole: standing.role?.toUpperCase() ?? null,
    myStatus: standing.status.toUpperCase(),
    createdAt: row.created_at.toISOString(),
    viewerId: readerId,
    viewerRole: standing.role,
  };
}

export const toCommunityMember = (row: MemberRow) => ({
  userId: row.user_id,
  role: row.role.toUpperCase(),
  joinedAt: row.joined_at.toISOString(),
});

export const toJoinRequest = (row: JoinRequestRow) => ({
  userId: row.user_id,
  requestedAt: row.requested_at.toISOString(),
});
