import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import { type LoadDeps, loadAggregate } from '../../commands/load-aggregate.ts';
import { learningModuleAggregate } from '../../domain/communities/module-decider.ts';
import { type DraftedModule, latestVersion } from '../../domain/communities/module-state.ts';
import { authorOf } from '../../domain/communities/module-values.ts';
import { learningPathAggregate } from '../../domain/communities/path-decider.ts';
import { learningModuleStream, learningPathStream } from '../../domain/communities/streams.ts';
import { commandIdFor, type RequestContext } from '../shared/command-context.ts';
import type { CommunityDeps } from './deps.ts';
import { pathOnRecord } from './paths.ts';
import {
  idempotencyKey,
  issue,
  learningId,
  looseText,
  mediaIds,
  requireOwnReadyMedia,
  requirePublisher,
  version,
} from './paths-input.ts';
import { moduleNotFound, pathNotFound, unseenAsMissing } from './unseen-as-missing.ts';

export const draftModuleInput = z.object({
  input: z.object({
    pathId: learningId,
    title: looseText,
    body: looseText,
    mediaAssetIds: mediaIds.nullish(),
    idempotencyKey,
  }),
});
export const reviseModuleInput = z.object({
  input: z.object({
    moduleId: learningId,
    baseVersion: version,
    title: looseText,
    body: looseText,
    mediaAssetIds: mediaIds.nullish(),
  }),
});
export const publishModuleInput = z.object({ moduleId: learningId, version });

/** The module as its stream tells it; NOT_FOUND MODULE_NOT_FOUND when there is none. */
export async function draftedModule(deps: LoadDeps, moduleId: string): Promise<DraftedModule> {
  const { state } = await loadAggregate(deps, learningModuleAggregate, learningModuleStream(moduleId));
  if (state.status === 'none') throw moduleNotFound();
  return state;
}

/**
 * A new module of a path, version 1, which then joins the end of the path's order. Two streams:
 * should the process stop between them, the module exists unordered, and the publisher's view of
 * the path still lists it (ordering it is one call). Its id is the command's, so a retry with the
 * same idempotency key finds the module it made.
 */
export async function draftLearningModule(deps: CommunityDeps, context: RequestContext, raw: unknown) {
  const { input } = draftModuleInput.parse(raw);
  const path = await pathOnRecord(deps, input.pathId);
  const { userId } = await unseenAsMissing(
    requirePublisher(deps, path.communityId, context.actor),
    pathNotFound,
  );
  const mediaAssetIds = input.mediaAssetIds ?? [];
  await requireOwnReadyMedia(deps.pool, userId, mediaAssetIds);
  const moduleId = commandIdFor(context, 'draftLearningModule', input);
  await issue(deps, context, learningModuleAggregate, learningModuleStream(moduleId), moduleId, {
    type: 'DraftLearningModule',
    communityId: path.communityId,
    pathId: path.pathId,
    moduleId,
    title: input.title,
    body: input.body,
    mediaAssetIds,
  });
  const current = await pathOnRecord(deps, path.pathId);
  if (!current.moduleIds.includes(moduleId)) {
    await issue(deps, context, learningPathAggregate, learningPathStream(path.pathId), randomUUID(), {
      type: 'OrderLearningPathModules',
      moduleIds: [...current.moduleIds, moduleId],
      modulesOfPath: [...current.moduleIds, moduleId],
    });
  }
  return moduleId;
}

/** The next version, by any publisher of the community; media it adds must be the reviser's own. */
export async function reviseLearningModule(deps: CommunityDeps, context: RequestContext, raw: unknown) {
  const { input } = reviseModuleInput.parse(raw);
  const module = await draftedModule(deps, input.moduleId);
  await unseenAsMissing(requirePublisher(deps, module.communityId, context.actor), moduleNotFound);
  const mediaAssetIds = input.mediaAssetIds ?? [];
  await requireOwnReadyMedia(
    deps.pool,
    authorOf(context.actor),
    mediaAssetIds,
    latestVersion(module).mediaAssetIds,
  );
  await issue(deps, context, learningModuleAggregate, learningModuleStream(module.moduleId), randomUUID(), {
    type: 'ReviseLearningModule',
    baseVersion: input.baseVersion,
    title: input.title,
    body: input.body,
    mediaAssetIds,
  });
  return module.moduleId;
}

/** The version learners see from now on (an older one rolls a mistake back). */
export async function publishLearningModule(deps: CommunityDeps, context: RequestContext, raw: unknown) {
  const parsed = publishModuleInput.parse(raw);
  const module = await draftedModule(deps, parsed.moduleId);
  await unseenAsMissing(requirePublisher(deps, module.communityId, context.actor), moduleNotFound);
  await issue(deps, context, learningModuleAggregate, learningModuleStream(module.moduleId), randomUUID(), {
    type: 'PublishLearningModule',
    version: parsed.version,
  });
  return module.moduleId;
}
