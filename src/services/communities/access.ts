import { type LoadDeps, loadAggregate } from '../../commands/load-aggregate.ts';
import { communityAggregate } from '../../domain/communities/community-decider.ts';
import { requireRole } from '../../domain/communities/community-permission.ts';
import {
  type CommunityVisibility,
  communityPersonOf,
  type MembershipStatus,
  sameId,
} from '../../domain/communities/community-values.ts';
import { membershipAggregate } from '../../domain/communities/membership-decider.ts';
import type { CommunityPermission, CommunityRole } from '../../domain/communities/policy.ts';
import { communityMemberStream, communityStream } from '../../domain/communities/streams.ts';
import type { Actor } from '../../domain/shared/decider.ts';
import { forbidden, notFound } from '../../domain/shared/domain-error.ts';

/**
 * The write side's authority over a community: what its own stream and a person's membership
 * stream say, never the read model. A member banned or a moderator demoted a moment ago is refused
 * at once, whatever the projection has caught up with.
 */
export interface CommunityOnRecord {
  communityId: string;
  name: string;
  visibility: CommunityVisibility;
  createdBy: string;
  minTrustToStartThreads: number;
  minTrustToPostLinks: number;
  erased: boolean;
}

export interface MembershipOnRecord {
  status: MembershipStatus;
  /** Held while a member; null otherwise. */
  role: CommunityRole | null;
}

/** The community as its stream tells it; null when there is none (an erased one says `erased`). */
export async function communityOnRecord(
  deps: LoadDeps,
  communityId: string,
): Promise<CommunityOnRecord | null> {
  const { state } = await loadAggregate(deps, communityAggregate, communityStream(communityId.toLowerCase()));
  if (state.status === 'none') return null;
  const { name, visibility, createdBy, minTrustToStartThreads, minTrustToPostLinks } = state;
  return {
    communityId: state.communityId,
    name,
    visibility,
    createdBy,
    minTrustToStartThreads,
    minTrustToPostLinks,
    erased: state.status === 'erased',
  };
}

/**
 * A person's membership as their stream tells it. The community's creator is its owner whatever
 * their stream says (see membership-decider.ts), so the community is read too unless the caller
 * hands it in.
 */
export async function membershipOnRecord(
  deps: LoadDeps,
  communityId: string,
  userId: string,
  community?: CommunityOnRecord | null,
): Promise<MembershipOnRecord> {
  const owner = community === undefined ? await communityOnRecord(deps, communityId) : community;
  if (owner && sameId(owner.createdBy, userId)) return { status: 'member', role: 'owner' };
  const { state } = await loadAggregate(
    deps,
    membershipAggregate,
    communityMemberStream(communityId, userId),
  );
  return { status: state.status, role: state.status === 'member' ? state.role : null };
}

/**
 * The actor's right to `permission` in the community, on record. Whoever may not learn the
 * community exists (it is missing or erased, or invite-only and they are neither member, invitee
 * nor banned from it) is told NOT_FOUND COMMUNITY_NOT_FOUND; anyone else without the right
 * FORBIDDEN: SIGN_IN_REQUIRED, BANNED, NOT_A_MEMBER, MISSING_PERMISSION. An API key acts for its
 * owner.
 */
export async function requireCommunityPermission(
  deps: LoadDeps,
  communityId: string,
  actor: Actor,
  permission: CommunityPermission,
): Promise<{ community: CommunityOnRecord; userId: string; role: CommunityRole }> {
  const userId = communityPersonOf(actor).toLowerCase();
  const community = await communityOnRecord(deps, communityId);
  if (!community || community.erased) throw notFound('COMMUNITY_NOT_FOUND', 'No such community');
  const membership = await membershipOnRecord(deps, communityId, userId, community);
  refuseUnseen(community.visibility, membership.status);
  if (membership.status === 'banned') throw forbidden('BANNED', 'You are banned from this community');
  return { community, userId, role: requireRole(membership.role, permission) };
}

/**
 * An invite-only community does not exist for anyone it has no record of: not a member, not
 * invited, not banned (who was banned knows it exists), not someone who left it.
 */
export function refuseUnseen(visibility: CommunityVisibility, status: MembershipStatus): void {
  if (visibility === 'invite_only' && status === 'none') {
    throw notFound('COMMUNITY_NOT_FOUND', 'No such community');
  }
}
