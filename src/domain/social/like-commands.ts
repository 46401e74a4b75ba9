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
  /**
   * For a comment: the liker cannot see the video it is on (deleted, private to someone else,
   * hidden, or its owner and the liker blocked one another). Always false for a video.
   */
  videoUnseen: boolean;
}

/** Unliking needs no facts: a like of something since deleted can still be taken back. */
export type LikeCommand = { type: 'Like'; content: LikedContent | null } | { type: 'Unlike' };
