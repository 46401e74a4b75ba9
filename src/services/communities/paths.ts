import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import { type LoadDeps, loadAggregate } from '../../commands/load-aggregate.ts';
import { learningPathAggregate } from '../../domain/communities/path-decider.ts';
import type { CreatedPath } from '../../domain/communities/path-state.ts';
import { learningPathStream } from '../../domain/communities/streams.ts';
import { commandIdFor, type RequestContext } from '../shared/command-context.ts';
import { moduleOnRecord } from './checkpoint-record.ts';
import type { CommunityDeps } from './deps.ts';
import { idempotencyKey, issue, learningId, looseText, requirePublisher } from './paths-input.ts';
import { pathNotFound, unseenAsMissing } from './unseen-as-missing.ts';

export const createPathInput = z.object({
  input: z.object({
    communityId: learningId,
    title: looseText,
    description: looseText.nullish(),
    idempotencyKey,
  }),
});
export const updatePathInput = z.object({
  input: z.object({ pathId: learningId, title: looseText, description: looseText.nullish() }),
});
export const orderModulesInput = z.object({ pathId: learningId, moduleIds: z.array(learningId).max(400) });
export const pathIdInput = z.object({ pathId: learningId });

/**
 * The path as its stream tells it; NOT_FOUND PATH_NOT_FOUND when there is none. The changes below
 * answer the same to whoever may not see the path's community (unseen-as-missing.ts).
 */
export async function pathOnRecord(deps: LoadDeps, pathId: string): Promise<CreatedPath> {
  const { state } = await loadAggregate(deps, learningPathAggregate, learningPathStream(pathId));
  if (state.status === 'none') throw pathNotFound();
  return state;
}

/**
 * A new path in a community, by someone who may publish there. Its id is the command's, so a
 * retry with the same idempotency key finds the path it made instead of making a second one.
 */
export async function createLearningPath(deps: CommunityDeps, context: RequestContext, raw: unknown) {
  const { input } = createPathInput.parse(raw);
  await requirePublisher(deps, input.communityId, context.actor);
  const pathId = commandIdFor(context, 'createLearningPath', input);
  await issue(deps, context, learningPathAggregate, learningPathStream(pathId), pathId, {
    type: 'CreateLearningPath',
    communityId: input.communityId,
    pathId,
    title: input.title,
    description: input.description ?? '',
  });
  return pathId;
}

export async function updateLearningPath(deps: CommunityDeps, context: RequestContext, raw: unknown) {
  const { input } = updatePathInput.parse(raw);
  const path = await pathOnRecord(deps, input.pathId);
  await unseenAsMissing(requirePublisher(deps, path.communityId, context.actor), pathNotFound);
  await issue(deps, context, learningPathAggregate, learningPathStream(path.pathId), randomUUID(), {
    type: 'UpdateLearningPath',
    title: input.title,
    description: input.description ?? '',
  });
  return path.pathId;
}

/**
 * The order modules are shown and taken in. Each named module's own stream says whether it is a
 * module of this path (one in another path or community is MODULE_NOT_FOUND); at most 400 are
 * read, the decider allowing 100.
 */
export async function orderLearningPathModules(deps: CommunityDeps, context: RequestContext, raw: unknown) {
  const { pathId, moduleIds } = orderModulesInput.parse(raw);
  const path = await pathOnRecord(deps, pathId);
  await unseenAsMissing(requirePublisher(deps, path.communityId, context.actor), pathNotFound);
  const modules = await Promise.all(moduleIds.map((moduleId) => moduleOnRecord(deps, moduleId)));
  const modulesOfPath = modules.flatMap((module) =>
    module && module.pathId === path.pathId && module.communityId === path.communityId
      ? [module.moduleId]
      : [],
  );
  await issue(deps, context, learningPathAggregate, learningPathStream(path.pathId), randomUUID(), {
    type: 'OrderLearningPathModules',
    moduleIds,
    modulesOfPath,
  });
  return path.pathId;
}

/** Learners see the path as ordered now, once every module in it has a published version. */
export async function publishLearningPath(deps: CommunityDeps, context: RequestContext, raw: unknown) {
  const { pathId } = pathIdInput.parse(raw);
  const path = await pathOnRecord(deps, pathId);
  await unseenAsMissing(requirePublisher(deps, path.communityId, context.actor), pathNotFound);
  const modules = await Promise.all(path.moduleIds.map((moduleId) => moduleOnRecord(deps, moduleId)));
  const publishedModules = modules.flatMap((module) =>
    module && module.publishedVersion !== null ? [module.moduleId] : [],
  );
  await issue(deps, context, learningPathAggregate, learningPathStream(path.pathId), randomUUID(), {
    type: 'PublishLearningPath',
    publishedModules,
  });
  return path.pathId;
}
