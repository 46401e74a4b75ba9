import type { LikedKind, LikeEvent } from './like-events.ts';

/** One person's like of one piece of content: the stream holds its whole on/off history. */
export type LikeState =
  | { status: 'none' }
  | {
      status: 'liked' | 'unliked';
      userId: string;
      targetKind: LikedKind;
      targetId: string;
      authorId: string;
    };

export const initialLikeState: LikeState = { status: 'none' };

export function evolveLike(state: LikeState, event: LikeEvent): LikeState {
  switch (event.type) {
    case 'ContentLiked':
      return { status: 'liked', ...event.data };
    case 'ContentUnliked':
      return { status: 'unliked', ...event.data };
    default:
      return state;
  }
}
