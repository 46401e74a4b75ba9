import type { Decider } from '../shared/decider.ts';
import { conflict, notFound, validation } from '../shared/domain-error.ts';
import type { CheckpointCommand } from './checkpoint-commands.ts';
import { type CheckpointEvent, checkpointEventCatalogue } from './checkpoint-events.ts';
import {
  type CheckpointState,
  type DraftedCheckpoint,
  evolveCheckpoint,
  initialCheckpointState,
  latestCheckpointVersion,
} from './checkpoint-state.ts';
import {
  type CheckpointRules,
  checkpointRulesSchema,
  serialiseQuestions,
  validateQuestions,
} from './checkpoint-values.ts';
import { authorOf } from './module-values.ts';
import { ownedByCommunity } from './streams.ts';

export const checkpointDecider: Decider<CheckpointCommand, CheckpointEvent, CheckpointState> = {
  initialState: initialCheckpointState,
  evolve: evolveCheckpoint,
  decide(command, state, context) {
    const by = authorOf(context.actor);
    if (command.type === 'DraftCheckpoint') {
      if (state.status !== 'none') throw conflict('CHECKPOINT_EXISTS', 'This checkpoint is already drafted');
      const { communityId, pathId, moduleId, checkpointId, generator } = command;
      return [
        {
          type: 'CheckpointDrafted',
          data: {
            communityId,
            pathId,
            moduleId,
            checkpointId,
            version: 1,
            questions: serialiseQuestions(validateQuestions(command.questions)),
            ...rulesOf(command),
            source: generator ? 'generated' : 'mentor',
            generator,
            draftedBy: by,
          },
        },
      ];
    }
    const checkpoint = existing(state);
    const latest = latestCheckpointVersion(checkpoint);
    switch (command.type) {
      case 'ReviseCheckpoint': {
        if (command.baseVersion !== latest.version) {
          throw conflict('STALE_VERSION', 'The checkpoint was revised since this version', {
            baseVersion: command.baseVersion,
            latestVersion: latest.version,
          });
        }
        const questions = serialiseQuestions(validateQuestions(command.questions));
        const rules = rulesOf(command);
        if (
          // Compared in the validator's key order, whatever order the stored JSON has.
          questions === serialiseQuestions(validateQuestions(latest.questions)) &&
          rules.passMark === latest.passMark &&
          rules.maxAttempts === latest.maxAttempts &&
          rules.cooldownSeconds === latest.cooldownSeconds
        ) {
          return [];
        }
        const { communityId, pathId, moduleId, checkpointId } = checkpoint;
        return [
          {
            type: 'CheckpointRevised',
            data: {
              communityId,
              pathId,
              moduleId,
              checkpointId,
              version: latest.version + 1,
              questions,
              ...rules,
              // A mentor's edit of a generated draft is the mentor's: the model no longer speaks for it.
              source: 'mentor',
              generator: null,
              draftedBy: by,
            },
          },
        ];
      }
      case 'ApproveCheckpoint': {
        if (!checkpoint.versions.some((version) => version.version === command.version)) {
          throw notFound('VERSION_NOT_FOUND', 'The checkpoint has no such version', {
            version: command.version,
          });
        }
        if (command.version !== latest.version) {
          // Approving what was since revised would approve what the reviewer has not seen.
          throw conflict('STALE_VERSION', 'The checkpoint was revised since this version', {
            version: command.version,
            latestVersion: latest.version,
          });
        }
        if (checkpoint.approvedVersion === command.version) return [];
        return [
          {
            type: 'CheckpointApproved',
            data: {
              communityId: checkpoint.communityId,
              checkpointId: checkpoint.checkpointId,
              version: command.version,
              approvedBy: by,
            },
          },
        ];
      }
      default: {
        const unknown: never = command;
        throw new Error(`Unknown checkpoint command ${JSON.stringify(unknown)}`);
      }
    }
  },
};

export const checkpointAggregate = {
  decider: checkpointDecider,
  catalogue: checkpointEventCatalogue,
  communityOf: ownedByCommunity,
};

function existing(state: CheckpointState): DraftedCheckpoint {
  if (state.status === 'none') throw notFound('CHECKPOINT_NOT_FOUND', 'No such checkpoint');
  return state;
}

function rulesOf(input: CheckpointRules): CheckpointRules {
  const rules = checkpointRulesSchema.safeParse(input);
  if (!rules.success) {
    throw validation(
      'INVALID_CHECKPOINT_RULES',
      'The pass mark is 0–100 %, attempts 1–100 and the cool-down 0 seconds to a week',
      { issues: rules.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`) },
    );
  }
  return rules.data;
}
