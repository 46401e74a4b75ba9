import type { CommunityRole } from './policy.ts';
import type { Post } from './post-state.ts';

/**
 * The person acting, as the service found them on record: a member of the post's community (anyone
 * else was refused before a command was made) and the role they hold there now.
 */
export interface PostingMember {
  userId: string;
  role: CommunityRole;
}

/**
 * The trust gates as the community sets them, and the member's trust score there (0–100, from the
 * trust read model). The service reads the score only when a gate could refuse; otherwise 0, which
 * passes a minimum of 0 and is never read for owners and moderators (exempt).
 */
export interface TrustFacts {
  trust: number;
  minTrustToStartThreads: number;
  minTrustToPostLinks: number;
}

export type CommunityPostCommand =
  | {
      type: 'StartCommunityThread';
      communityId: string;
      postId: string;
      /** As typed; trimmed here. */
      title: string;
      body: string;
      member: PostingMember;
      trust: TrustFacts;
    }
  | {
      type: 'ReplyInCommunity';
      communityId: string;
      postId: string;
      /** The post answered, from its own stream; null when there is none. */
      parent: Post | null;
      /** The parent's thread opener (the parent itself when it is the opener); null when none. */
      thread: Post | null;
      body: string;
      member: PostingMember;
      trust: TrustFacts;
    }
  | {
      /** `title` only for a thread opener (null keeps it); a reply has none. */
      type: 'EditCommunityPost';
      title: string | null;
      body: string;
      member: PostingMember;
      trust: TrustFacts;
    }
  | { type: 'DeleteCommunityPost'; member: PostingMember }
  | { type: 'RemoveCommunityPost'; reason: string; member: PostingMember }
  | { type: 'PinCommunityThread'; member: PostingMember }
  | { type: 'UnpinCommunityThread'; member: PostingMember }
  | {
      type: 'MarkCommunityPostHelpful';
      member: PostingMember;
      /** The reply's thread opener, from its stream (its author may mark replies whatever their role). */
      thread: Post | null;
    };

export type CommunityPostCommandOf<Type extends CommunityPostCommand['type']> = Extract<
  CommunityPostCommand,
  { type: Type }
>;
