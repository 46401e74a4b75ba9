/** How many people one person may follow: enough for anyone, and a bound on a home feed page's work. */
export const MAX_FOLLOWING = 7_500;

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
  | {
      type: 'Follow';
      followeeId: string;
      followee: SocialUserFacts | null;
      /**
       * How many people the follower follows, as the read model shows it. A soft bound: two
       * follows racing at the cap may both pass, which costs one follow over, never a lost one.
       */
      followingCount: number;
    }
  | { type: 'Unfollow'; followeeId: string }
  | { type: 'Block'; blockedId: string; blocked: SocialUserFacts | null }
  | { type: 'Unblock'; blockedId: string };
