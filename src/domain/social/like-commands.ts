import type { LikedKind } from './like-events.ts';

/**
 * The liked video or comment, as the service read it from its own stream (and the block list)
 * before deciding. Null when there is no such content.
 */
export interface LikedContent {
  kind: LikedKind;
  id: string;
  authorId: string;
  deleted: boolean;
  /** The liker and the author blocked one another (either way): the content is not theirs to see. */
  blockedWithAuthor: boolean;
}

/** Unliking needs no facts: a like of something since deleted can still be taken back. */
export type LikeCommand = { type: 'Like'; content: LikedContent | null } | { type: 'Unlike' };
