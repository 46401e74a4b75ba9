import type { VideoPostEvent } from './video-events.ts';
import type { VideoVisibility } from './video-values.ts';

export interface VideoPost {
  status: 'active' | 'deleted';
  postId: string;
  ownerId: string;
  assetId: string;
  title: string;
  description: string;
  tags: readonly string[];
  visibility: VideoVisibility;
}

export type VideoPostState = { status: 'none' } | VideoPost;

export const initialVideoPostState: VideoPostState = { status: 'none' };

export function evolveVideoPost(state: VideoPostState, event: VideoPostEvent): VideoPostState {
  if (event.type === 'VideoPostCreated') return { status: 'active', ...event.data };
  if (state.status === 'none') return state;
  switch (event.type) {
    case 'VideoPostUpdated': {
      const { title, description, tags, visibility } = event.data.changes;
      return {
        ...state,
        ...(title !== undefined ? { title } : {}),
        ...(description !== undefined ? { description } : {}),
        ...(tags !== undefined ? { tags } : {}),
        ...(visibility !== undefined ? { visibility } : {}),
      };
    }
    case 'VideoPostDeleted':
      return { ...state, status: 'deleted' };
    default:
      return state;
  }
}
