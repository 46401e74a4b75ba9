import type { CommunityVisibility } from './community-values.ts';
import type { CommunityRole } from './policy.ts';

/**
 * What a membership decision needs of the community, as its own stream tells it (the service
 * reads it with access.ts). An erased community never gets here: the service answers NOT_FOUND.
 */
export interface CommunityFacts {
  communityId: string;
  visibility: CommunityVisibility;
  /** The owner, whatever their membership stream says (see membership-state.ts). */
  createdBy: string;
}

/** A command a person issues about their own membership: the stream is theirs (the actor's). */
interface Own<Type extends string> {
  type: Type;
  community: CommunityFacts;
}

/** A command about someone else's membership, with the actor's role in the community. */
interface AboutSomeone<Type extends string> {
  type: Type;
  community: CommunityFacts;
  userId: string;
  actorRole: CommunityRole | null;
}

/**
 * Commands on one person's membership of one community (`communitymember-…`). Those about someone
 * else carry the actor's role in the community (null for none), read by the service from the
 * actor's own membership stream; the decider checks it against the permissions table.
 */
export type MembershipCommand =
  | Own<'JoinCommunity'>
  | Own<'AcceptCommunityInvitation'>
  | Own<'DeclineCommunityInvitation'>
  | Own<'LeaveCommunity'>
  | AboutSomeone<'ApproveJoinRequest'>
  | AboutSomeone<'DeclineJoinRequest'>
  | AboutSomeone<'InviteToCommunity'>
  | AboutSomeone<'UnbanFromCommunity'>
  | (AboutSomeone<'BanFromCommunity'> & { reason: string })
  | (AboutSomeone<'SetCommunityRole'> & { role: CommunityRole });

export type MembershipCommandOf<Type extends MembershipCommand['type']> = Extract<
  MembershipCommand,
  { type: Type }
>;
