import type { CommentEvent } from './comment-events.ts';

export interface PostedComment {
  status: 'active' | 'deleted';
  commentId: string;
  videoId: string;
  authorId: string;
  parentId: string | null;
  rootId: string;
  depth: number;
  body: string;
}

export type CommentState = { status: 'none' } | PostedComment;

export const initialCommentState: CommentState = { status: 'none' };

export function evolveComment(state: CommentState, event: CommentEvent): CommentState {
  if (event.type === 'CommentPosted') {
    const { commentId, videoId, authorId, parentId, rootId, depth, body } = event.data;
    return { status: 'active', commentId, videoId, authorId, parentId, rootId, depth, body };
  }
  if (state.status === 'none') return state;
  switch (event.type) {
    case 'CommentEdited':
      return { ...state, body: event.data.body };
    case 'CommentDeleted':
      return { ...state, status: 'deleted' };
    default:
      return state;
  }
}
