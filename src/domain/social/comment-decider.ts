import { validOr } from '../brands/validate.ts';
import type { Actor, Decider, DecisionContext } from '../shared/decider.ts';
import { conflict, forbidden, notFound, validation } from '../shared/domain-error.ts';
import type { CommentCommand, Mention } from './comment-commands.ts';
import { type CommentEvent, commentEventCatalogue } from './comment-events.ts';
import {
  type CommentState,
  evolveComment,
  initialCommentState,
  type PostedComment,
} from './comment-state.ts';
import { commentBody, MAX_COMMENT_LENGTH, mentionedUsernames } from './comment-values.ts';

type CommandOf<Type extends CommentCommand['type']> = Extract<CommentCommand, { type: Type }>;

export const commentDecider: Decider<CommentCommand, CommentEvent, CommentState> = {
  initialState: initialCommentState,
  evolve: evolveComment,
  decide(command, state, context) {
    if (command.type === 'PostComment') return postComment(command, state, context);
    if (state.status === 'none') throw notFound('COMMENT_NOT_FOUND', 'No such comment');
    switch (command.type) {
      case 'EditComment':
        return editComment(command, state, context);
      case 'DeleteComment':
        return deleteComment(command, state, context);
      default: {
        const unknown: never = command;
        throw new Error(`Unknown comment command ${JSON.stringify(unknown)}`);
      }
    }
  },
};

export const commentAggregate = { decider: commentDecider, catalogue: commentEventCatalogue };

/** The person a comment is by: a signed-in user or the owner of the API key that posts it. */
function commenterOf(actor: Actor): string {
  if (actor.kind === 'user') return actor.userId;
  if (actor.kind === 'integration') return actor.ownerId;
  if (actor.kind === 'anonymous') throw forbidden('SIGN_IN_REQUIRED', 'Sign in first');
  throw forbidden('PEOPLE_ONLY', 'Only a person comments');
}

/**
 * Checked in this order: the body (nothing about the video is revealed by a bad body), the video
 * (a blocked commenter is told the video is not there, as they cannot see it), then the parent
 * (one the replier cannot see is not there either).
 */
function postComment(
  command: CommandOf<'PostComment'>,
  state: CommentState,
  { actor }: DecisionContext,
): CommentEvent[] {
  if (state.status !== 'none') throw conflict('COMMENT_EXISTS', 'This comment already exists');
  const authorId = commenterOf(actor);
  const body = validBody(command.body);
  const { video, parentId, parent } = command;
  if (video === null || video.deleted || video.blockedWithOwner) {
    throw notFound('VIDEO_POST_NOT_FOUND', 'No such video post');
  }
  if (video.commentsOff) throw forbidden('COMMENTS_OFF', 'Comments are off for this video');
  let thread = { parentId: null as string | null, rootId: command.commentId, depth: 0 };
  if (parentId !== null) {
    // A comment the replier cannot see (hidden, held, or by someone blocked either way) is not
    // there to them: the same answer as a missing one, so a reply reveals nothing about it.
    if (parent === null || parent.commentId !== parentId || parent.hidden || parent.blockedWithAuthor) {
      throw notFound('COMMENT_NOT_FOUND', 'No such comment to reply to');
    }
    if (parent.videoId !== video.videoId) {
      throw validation('PARENT_ON_OTHER_VIDEO', 'A reply must be on the same video as its comment');
    }
    if (parent.deleted) throw conflict('COMMENT_DELETED', 'This comment was deleted; it takes no replies');
    thread = { parentId, rootId: parent.rootId, depth: parent.depth + 1 };
  }
  return [
    {
      type: 'CommentPosted',
      data: {
        commentId: command.commentId,
        videoId: video.videoId,
        authorId,
        ...thread,
        body,
        mentions: mentionsIn(body, command.mentions, authorId),
        ...heldFlag(command.held),
      },
    },
  ];
}

/** An edit to the same words decides nothing; only the author edits, and never a deleted comment. */
function editComment(
  command: CommandOf<'EditComment'>,
  comment: PostedComment,
  { actor }: DecisionContext,
): CommentEvent[] {
  if (commenterOf(actor) !== comment.authorId) {
    throw forbidden('NOT_COMMENT_AUTHOR', 'Only the author edits a comment');
  }
  if (comment.status === 'deleted') throw notFound('COMMENT_DELETED', 'This comment was deleted');
  const body = validBody(command.body);
  if (body === comment.body) return [];
  return [
    {
      type: 'CommentEdited',
      data: {
        commentId: comment.commentId,
        videoId: comment.videoId,
        body,
        mentions: mentionsIn(body, command.mentions, comment.authorId),
        ...heldFlag(command.held),
      },
    },
  ];
}

/**
 * Written only when true, so an unflagged comment's event is what it always was. The comment's own
 * read model hides a held comment from this event alone: the moderation projection that also hides
 * it may lag behind (run in another group, or isolated after a failure).
 */
const heldFlag = (held: boolean | undefined) => (held === true ? { held: true as const } : {});

/** The author, the video's owner, moderators and admins delete; deleting twice decides nothing. */
function deleteComment(
  command: CommandOf<'DeleteComment'>,
  comment: PostedComment,
  { actor }: DecisionContext,
): CommentEvent[] {
  const deletedBy = deleterOf(actor, comment, command.videoOwnerId);
  if (comment.status === 'deleted') return [];
  return [
    { type: 'CommentDeleted', data: { commentId: comment.commentId, videoId: comment.videoId, deletedBy } },
  ];
}

function deleterOf(actor: Actor, comment: PostedComment, videoOwnerId: string | null): string {
  if (actor.kind === 'system') return `system:${actor.process}`;
  if (actor.kind === 'user' && (actor.role === 'moderator' || actor.role === 'admin')) return actor.userId;
  const person = commenterOf(actor);
  if (person === comment.authorId || person === videoOwnerId) return person;
  throw forbidden(
    'NOT_COMMENT_AUTHOR',
    'Only the author, the video’s owner or a moderator deletes a comment',
  );
}

function validBody(raw: string): string {
  if (raw.trim().length === 0) throw validation('EMPTY_COMMENT', 'A comment needs some text');
  return validOr(commentBody, raw, 'COMMENT_TOO_LONG', `comment (at most ${MAX_COMMENT_LENGTH} characters)`);
}

/**
 * The mentions the words really hold, resolved to the people they named: names the service
 * resolved but the body does not mention are dropped, and nobody mentions themselves.
 */
function mentionsIn(body: string, resolved: readonly Mention[], authorId: string): Mention[] {
  const names = mentionedUsernames(body);
  const byName = new Map(resolved.map((mention) => [mention.username.toLowerCase(), mention.userId]));
  return names.flatMap((username) => {
    const userId = byName.get(username);
    return userId === undefined || userId === authorId ? [] : [{ username, userId }];
  });
}
