import type { KeyLists } from './community-key-lists.ts';

export const COMMUNITY_POSTS = 'community_posts';
/**
 * Per community, the key of every post it holds (every one ever made), listed for erasure to find
 * (community-key-lists.ts): a community erased leaves no row here (words, authors, removal
 * reasons), so a rebuild, which applies the posts and then the erasure, ends the same.
 */
export const DISCUSSION_KEYS: KeyLists = {
  lists: 'community_discussion_lists',
  counts: 'community_discussion_counts',
};
