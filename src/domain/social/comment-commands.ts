/**
 * The video a comment is about, as the service read it from the video's own stream (and the
 * comment settings and block list) before deciding. Null when there is no such video.
 */
export interface CommentedVideo {
  videoId: string;
  ownerId: string;
  deleted: boolean;
  /** The owner turned comments off for this video. */
  commentsOff: boolean;
  /** The commenter and the video's owner blocked one another (either way). */
  blockedWithOwner: boolean;
}

/** The comment replied to, from its own stream. Null when there is no such comment. */
export interface ParentComment {
  commentId: string;
  videoId: string;
  rootId: string;
  depth: number;
  deleted: boolean;
  /** Moderators hid it or the text check holds it: it is not there to reply to. */
  hidden: boolean;
  /** The replier and the parent's author blocked one another (either way). */
  blockedWithAuthor: boolean;
}

export interface Mention {
  username: string;
  userId: string;
}

export type CommentCommand =
  | {
      type: 'PostComment';
      commentId: string;
      video: CommentedVideo | null;
      /** Null for a top-level comment. */
      parentId: string | null;
      parent: ParentComment | null;
      body: string;
      /** The usernames the body mentions that name someone, resolved by the service. */
      mentions: readonly Mention[];
      /** The text check flagged the words and their hold is stored: the comment is posted held. */
      held?: boolean;
    }
  | {
      type: 'EditComment';
      body: string;
      mentions: readonly Mention[];
      /** As for PostComment: the new words were flagged and their hold is stored. */
      held?: boolean;
    }
  /** `videoOwnerId`: the owner of the video it is on may delete it too (null when the video is gone). */
  | { type: 'DeleteComment'; videoOwnerId: string | null };
