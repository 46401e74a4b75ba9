import type { LearningModuleEvent } from './module-events.ts';

export interface ModuleVersion {
  version: number;
  title: string;
  /** Null once the community's key is destroyed. */
  body: string | null;
  mediaAssetIds: readonly string[];
  editedBy: string;
}

export interface DraftedModule {
  status: 'drafted';
  communityId: string;
  pathId: string;
  moduleId: string;
  /** Oldest first; `versions[n - 1]` is version n. */
  versions: readonly ModuleVersion[];
  publishedVersion: number | null;
}

export type LearningModuleState = { status: 'none' } | DraftedModule;

export const initialLearningModuleState: LearningModuleState = { status: 'none' };

export function evolveLearningModule(
  state: LearningModuleState,
  event: LearningModuleEvent,
): LearningModuleState {
  switch (event.type) {
    case 'LearningModuleDrafted': {
      const { communityId, pathId, moduleId, ...version } = event.data;
      return {
        status: 'drafted',
        communityId,
        pathId,
        moduleId,
        versions: [version],
        publishedVersion: null,
      };
    }
    case 'LearningModuleRevised': {
      if (state.status === 'none') return state;
      const { communityId: _c, pathId: _p, moduleId: _m, ...version } = event.data;
      return { ...state, versions: [...state.versions, version] };
    }
    case 'LearningModulePublished':
      return state.status === 'none' ? state : { ...state, publishedVersion: event.data.version };
    default:
      return state;
  }
}

export const latestVersion = (module: DraftedModule): ModuleVersion =>
  module.versions.at(-1) as ModuleVersion;
