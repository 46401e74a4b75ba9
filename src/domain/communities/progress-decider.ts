import type { Decider } from '../shared/decider.ts';
import { notFound, validation } from '../shared/domain-error.ts';
import { CLIENT_CLOCK_TOLERANCE_MS } from './attempt-decider.ts';
import { type ProgressEvent, progressEventCatalogue } from './progress-events.ts';
import { ownedByCommunity } from './streams.ts';

/** A published module the learner can see, as the service found it; null when there is none for them. */
export interface CompletedModule {
  communityId: string;
  pathId: string;
  moduleId: string;
}

export type ProgressCommand = {
  type: 'CompleteLearningModule';
  pathId: string;
  moduleId: string;
  userId: string;
  module: CompletedModule | null;
  clientTime: string;
};

/** The modules of this path the learner has completed. */
export interface ProgressState {
  completedModuleIds: readonly string[];
}

export const initialProgressState: ProgressState = { completedModuleIds: [] };

export function evolveProgress(state: ProgressState, event: ProgressEvent): ProgressState {
  if (event.type !== 'LearningModuleCompleted') return state;
  if (state.completedModuleIds.includes(event.data.moduleId)) return state;
  return { completedModuleIds: [...state.completedModuleIds, event.data.moduleId] };
}

/**
 * Completing a module: once per module (completing it again decides nothing, so an offline client
 * may resend), only a published module of this path the learner can see (NOT_FOUND
 * MODULE_NOT_FOUND), with a client time not ahead of the server beyond the clock tolerance.
 */
export const progressDecider: Decider<ProgressCommand, ProgressEvent, ProgressState> = {
  initialState: initialProgressState,
  evolve: evolveProgress,
  decide(command, state, { now }) {
    const { module } = command;
    if (module === null || module.moduleId !== command.moduleId || module.pathId !== command.pathId) {
      throw notFound('MODULE_NOT_FOUND', 'No such module');
    }
    if (Date.parse(command.clientTime) > now.getTime() + CLIENT_CLOCK_TOLERANCE_MS) {
      throw validation('CLIENT_TIME_IN_FUTURE', 'The client time is in the future');
    }
    if (state.completedModuleIds.includes(module.moduleId)) return [];
    return [
      {
        type: 'LearningModuleCompleted',
        data: {
          communityId: module.communityId,
          pathId: module.pathId,
          moduleId: module.moduleId,
          userId: command.userId,
          clientTime: command.clientTime,
        },
      },
    ];
  },
};

export const progressAggregate = {
  decider: progressDecider,
  catalogue: progressEventCatalogue,
  communityOf: ownedByCommunity,
};
