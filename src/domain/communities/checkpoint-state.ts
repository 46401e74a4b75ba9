import type { CheckpointEvent } from './checkpoint-events.ts';
import {
  type CheckpointGenerator,
  type CheckpointQuestion,
  type CheckpointRules,
  type CheckpointSource,
  parseQuestions,
} from './checkpoint-values.ts';

export interface CheckpointVersion extends CheckpointRules {
  version: number;
  questions: CheckpointQuestion[];
  source: CheckpointSource;
  generator: CheckpointGenerator | null;
  draftedBy: string;
}

export interface DraftedCheckpoint {
  status: 'drafted';
  communityId: string;
  pathId: string;
  moduleId: string;
  checkpointId: string;
  /** Oldest first; `versions[n - 1]` is version n. */
  versions: readonly CheckpointVersion[];
  /** What learners take; a later draft waits for its own approval. */
  approvedVersion: number | null;
}

export type CheckpointState = { status: 'none' } | DraftedCheckpoint;

export const initialCheckpointState: CheckpointState = { status: 'none' };

export function evolveCheckpoint(state: CheckpointState, event: CheckpointEvent): CheckpointState {
  switch (event.type) {
    case 'CheckpointDrafted':
    case 'CheckpointRevised': {
      const { communityId, pathId, moduleId, checkpointId, questions, ...rest } = event.data;
      const version: CheckpointVersion = { ...rest, questions: parseQuestions(questions) };
      if (event.type === 'CheckpointDrafted') {
        return {
          status: 'drafted',
          communityId,
          pathId,
          moduleId,
          checkpointId,
          versions: [version],
          approvedVersion: null,
        };
      }
      return state.status === 'none' ? state : { ...state, versions: [...state.versions, version] };
    }
    case 'CheckpointApproved':
      return state.status === 'none' ? state : { ...state, approvedVersion: event.data.version };
    default:
      return state;
  }
}

export const latestCheckpointVersion = (checkpoint: DraftedCheckpoint): CheckpointVersion =>
  checkpoint.versions.at(-1) as CheckpointVersion;

export const checkpointVersion = (checkpoint: DraftedCheckpoint, version: number | null) =>
  version === null ? undefined : checkpoint.versions.find((candidate) => candidate.version === version);
