import type { EventCodec } from '../../commands/event-codec.ts';
import {
  type CheckpointEvent,
  checkpointEventCatalogue,
} from '../../domain/communities/checkpoint-events.ts';
import {
  type LearningModuleEvent,
  learningModuleEventCatalogue,
} from '../../domain/communities/module-events.ts';
import { type LearningPathEvent, learningPathEventCatalogue } from '../../domain/communities/path-events.ts';
import type { RecordedEvent } from '../../eventstore/port.ts';
import type { Projection, ReadModelWriter, Row } from '../projection.ts';
import { eraseListedRows, keyCountRow, keyListTables, listKey } from './community-key-lists.ts';
import {
  LEARNING_CHECKPOINT_VERSIONS,
  LEARNING_CHECKPOINTS,
  LEARNING_KEYS,
  LEARNING_MODULE_VERSIONS,
  LEARNING_MODULES,
  LEARNING_PATHS,
} from './community-learning-rows.ts';
import { occurredAt } from './occurred-at.ts';

export const COMMUNITY_LEARNING_PROJECTION = 'community_learning';

/** H1's event: read from its raw data (ids are never encrypted), so no catalogue is needed here. */
const COMMUNITY_ERASED = 'CommunityErased';

/**
 * Learning paths, modules and checkpoints of every community, keyed by (community, id). Every
 * version of a module and a checkpoint keeps its row (with its author and time), so publishers
 * list versions and learners read the published/approved one by key. `position` (the store's
 * global position of the first event) orders paths and a path's modules oldest first.
 */
export function communityLearningProjection(codec: Pick<EventCodec, 'decode'>): Projection {
  return {
    name: COMMUNITY_LEARNING_PROJECTION,
    // 2: every row's key listed in the shared community key lists (community-key-lists.ts), so
    // erasure deletes versions without reading their module or checkpoint first.
    version: 2,
    eventTypes: [
      ...Object.keys(learningPathEventCatalogue),
      ...Object.keys(learningModuleEventCatalogue),
      ...Object.keys(checkpointEventCatalogue),
      COMMUNITY_ERASED,
    ],
    tables: {
      [LEARNING_PATHS]: {
        columns: `community_id uuid not null, path_id uuid not null, title text not null,
          description text, created_by uuid not null, module_ids jsonb not null,
          published_version int not null, published_module_ids jsonb not null,
          published_at timestamptz, position bigint not null, created_at timestamptz not null,
          updated_at timestamptz not null`,
        primaryKey: ['community_id', 'path_id'],
        indexes: ['(community_id, position)', '(path_id)'],
      },
      [LEARNING_MODULES]: {
        columns: `community_id uuid not null, module_id uuid not null, path_id uuid not null,
          title text not null, latest_version int not null, published_version int,
          created_by uuid not null, position bigint not null, created_at timestamptz not null,
          updated_at timestamptz not null`,
        primaryKey: ['community_id', 'module_id'],
        indexes: ['(community_id, path_id, position)', '(module_id)'],
      },
      [LEARNING_MODULE_VERSIONS]: {
        columns: `community_id uuid not null, module_id uuid not null, version int not null,
          title text not null, body text, media_asset_ids jsonb not null, edited_by uuid not null,
          edited_at timestamptz not null`,
        primaryKey: ['community_id', 'module_id', 'version'],
      },
      [LEARNING_CHECKPOINTS]: {
        columns: `community_id uuid not null, checkpoint_id uuid not null, path_id uuid not null,
          module_id uuid not null, latest_version int not null, approved_version int,
          approved_by uuid, approved_at timestamptz, position bigint not null,
          created_at timestamptz not null, updated_at timestamptz not null`,
        primaryKey: ['community_id', 'checkpoint_id'],
        indexes: ['(community_id, module_id, position)', '(checkpoint_id)'],
      },
      [LEARNING_CHECKPOINT_VERSIONS]: {
        columns: `community_id uuid not null, checkpoint_id uuid not null, version int not null,
          questions text, pass_mark int not null, max_attempts int not null,
          cooldown_seconds int not null, source text not null, generator jsonb,
          drafted_by uuid not null, drafted_at timestamptz not null`,
        primaryKey: ['community_id', 'checkpoint_id', 'version'],
      },
      ...keyListTables(LEARNING_KEYS),
    },
    async apply(recorded, writer) {
      if (recorded.type === COMMUNITY_ERASED) {
        const communityId = stringField(recorded, 'communityId');
        if (communityId) await eraseListedRows(writer, LEARNING_KEYS, communityId);
        return;
      }
      const at = occurredAt(recorded);
      const position = recorded.position.toString();
      const path = await codec.decode(learningPathEventCatalogue, recorded);
      if (path) return applyPath(path.event, writer, at, position);
      const module = await codec.decode(learningModuleEventCatalogue, recorded);
      if (module) return applyModule(module.event, writer, at, position);
      const checkpoint = await codec.decode(checkpointEventCatalogue, recorded);
      if (checkpoint) return applyCheckpoint(checkpoint.event, writer, at, position);
    },
    prefetch: (events) => events.flatMap(prefetchOf),
  };
}

