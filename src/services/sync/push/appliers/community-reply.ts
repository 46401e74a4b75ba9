import { communityPostEventCatalogue } from '../../../../domain/communities/post-events.ts';
import { communityPostStream } from '../../../../domain/communities/streams.ts';
import { replyInCommunity } from '../../../communities/discussions.ts';
import type { SyncApplier } from '../applier.ts';
import { entityStream } from '../entity-stream.ts';
import { visiblePost } from './visible-post.ts';

/** `community.reply`: a reply to the post the change names; the outcome reports the new reply. */
export const communityReply: SyncApplier = {
  async locate(deps, context, _userId, change) {
    return (await visiblePost(deps, context, change.entityId)).located;
  },
  async apply(deps, context, change, payload) {
    const { postId } = await replyInCommunity(deps, context, {
      parentId: change.entityId,
      body: payload.body,
      idempotencyKey: change.changeId,
    });
    return {
      entity: entityStream(communityPostStream(postId), communityPostEventCatalogue),
      entityType: 'communityPost',
      entityId: postId,
    };
  },
};
