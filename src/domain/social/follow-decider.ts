import { recordedAs } from '../brands/brand-access.ts';
import type { Actor, Decider, DecisionContext } from '../shared/decider.ts';
import { conflict, forbidden, notFound, validation } from '../shared/domain-error.ts';
import { type FollowCommand, MAX_FOLLOWING, type SocialUserFacts } from './follow-commands.ts';
import { type FollowEvent, followEventCatalogue } from './follow-events.ts';
import { evolveFollowTie, type FollowTie, initialFollowTie } from './follow-state.ts';

type CommandOf<Type extends FollowCommand['type']> = Extract<FollowCommand, { type: Type }>;

/**
 * The tie between two people, one stream per unordered pair. Follows and blocks of a pair live
 * together so that "a block ends both follows" and "a blocked person cannot follow" are decided on
 * one stream with one expected revision: a follow racing a block cannot both win. Nobody else
 * writes to a pair's stream, so a creator followed by thousands at once sees no contention: each
 * follower appends to their own pair.
 */
export const followDecider: Decider<FollowCommand, FollowEvent, FollowTie> = {
  initialState: initialFollowTie,
  evolve: evolveFollowTie,
  decide(command, state, context) {
    switch (command.type) {
      case 'Follow':
        return follow(command, state, context);
      case 'Unfollow':
        return unfollow(command, state, context);
      case 'Block':
        return block(command, state, context);
      case 'Unblock':
        return unblock(command, state, context);
      default: {
        const unknown: never = command;
        throw new Error(`Unknown follow command ${JSON.stringify(unknown)}`);
      }
    }
  },
};

/** The follow tie aggregate as the command pipeline takes it (an `AggregateSpec`). */
export const followAggregate = { decider: followDecider, catalogue: followEventCatalogue };

/** The person acting: a user, or the owner of the API key. Processes have no social graph. */
export function socialPersonOf(actor: Actor): string {
  if (actor.kind === 'system') throw forbidden('PEOPLE_ONLY', 'Only a person follows or blocks');
  return recordedAs(actor);
}

function follow(command: CommandOf<'Follow'>, tie: FollowTie, { actor }: DecisionContext): FollowEvent[] {
  const followerId = socialPersonOf(actor);
  const { followeeId } = command;
  if (followeeId === followerId) throw validation('CANNOT_FOLLOW_SELF', 'You cannot follow yourself');
  requireActiveUser(followeeId, command.followee);
  // Either direction refuses: the blocked may not follow, and the blocker unblocks first.
  if (tie.blockers.includes(followeeId)) throw forbidden('BLOCKED', 'This person blocked you');
  if (tie.blockers.includes(followerId)) {
    throw forbidden('YOU_BLOCKED_THEM', 'Unblock this person before following them');
  }
  if (tie.followers.includes(followerId)) return [];
  if (command.followingCount >= MAX_FOLLOWING) {
    throw conflict('FOLLOWING_LIMIT', `You follow ${MAX_FOLLOWING} people, the most one may`, {
      max: MAX_FOLLOWING,
    });
  }
  return [{ type: 'UserFollowed', data: { followerId, followeeId } }];
}

/** Unfollowing someone you do not follow decides nothing, as a repeated unfollow should. */
function unfollow(command: CommandOf<'Unfollow'>, tie: FollowTie, { actor }: DecisionContext): FollowEvent[] {
  const followerId = socialPersonOf(actor);
  if (command.followeeId === followerId) throw validation('CANNOT_FOLLOW_SELF', 'You cannot follow yourself');
  if (!tie.followers.includes(followerId)) return [];
  return [
    { type: 'UserUnfollowed', data: { followerId, followeeId: command.followeeId, cause: 'unfollowed' } },
  ];
}

/** A block ends the follows of both directions in the same append. */
function block(command: CommandOf<'Block'>, tie: FollowTie, { actor }: DecisionContext): FollowEvent[] {
  const blockerId = socialPersonOf(actor);
  const { blockedId } = command;
  if (blockedId === blockerId) throw validation('CANNOT_BLOCK_SELF', 'You cannot block yourself');
  if (tie.blockers.includes(blockerId)) return [];
  // Someone already forgotten may still be blocked: their old comments stay on the platform.
  if (command.blocked === null || command.blocked.userId !== blockedId) {
    throw notFound('USER_NOT_FOUND', 'No such user');
  }
  const ended: FollowEvent[] = tie.followers.map((followerId) => ({
    type: 'UserUnfollowed',
    data: {
      followerId,
      followeeId: followerId === blockerId ? blockedId : blockerId,
      cause: 'blocked',
    },
  }));
  return [{ type: 'UserBlocked', data: { blockerId, blockedId } }, ...ended];
}

/** Only the blocker lifts their own block; lifting one that is not there decides nothing. */
function unblock(command: CommandOf<'Unblock'>, tie: FollowTie, { actor }: DecisionContext): FollowEvent[] {
  const blockerId = socialPersonOf(actor);
  if (command.blockedId === blockerId) throw validation('CANNOT_BLOCK_SELF', 'You cannot block yourself');
  if (!tie.blockers.includes(blockerId)) return [];
  return [{ type: 'UserUnblocked', data: { blockerId, blockedId: command.blockedId } }];
}

/** Deactivated and forgotten accounts gain no followers: to a follower they are gone. */
function requireActiveUser(userId: string, facts: SocialUserFacts | null): void {
  if (facts === null || facts.userId !== userId) throw notFound('USER_NOT_FOUND', 'No such user');
  if (facts.status !== 'active') throw notFound('USER_GONE', 'This account no longer exists');
}
