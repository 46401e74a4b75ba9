import type { PostStatus } from './discussion-values.ts';
import type { CommunityPostEvent } from './post-events.ts';

export interface Post {
  status: PostStatus;
  kind: 'thread' | 'reply';
  communityId: string;
  postId: string;
  /** The opener's id; its own for the opener. */
  threadId: string;
  parentId: string | null;
  authorId: string;
  depth: number;
  /** The latest words; null for a reply's title, once deleted or removed, or after erasure. */
  title: string | null;
  body: string | null;
  pinned: boolean;
  /** Marked helpful (once per post). */
  helpful: boolean;
}

export type CommunityPostState = { status: 'none' } | Post;

export const initialCommunityPostState: CommunityPostState = { status: 'none' };

export function evolveCommunityPost(
  state: CommunityPostState,
  event: CommunityPostEvent,
): CommunityPostState {
  switch (event.type) {
    case 'CommunityThreadStarted': {
      const { communityId, postId, authorId, title, body } = event.data;
      return {
        status: 'active',
        kind: 'thread',
        communityId,
        postId,
        threadId: postId,
        parentId: null,
        authorId,
        depth: 0,
        title,
        body,
        pinned: false,
        helpful: false,
      };
    }
    case 'CommunityReplyPosted': {
      const { communityId, postId, threadId, parentId, authorId, body, depth } = event.data;
      return {
        status: 'active',
        kind: 'reply',
        communityId,
        postId,
        threadId,
        parentId,
        authorId,
        depth,
        title: null,
        body,
        pinned: false,
        helpful: false,
      };
    }
  }
  if (state.status === 'none') return state;
  switch (event.type) {
    case 'CommunityPostEdited':
      return { ...state, title: state.kind === 'thread' ? event.data.title : null, body: event.data.body };
    case 'CommunityPostDeleted':
      return { ...state, status: 'deleted', title: null, body: null, pinned: false };
    case 'CommunityPostRemoved':
      return { ...state, status: 'removed', title: null, body: null, pinned: false };
    case 'CommunityThreadPinned':
      return { ...state, pinned: true };
    case 'CommunityThreadUnpinned':
      return { ...state, pinned: false };
    case 'CommunityPostMarkedHelpful':
      return { ...state, helpful: true };
    default:
      return state;
  }
}
