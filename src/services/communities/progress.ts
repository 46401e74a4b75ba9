import { z } from 'zod';
import { progressAggregate } from '../../domain/communities/progress-decider.ts';
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
