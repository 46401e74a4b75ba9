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

interface ModuleCommand {
  pathId: string;
  moduleId: string;
  userId: string;
  module: CompletedModule | null;
  clientTime: string;
}

export type ProgressCommand =
  | ({ type: 'CompleteLearningModule' } & ModuleCommand)
  | ({ type: 'RecordModuleProgress'; percent: number } & ModuleCommand);

/**
 * The modules of this path the learner has completed, and per module the highest percent
 * recorded (a completed module counts as 100 whether or not a percent was ever recorded).
 */
export interface ProgressState {
  completedModuleIds: readonly string[];
  percentByModule: Readonly<Record<string, number>>;
}

export const initialProgressState: ProgressState = { completedModuleIds: [], percentByModule: {} };

export function evolveProgress(state: ProgressState, event: ProgressEvent): ProgressState {
  const { moduleId } = event.data;
  if (event.type === 'LearningModuleProgressed') {
    const known = state.percentByModule[moduleId] ?? -1;
    if (event.data.percent <= known) return state;
    return { ...state, percentByModule: { ...state.percentByModule, [moduleId]: event.data.percent } };
  }
  if (state.completedModuleIds.includes(moduleId)) return state;
  return { ...state, completedModuleIds: [...state.completedModuleIds, moduleId] };
}

/** The highest percent the learner reached in a module; null before anything was recorded. */
export function modulePercentOf(state: ProgressState, moduleId: string): number | null {
  if (state.completedModuleIds.includes(moduleId)) return 100;
  return state.percentByModule[moduleId] ?? null;
}

/**
 * A learner's progress through the modules of a path. Both commands concern only a published
 * module of this path the learner can see (NOT_FOUND MODULE_NOT_FOUND), with a client time not
 * ahead of the server beyond the clock tolerance (VALIDATION CLIENT_TIME_IN_FUTURE; the past is
 * fine: offline progress arrives late).
 * - Completing: once per module; completing it again decides nothing, so an offline client may resend.
 * - Recording a percent: progress only advances. A percent at or below the module's highest so far
 *   decides nothing (a stale device, or a resend); a higher one is recorded, and 100 also completes
 *   the module with the same client time.
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
    const completion: ProgressEvent = {
      type: 'LearningModuleCompleted',
      data: { ...moduleIds(module), userId: command.userId, clientTime: command.clientTime },
    };
    if (command.type === 'CompleteLearningModule') {
      return state.completedModuleIds.includes(module.moduleId) ? [] : [completion];
    }
    const { percent } = command;
    if (!Number.isInteger(percent) || percent < 0 || percent > 100) {
      throw validation('PERCENT_OUT_OF_RANGE', 'percent is a whole number from 0 to 100', { percent });
    }
    const highest = modulePercentOf(state, module.moduleId);
    if (highest !== null && percent <= highest) return [];
    const progressed: ProgressEvent = {
      type: 'LearningModuleProgressed',
      data: { ...moduleIds(module), userId: command.userId, percent, clientTime: command.clientTime },
    };
    return percent === 100 ? [progressed, completion] : [progressed];
  },
};

const moduleIds = (module: CompletedModule) => ({
  communityId: module.communityId,
  pathId: module.pathId,
  moduleId: module.moduleId,
});

export const progressAggregate = {
  decider: progressDecider,
  catalogue: progressEventCatalogue,
  communityOf: ownedByCommunity,
};
