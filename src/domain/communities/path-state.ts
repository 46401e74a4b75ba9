import type { LearningPathEvent } from './path-events.ts';

export interface CreatedPath {
  status: 'created';
  communityId: string;
  pathId: string;
  title: string;
  description: string | null;
  createdBy: string;
  moduleIds: readonly string[];
  /** 0 until first published. */
  publishedVersion: number;
  publishedModuleIds: readonly string[];
}

export type LearningPathState = { status: 'none' } | CreatedPath;

export const initialLearningPathState: LearningPathState = { status: 'none' };

export function evolveLearningPath(state: LearningPathState, event: LearningPathEvent): LearningPathState {
  if (event.type === 'LearningPathCreated') {
    const { communityId, pathId, title, description, createdBy } = event.data;
    return {
      status: 'created',
      communityId,
      pathId,
      title,
      description,
      createdBy,
      moduleIds: [],
      publishedVersion: 0,
      publishedModuleIds: [],
    };
  }
  if (state.status === 'none') return state;
  switch (event.type) {
    case 'LearningPathUpdated':
      return { ...state, title: event.data.title, description: event.data.description };
    case 'LearningPathModulesOrdered':
      return { ...state, moduleIds: event.data.moduleIds };
    case 'LearningPathPublished':
      return { ...state, publishedVersion: event.data.version, publishedModuleIds: event.data.moduleIds };
    default:
      return state;
  }
}
