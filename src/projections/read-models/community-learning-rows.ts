import type { KeyLists } from './community-key-lists.ts';

export const LEARNING_PATHS = 'community_learning_paths';
export const LEARNING_MODULES = 'community_learning_modules';
export const LEARNING_MODULE_VERSIONS = 'community_learning_module_versions';
export const LEARNING_CHECKPOINTS = 'community_checkpoints';
export const LEARNING_CHECKPOINT_VERSIONS = 'community_checkpoint_versions';
/**
 * Per community, the key of every path, module, checkpoint and version row, listed for erasure to
 * find (community-key-lists.ts): a community erased leaves no row here (titles, bodies,
 * questions, versions, authors), so a rebuild, which applies the content and then the erasure,
 * ends the same as the live model.
 */
export const LEARNING_KEYS: KeyLists = {
  lists: 'community_learning_key_lists',
  counts: 'community_learning_key_counts',
};