const lower = (ids: readonly string[]) => ids.map((id) => id.toLowerCase());
const pathKey = (communityId: string, pathId: string) => ({
  community_id: communityId.toLowerCase(),
  path_id: pathId.toLowerCase(),
});
const moduleKey = (communityId: string, moduleId: string) => ({
  community_id: communityId.toLowerCase(),
  module_id: moduleId.toLowerCase(),
});
const checkpointKey = (communityId: string, checkpointId: string) => ({
  community_id: communityId.toLowerCase(),
  checkpoint_id: checkpointId.toLowerCase(),
});

async function applyPath(event: LearningPathEvent, writer: ReadModelWriter, at: string, position: string) {
  const key = pathKey(event.data.communityId, event.data.pathId);
  switch (event.type) {
    case 'LearningPathCreated':
      writer.upsert(LEARNING_PATHS, {
        ...key,
        title: event.data.title,
        description: event.data.description,
        created_by: event.data.createdBy.toLowerCase(),
        module_ids: [],
        published_version: 0,
        published_module_ids: [],
        published_at: null,
        position,
        created_at: at,
        updated_at: at,
      });
      await listKey(writer, LEARNING_KEYS, event.data.communityId, LEARNING_PATHS, key);
      return;
    case 'LearningPathUpdated':
      await writer.update(LEARNING_PATHS, key, {
        title: event.data.title,
        description: event.data.description,
        updated_at: at,
      });
      return;
    case 'LearningPathModulesOrdered':
      await writer.update(LEARNING_PATHS, key, { module_ids: lower(event.data.moduleIds), updated_at: at });
      return;
    case 'LearningPathPublished':
      await writer.update(LEARNING_PATHS, key, {
        published_version: event.data.version,
        published_module_ids: lower(event.data.moduleIds),
        published_at: at,
        updated_at: at,
      });
      return;
  }
}

async function applyModule(
  event: LearningModuleEvent,
  writer: ReadModelWriter,
  at: string,
  position: string,
) {
  const key = moduleKey(event.data.communityId, event.data.moduleId);
  switch (event.type) {
    case 'LearningModuleDrafted':
    case 'LearningModuleRevised': {
      const { version, title, body, mediaAssetIds, editedBy } = event.data;
      // Each drafting or revision makes a new version: its row is new.
      await listKey(writer, LEARNING_KEYS, event.data.communityId, LEARNING_MODULE_VERSIONS, {
        ...key,
        version,
      });
      writer.upsert(LEARNING_MODULE_VERSIONS, {
        ...key,
        version,
        title,
        body,
        media_asset_ids: lower(mediaAssetIds),
        edited_by: editedBy.toLowerCase(),
        edited_at: at,
      });
      if (event.type === 'LearningModuleDrafted') {
        writer.upsert(LEARNING_MODULES, {
          ...key,
          path_id: event.data.pathId.toLowerCase(),
          title,
          latest_version: version,
          published_version: null,
          created_by: editedBy.toLowerCase(),
          position,
          created_at: at,
          updated_at: at,
        });
        await listKey(writer, LEARNING_KEYS, event.data.communityId, LEARNING_MODULES, key);
      } else {
        await writer.update(LEARNING_MODULES, key, { title, latest_version: version, updated_at: at });
      }
      return;
    }
    case 'LearningModulePublished':
      await writer.update(LEARNING_MODULES, key, { published_version: event.data.version, updated_at: at });
      return;
  }
}

