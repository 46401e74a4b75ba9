import type { KeyLists } from './community-key-lists.ts';

export const COMMUNITY_COMMUNITIES = 'community_communities';
export const COMMUNITY_MEMBERS = 'community_members';

/**
 * Per community, the key of everyone with a member row, listed for erasure to find (see
 * community-key-lists.ts): a 50,000-member community is 100 list rows, and adding someone
 * rewrites one of them.
 */
export const MEMBER_KEYS: KeyLists = {
  lists: 'community_member_lists',
  counts: 'community_member_list_counts',
};
