import { type LoadDeps, loadAggregate } from '../../commands/load-aggregate.ts';
import { checkpointAggregate } from '../../domain/communities/checkpoint-decider.ts';
import { checkpointVersion } from '../../domain/communities/checkpoint-state.ts';
import type { CheckpointQuestion } from '../../domain/communities/checkpoint-values.ts';
import { learningModuleAggregate } from '../../domain/communities/module-decider.ts';
import { checkpointStream, learningModuleStream } from '../../domain/communities/streams.ts';

/**
 * A checkpoint as its own stream tells it (the write side's truth), at its approved version:
 * what learners take and what attempts are scored against. `questions` holds the correct answers;
 * never hand it to a learner. Before any approval, `approvedVersion` is null and the questions and
 * rules are those of the latest draft (nobody may attempt it yet). Null when there is no such
 * checkpoint.
 */
export interface CheckpointOnRecord {
  communityId: string;
  pathId: string;
  moduleId: string;
  checkpointId: string;
  approvedVersion: number | null;
  questions: CheckpointQuestion[];
  passMark: number;
  maxAttempts: number;
  cooldownSeconds: number;
}

export async function checkpointOnRecord(
  deps: LoadDeps,
  checkpointId: string,
): Promise<CheckpointOnRecord | null> {
  const { state } = await loadAggregate(
    deps,
    checkpointAggregate,
    checkpointStream(checkpointId.toLowerCase()),
  );
  if (state.status === 'none') return null;
  const version = checkpointVersion(state, state.approvedVersion) ?? state.versions.at(-1);
  if (!version) return null;
  return {
    communityId: state.communityId,
    pathId: state.pathId,
    moduleId: state.moduleId,
    checkpointId: state.checkpointId,
    approvedVersion: state.approvedVersion,
    questions: version.questions,
    passMark: version.passMark,
    maxAttempts: version.maxAttempts,
    cooldownSeconds: version.cooldownSeconds,
  };
}

/** A module as its stream tells it: where it belongs and which version learners see (null: none yet). */
export async function moduleOnRecord(
  deps: LoadDeps,
  moduleId: string,
): Promise<{
  communityId: string;
  pathId: string;
  moduleId: string;
  publishedVersion: number | null;
} | null> {
  const { state } = await loadAggregate(
    deps,
    learningModuleAggregate,
    learningModuleStream(moduleId.toLowerCase()),
  );
  if (state.status === 'none') return null;
  return {
    communityId: state.communityId,
    pathId: state.pathId,
    moduleId: state.moduleId,
    publishedVersion: state.publishedVersion,
  };
}