async function applyCheckpoint(
  event: CheckpointEvent,
  writer: ReadModelWriter,
  at: string,
  position: string,
) {
  const key = checkpointKey(event.data.communityId, event.data.checkpointId);
  switch (event.type) {
    case 'CheckpointDrafted':
    case 'CheckpointRevised': {
      const data = event.data;
      await listKey(writer, LEARNING_KEYS, data.communityId, LEARNING_CHECKPOINT_VERSIONS, {
        ...key,
        version: data.version,
      });
      writer.upsert(LEARNING_CHECKPOINT_VERSIONS, {
        ...key,
        version: data.version,
        questions: data.questions,
        pass_mark: data.passMark,
        max_attempts: data.maxAttempts,
        cooldown_seconds: data.cooldownSeconds,
        source: data.source,
        generator: data.generator,
        drafted_by: data.draftedBy.toLowerCase(),
        drafted_at: at,
      });
      if (event.type === 'CheckpointDrafted') {
        writer.upsert(LEARNING_CHECKPOINTS, {
          ...key,
          path_id: data.pathId.toLowerCase(),
          module_id: data.moduleId.toLowerCase(),
          latest_version: data.version,
          approved_version: null,
          approved_by: null,
          approved_at: null,
          position,
          created_at: at,
          updated_at: at,
        });
        await listKey(writer, LEARNING_KEYS, data.communityId, LEARNING_CHECKPOINTS, key);
      } else {
        await writer.update(LEARNING_CHECKPOINTS, key, { latest_version: data.version, updated_at: at });
      }
      return;
    }
    case 'CheckpointApproved':
      await writer.update(LEARNING_CHECKPOINTS, key, {
        approved_version: event.data.version,
        approved_by: event.data.approvedBy.toLowerCase(),
        approved_at: at,
        updated_at: at,
      });
      return;
  }
}

function stringField(recorded: RecordedEvent, name: string): string | null {
  const data = recorded.data;
  if (typeof data !== 'object' || data === null) return null;
  const value = Reflect.get(data, name);
  return typeof value === 'string' ? value : null;
}

/** The rows an event will read, from its raw data (ids are never encrypted). */
function prefetchOf(recorded: RecordedEvent): { table: string; key: Row }[] {
  const communityId = stringField(recorded, 'communityId');
  if (communityId === null) return [];
  const contents = keyCountRow(LEARNING_KEYS, communityId);
  const moduleId = stringField(recorded, 'moduleId');
  const checkpointId = stringField(recorded, 'checkpointId');
  const pathId = stringField(recorded, 'pathId');
  switch (recorded.type) {
    case COMMUNITY_ERASED:
    case 'LearningPathCreated':
    case 'LearningModuleDrafted':
    case 'CheckpointDrafted':
      return [contents];
    case 'CheckpointRevised':
      return checkpointId
        ? [contents, { table: LEARNING_CHECKPOINTS, key: checkpointKey(communityId, checkpointId) }]
        : [contents];
    case 'CheckpointApproved':
      return checkpointId
        ? [{ table: LEARNING_CHECKPOINTS, key: checkpointKey(communityId, checkpointId) }]
        : [];
    case 'LearningModuleRevised':
      return moduleId
        ? [contents, { table: LEARNING_MODULES, key: moduleKey(communityId, moduleId) }]
        : [contents];
    case 'LearningModulePublished':
      return moduleId ? [{ table: LEARNING_MODULES, key: moduleKey(communityId, moduleId) }] : [];
    default:
      return pathId ? [{ table: LEARNING_PATHS, key: pathKey(communityId, pathId) }] : [];
  }
}
