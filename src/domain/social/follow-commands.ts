/**
 * What the service read from the other person's own stream before deciding: a decider sees only
 * its own stream. Null when there is no such user.
 */
export interface SocialUserFacts {
  userId: string;
  status: 'active' | 'deactivated' | 'forgotten';
}

/**
 * Commands on the tie between two people. The acting person is one side (from the actor); `other`
 * names the other side, with the facts about them the service read.
 */
export type FollowCommand =
  | { type: 'Follow'; followeeId: string; followee: SocialUserFacts | null }
  | { type: 'Unfollow'; followeeId: string }
  | { type: 'Block'; blockedId: string; blocked: SocialUserFacts | null }
  | { type: 'Unblock'; blockedId: string };
