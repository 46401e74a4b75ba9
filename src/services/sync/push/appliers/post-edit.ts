import { editCommunityPost } from '../../../communities/discussions.ts';
import type { SyncApplier } from '../applier.ts';
import { postNotFound, visiblePost } from './visible-post.ts';

/**
 * `post.edit`: the person's own live post. Another's post (or one taken down) reads as none before
 * anything else: a conflict on it must never be queued with its words as the "server's side".
 */
export const postEdit: SyncApplier = {
  async locate(deps, context, userId, change) {
    const { post, located } = await visiblePost(deps, context, change.entityId);
    if (post.authorId.toLowerCase() !== userId || post.status !== 'active') throw postNotFound();
    return located;
  },
  async apply(deps, context, change, payload) {
    await editCommunityPost(deps, context, {
      postId: change.entityId,
      title: payload.title ?? null,
      body: payload.body,
      idempotencyKey: change.changeId,
    });
    return null;
  },
};
