import { z } from 'zod';
import { loadAggregate } from '../../commands/load-aggregate.ts';
import { modulePercentOf, progressAggregate } from '../../domain/communities/progress-decider.ts';
import { modulePercent } from '../../domain/communities/progress-events.ts';
import { learningProgressStream } from '../../domain/communities/streams.ts';
import { commandIdFor, envelope, execute, nowFrom, type RequestContext } from '../shared/command-context.ts';
import { requireCommunityPermission } from './access.ts';
import type { CommunityDeps } from './deps.ts';
import { clientTimeInput, communityUuid, idempotencyKey, visibleModule } from './progress-facts.ts';
import { moduleNotFound, unseenAsMissing } from './unseen-as-missing.ts';

export const completeModuleInput = z.object({
  moduleId: communityUuid,
  clientTime: clientTimeInput,
  idempotencyKey,
});

/**
 * A learner marks a published module they can see as completed (`learning.take`). Once per module:
 * completing it again stores nothing and answers the same. Answers the path and community.
 */
export async function completeLearningModule(
  deps: CommunityDeps,
  context: RequestContext,
  raw: unknown,
): Promise<{ communityId: string; pathId: string; moduleId: string }> {
  const parsed = completeModuleInput.parse(raw);
  const module = await visibleModule(deps, parsed.moduleId);
  if (module === null) throw moduleNotFound();
  const { userId } = await unseenAsMissing(
    requireCommunityPermission(deps, module.communityId, context.actor, 'learning.take'),
    moduleNotFound,
  );
  const commandId = commandIdFor(context, `completeLearningModule:${parsed.moduleId}`, parsed);
  await execute(
    deps,
    progressAggregate,
    learningProgressStream(module.pathId, userId),
    envelope(context, commandId, nowFrom(deps), {
      type: 'CompleteLearningModule',
      pathId: module.pathId,
      moduleId: module.moduleId,
      userId,
      module,
      clientTime: parsed.clientTime,
    }),
  );
  return module;
}

export const recordModuleProgressInput = z.object({
  moduleId: communityUuid,
  percent: modulePercent,
  clientTime: clientTimeInput,
  idempotencyKey,
});

export interface ModuleProgress {
  communityId: string;
  pathId: string;
  moduleId: string;
  /** The highest percent the learner reached (100 once completed), after this command. */
  percent: number;
  completed: boolean;
}

/**
 * A learner records how far through a published module they are (`learning.take`), as the same
 * learner completing it would be judged. Progress only advances: a percent at or below the highest
 * so far stores nothing (offline devices send stale values), and 100 completes the module. Answers
 * the module's progress as it now stands, whether or not this call moved it.
 */
export async function recordModuleProgress(
  deps: CommunityDeps,
  context: RequestContext,
  raw: unknown,
): Promise<ModuleProgress> {
  const parsed = recordModuleProgressInput.parse(raw);
  const module = await visibleModule(deps, parsed.moduleId);
  if (module === null) throw moduleNotFound();
  const { userId } = await unseenAsMissing(
    requireCommunityPermission(deps, module.communityId, context.actor, 'learning.take'),
    moduleNotFound,
  );
  const stream = learningProgressStream(module.pathId, userId);
  const commandId = commandIdFor(context, `recordModuleProgress:${parsed.moduleId}`, parsed);
  await execute(
    deps,
    progressAggregate,
    stream,
    envelope(context, commandId, nowFrom(deps), {
      type: 'RecordModuleProgress',
      pathId: module.pathId,
      moduleId: module.moduleId,
      userId,
      module,
      percent: parsed.percent,
      clientTime: parsed.clientTime,
    }),
  );
  // Read back rather than inferred from what this command appended: a call that stored nothing
  // answers the highest reached so far, which is what the device should now show.
  const { state } = await loadAggregate(deps, progressAggregate, stream);
  const percent = modulePercentOf(state, module.moduleId) ?? parsed.percent;
  return { ...module, percent, completed: state.completedModuleIds.includes(module.moduleId) };
}
