import type { CommunityRole } from '../../domain/communities/policy.ts';
import { can } from '../../domain/communities/policy.ts';
import type { PostRow } from './discussion-queries.ts';

export interface PostView {
  __typename: 'CommunityThread' | 'CommunityReply';
  id: string;
  communityId: string;
  threadId: string;
  parentId: string | null;
  depth: number;
  authorId: string;
  title: string | null;
  body: string | null;
  status: 'ACTIVE' | 'DELETED' | 'REMOVED';
  helpful: boolean;
  pinned: boolean;
  replyCount: number;
  createdAt: string;
  lastActivityAt: string;
  editedAt: string | null;
  removal: { reason: string | null; removedBy: string; removedAt: string } | null;
}

/**
 * A post as `role` may see it: a removal's reason and who removed it go to those who may remove
 * posts (moderators and the owner); the words of a deleted or removed post are gone for everyone.
 */
export function toPostView(row: PostRow, role: CommunityRole | null): PostView {
  const moderating = can(role, 'discussion.remove_post');
  return {
    __typename: row.kind === 'thread' ? 'CommunityThread' : 'CommunityReply',
    id: row.post_id,
    communityId: row.community_id,
    threadId: row.thread_id,
    parentId: row.parent_id,
    depth: row.depth,
    authorId: row.author_id,
    title: row.status === 'active' ? row.title : null,
    body: row.status === 'active' ? row.body : null,
    status: row.status === 'active' ? 'ACTIVE' : row.status === 'deleted' ? 'DELETED' : 'REMOVED',
    helpful: row.helpful,
    pinned: row.pinned,
    replyCount: row.reply_count,
    createdAt: row.created_at.toISOString(),
    lastActivityAt: row.last_activity_at.toISOString(),
    editedAt: row.edited_at?.toISOString() ?? null,
    removal:
      moderating && row.status === 'removed' && row.removed_by !== null
        ? {
            reason: row.removal_reason,
            removedBy: row.removed_by,
            removedAt: (row.removed_at ?? row.last_activity_at).toISOString(),
          }
        : null,
  };
}
