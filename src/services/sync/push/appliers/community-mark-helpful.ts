import { markCommunityPostHelpful } from '../../../communities/discussions.ts';
import type { SyncApplier } from '../applier.ts';
import { visiblePost } from './visible-post.ts';

/**
 * `community.markHelpful`: marking the reply the change names. The use case takes no idempotency
 * key: a reply is marked helpful once, so deciding it again stores nothing.
 */
export const communityMarkHelpful: SyncApplier = {
  async locate(deps, context, _userId, change) {
    return (await visiblePost(deps, context, change.entityId)).located;
  },
  async apply(deps, context, change) {
    await markCommunityPostHelpful(deps, context, { postId: change.entityId });
    return null;
  },
};
