import type { Decider } from '../shared/decider.ts';
import { conflict, notFound, validation } from '../shared/domain-error.ts';
import { authorOf, MAX_PATH_MODULES, pathDescription, pathTitle, sameIds } from './module-values.ts';
import type { LearningPathCommand } from './path-commands.ts';
import { type LearningPathEvent, learningPathEventCatalogue } from './path-events.ts';
import {
  type CreatedPath,
  evolveLearningPath,
  initialLearningPathState,
  type LearningPathState,
} from './path-state.ts';
import { ownedByCommunity } from './streams.ts';

export const learningPathDecider: Decider<LearningPathCommand, LearningPathEvent, LearningPathState> = {
  initialState: initialLearningPathState,
  evolve: evolveLearningPath,
  decide(command, state, context) {
    const by = authorOf(context.actor);
    if (command.type === 'CreateLearningPath') {
      if (state.status !== 'none') throw conflict('PATH_EXISTS', 'This learning path already exists');
      const { communityId, pathId } = command;
      const { title, description } = detailsOf(command);
      return [
        { type: 'LearningPathCreated', data: { communityId, pathId, title, description, createdBy: by } },
      ];
    }
    const path = existing(state);
    const ids = { communityId: path.communityId, pathId: path.pathId };
    switch (command.type) {
      case 'UpdateLearningPath': {
        const details = detailsOf(command);
        if (details.title === path.title && details.description === path.description) return [];
        return [{ type: 'LearningPathUpdated', data: { ...ids, ...details, updatedBy: by } }];
      }
      case 'OrderLearningPathModules': {
        const moduleIds = command.moduleIds.map((id) => id.toLowerCase());
        if (new Set(moduleIds).size !== moduleIds.length) {
          throw validation('DUPLICATE_MODULE', 'A module appears once in a path');
        }
        if (moduleIds.length > MAX_PATH_MODULES) {
          throw validation('TOO_MANY_MODULES', `A path has at most ${MAX_PATH_MODULES} modules`, {
            max: MAX_PATH_MODULES,
          });
        }
        const ofPath = new Set(command.modulesOfPath.map((id) => id.toLowerCase()));
        const stranger = moduleIds.find((id) => !ofPath.has(id));
        if (stranger) {
          throw notFound('MODULE_NOT_FOUND', 'The path has no such module', { moduleId: stranger });
        }
        if (sameIds(moduleIds, path.moduleIds)) return [];
        return [{ type: 'LearningPathModulesOrdered', data: { ...ids, moduleIds, orderedBy: by } }];
      }
      case 'PublishLearningPath': {
        if (path.moduleIds.length === 0) {
          throw conflict('PATH_EMPTY', 'Order at least one module into the path before publishing it');
        }
        const published = new Set(command.publishedModules.map((id) => id.toLowerCase()));
        const unpublished = path.moduleIds.filter((id) => !published.has(id.toLowerCase()));
        if (unpublished.length > 0) {
          throw conflict('MODULE_NOT_PUBLISHED', 'Every module of the path needs a published version first', {
            moduleIds: unpublished,
          });
        }
        if (path.publishedVersion > 0 && sameIds(path.moduleIds, path.publishedModuleIds)) return [];
        return [
          {
            type: 'LearningPathPublished',
            data: {
              ...ids,
              version: path.publishedVersion + 1,
              moduleIds: [...path.moduleIds],
              publishedBy: by,
            },
          },
        ];
      }
      default: {
        const unknown: never = command;
        throw new Error(`Unknown learning path command ${JSON.stringify(unknown)}`);
      }
    }
  },
};

export const learningPathAggregate = {
  decider: learningPathDecider,
  catalogue: learningPathEventCatalogue,
  communityOf: ownedByCommunity,
};

function existing(state: LearningPathState): CreatedPath {
  if (state.status === 'none') throw notFound('PATH_NOT_FOUND', 'No such learning path');
  return state;
}

function detailsOf(input: { title: string; description: string }) {
  const title = pathTitle.safeParse(input.title);
  if (!title.success) throw validation('INVALID_TITLE', 'A path title is 1–200 characters');
  const description = pathDescription.safeParse(input.description);
  if (!description.success)
    throw validation('INVALID_DESCRIPTION', 'A path description is at most 5,000 characters');
  return { title: title.data, description: description.data === '' ? null : description.data };
}
