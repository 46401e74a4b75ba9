import type { ReadModelWriter, Row } from '../projection.ts';

export const LEARNING_PATHS = 'community_learning_paths';
export const LEARNING_MODULES = 'community_learning_modules';
export const LEARNING_MODULE_VERSIONS = 'community_learning_module_versions';
export const LEARNING_CHECKPOINTS = 'community_checkpoints';
export const LEARNING_CHECKPOINT_VERSIONS = 'community_checkpoint_versions';
/**
 * Per community, the ids of its paths, modules and checkpoints. The projection writes and deletes
 * rows by key only, so erasing a community needs every id under a key it can name. One row per
 * community: learning content is written by a few mentors (hundreds of modules, not the millions
 * of posts discussions bucket for), so rewriting the list on each new item stays cheap.
 */
export const LEARNING_CONTENTS = 'community_learning_contents';

type Kind = 'path_ids' | 'module_ids' | 'checkpoint_ids';
const contentsKey = (communityId: string) => ({ community_id: communityId.toLowerCase() });
const idsOf = (row: Row | undefined, kind: Kind): string[] =>
  Array.isArray(row?.[kind])
    ? (row[kind] as unknown[]).filter((id): id is string => typeof id === 'string')
    : [];

/** Notes a new path, module or checkpoint under its community, for erasure to find. */
export async function listLearningItem(
  writer: ReadModelWriter,
  communityId: string,
  kind: Kind,
  id: string,
): Promise<void> {
  const key = contentsKey(communityId);
  const row = await writer.get(LEARNING_CONTENTS, key);
  const ids = idsOf(row, kind);
  if (ids.includes(id.toLowerCase())) return;
  writer.upsert(LEARNING_CONTENTS, {
    ...key,
    path_ids: idsOf(row, 'path_ids'),
    module_ids: idsOf(row, 'module_ids'),
    checkpoint_ids: idsOf(row, 'checkpoint_ids'),
    [kind]: [...ids, id.toLowerCase()],
  });
}

/**
 * A community erased leaves no row here (titles, bodies, questions, versions, authors), so a
 * rebuild, which applies the content and then the erasure, ends the same as the live model.
 */
export async function eraseCommunityLearning(writer: ReadModelWriter, communityId: string): Promise<void> {
  const key = contentsKey(communityId);
  const row = await writer.get(LEARNING_CONTENTS, key);
  for (const pathId of idsOf(row, 'path_ids')) writer.delete(LEARNING_PATHS, { ...key, path_id: pathId });
  for (const moduleId of idsOf(row, 'module_ids')) {
    const module = await writer.get(LEARNING_MODULES, { ...key, module_id: moduleId });
    for (let version = 1; version <= Number(module?.latest_version ?? 0); version += 1) {
      writer.delete(LEARNING_MODULE_VERSIONS, { ...key, module_id: moduleId, version });
    }
    writer.delete(LEARNING_MODULES, { ...key, module_id: moduleId });
  }
  for (const checkpointId of idsOf(row, 'checkpoint_ids')) {
    const checkpoint = await writer.get(LEARNING_CHECKPOINTS, { ...key, checkpoint_id: checkpointId });
    for (let version = 1; version <= Number(checkpoint?.latest_version ?? 0); version += 1) {
      writer.delete(LEARNING_CHECKPOINT_VERSIONS, { ...key, checkpoint_id: checkpointId, version });
    }
    writer.delete(LEARNING_CHECKPOINTS, { ...key, checkpoint_id: checkpointId });
  }
  writer.delete(LEARNING_CONTENTS, key);
}
