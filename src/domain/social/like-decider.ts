import type { Actor, Decider } from '../shared/decider.ts';
import { forbidden, notFound } from '../shared/domain-error.ts';
import type { LikeCommand, LikedContent } from './like-commands.ts';
import { type LikeEvent, likeEventCatalogue } from './like-events.ts';
import { evolveLike, initialLikeState, type LikeState } from './like-state.ts';

/**
 * One person's like of one video or comment, on its own stream (`like-<uuidv5(person, content)>`):
 * a thousand people liking one video at once append to a thousand streams and never wait on each
 * other. The count is the projector's: it sums these events into the read model in batches.
 */
export const likeDecider: Decider<LikeCommand, LikeEvent, LikeState> = {
  initialState: initialLikeState,
  evolve: evolveLike,
  decide(command, state, { actor }) {
    const userId = likerOf(actor);
    switch (command.type) {
      case 'Like': {
        const content = visible(command.content);
        if (state.status === 'liked') return [];
        return [{ type: 'ContentLiked', data: dataOf(userId, content) }];
      }
      case 'Unlike': {
        if (state.status !== 'liked') return [];
        const { targetKind, targetId, authorId } = state;
        return [{ type: 'ContentUnliked', data: { userId, targetKind, targetId, authorId } }];
      }
      default: {
        const unknown: never = command;
        throw new Error(`Unknown like command ${JSON.stringify(unknown)}`);
      }
    }
  },
};

export const likeAggregate = { decider: likeDecider, catalogue: likeEventCatalogue };

function likerOf(actor: Actor): string {
  if (actor.kind === 'user') return actor.userId;
  if (actor.kind === 'integration') return actor.ownerId;
  if (actor.kind === 'anonymous') throw forbidden('SIGN_IN_REQUIRED', 'Sign in first');
  throw forbidden('PEOPLE_ONLY', 'Only a person likes');
}

/**
 * Deleted content, content of someone the liker blocked or was blocked by, and a comment on a video
 * the liker cannot see are not there to like.
 */
function visible(content: LikedContent | null): LikedContent {
  if (content === null || content.deleted || content.blockedWithAuthor || content.videoUnseen) {
    const what = content?.kind ?? 'content';
    throw notFound(what === 'comment' ? 'COMMENT_NOT_FOUND' : 'VIDEO_POST_NOT_FOUND', `No such ${what}`);
  }
  return content;
}

const dataOf = (userId: string, content: LikedContent) => ({
  userId,
  targetKind: content.kind,
  targetId: content.id,
  authorId: content.authorId,
});
