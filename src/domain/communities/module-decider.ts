import type { Decider } from '../shared/decider.ts';
import { conflict, notFound, validation } from '../shared/domain-error.ts';
import type { LearningModuleCommand } from './module-commands.ts';
import { type LearningModuleEvent, learningModuleEventCatalogue } from './module-events.ts';
import {
  type DraftedModule,
  evolveLearningModule,
  initialLearningModuleState,
  type LearningModuleState,
  latestVersion,
} from './module-state.ts';
import { authorOf, MAX_MODULE_MEDIA, moduleBody, moduleTitle, sameIds } from './module-values.ts';
import { ownedByCommunity } from './streams.ts';

export const learningModuleDecider: Decider<LearningModuleCommand, LearningModuleEvent, LearningModuleState> =
  {
    initialState: initialLearningModuleState,
    evolve: evolveLearningModule,
    decide(command, state, context) {
      const editedBy = authorOf(context.actor);
      if (command.type === 'DraftLearningModule') {
        if (state.status !== 'none') throw conflict('MODULE_EXISTS', 'This module is already drafted');
        const { communityId, pathId, moduleId } = command;
        return [
          {
            type: 'LearningModuleDrafted',
            data: { communityId, pathId, moduleId, version: 1, ...contentOf(command), editedBy },
          },
        ];
      }
      const module = existing(state);
      const ids = { communityId: module.communityId, pathId: module.pathId, moduleId: module.moduleId };
      switch (command.type) {
        case 'ReviseLearningModule': {
          const latest = latestVersion(module);
          if (command.baseVersion !== latest.version) {
            throw conflict('STALE_VERSION', 'The module was revised since this version', {
              baseVersion: command.baseVersion,
              latestVersion: latest.version,
            });
          }
          const content = contentOf(command);
          // Saving what is already there makes no version: versions are changes.
          if (
            content.title === latest.title &&
            content.body === latest.body &&
            sameIds(content.mediaAssetIds, latest.mediaAssetIds)
          ) {
            return [];
          }
          return [
            {
              type: 'LearningModuleRevised',
              data: { ...ids, version: latest.version + 1, ...content, editedBy },
            },
          ];
        }
        case 'PublishLearningModule': {
          if (!module.versions.some((version) => version.version === command.version)) {
            throw notFound('VERSION_NOT_FOUND', 'The module has no such version', {
              version: command.version,
            });
          }
          if (module.publishedVersion === command.version) return [];
          // An older version may be published again: that is how a mistake is rolled back.
          return [
            {
              type: 'LearningModulePublished',
              data: { ...ids, version: command.version, publishedBy: editedBy },
            },
          ];
        }
        default: {
          const unknown: never = command;
          throw new Error(`Unknown learning module command ${JSON.stringify(unknown)}`);
        }
      }
    },
  };

export const learningModuleAggregate = {
  decider: learningModuleDecider,
  catalogue: learningModuleEventCatalogue,
  communityOf: ownedByCommunity,
};

function existing(state: LearningModuleState): DraftedModule {
  if (state.status === 'none') throw notFound('MODULE_NOT_FOUND', 'No such learning module');
  return state;
}

function contentOf(input: { title: string; body: string; mediaAssetIds: readonly string[] }) {
  const title = moduleTitle.safeParse(input.title);
  if (!title.success) throw validation('INVALID_TITLE', 'A module title is 1–200 characters');
  const body = moduleBody.safeParse(input.body);
  if (!body.success) throw validation('INVALID_BODY', 'A module body is 1–100,000 characters');
  const mediaAssetIds = input.mediaAssetIds.map((id) => id.toLowerCase());
  if (new Set(mediaAssetIds).size !== mediaAssetIds.length) {
    throw validation('DUPLICATE_MEDIA', 'A media asset appears once in a module');
  }
  if (mediaAssetIds.length > MAX_MODULE_MEDIA) {
    throw validation('TOO_MANY_MEDIA', `A module has at most ${MAX_MODULE_MEDIA} media`, {
      max: MAX_MODULE_MEDIA,
    });
  }
  return { title: title.data, body: body.data, mediaAssetIds };
}
