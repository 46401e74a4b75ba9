import { markCommunityPostHelpful } from '../../../communities/discussions.ts';
import type { SyncApplier } from '../applier.ts';
import { visiblePost } from './visible-post.ts';

/**
 * `community.markHelpful`: marking the reply the change names, with the change id as the
 * idempotency key (a retry is answered by the command pipeline, not decided again).
 */
export const communityMarkHelpful: SyncApplier = {
  async locate(deps, context, _userId, change) {
    return (await visiblePost(deps, context, change.entityId)).located;
  },
  async apply(deps, context, change) {
    await markCommunityPostHelpful(deps, context, {
      postId: change.entityId,
      idempotencyKey: change.changeId,
    });
    return null;
  },
};
