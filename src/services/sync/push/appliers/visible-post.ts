import { communityPostEventCatalogue } from '../../../../domain/communities/post-events.ts';
import type { Post } from '../../../../domain/communities/post-state.ts';
import { communityPostStream } from '../../../../domain/communities/streams.ts';
import { notFound } from '../../../../domain/shared/domain-error.ts';
import { requireCommunityPermission } from '../../../communities/access.ts';
import { postOnRecord } from '../../../communities/discussions.ts';
import { unseenAsMissing } from '../../../communities/unseen-as-missing.ts';
import type { RequestContext } from '../../../shared/command-context.ts';
import type { SyncDeps } from '../../deps.ts';
import type { LocatedEntity } from '../applier.ts';
import { entityStream } from '../entity-stream.ts';

export const postNotFound = () => notFound('POST_NOT_FOUND', 'No such post');

/**
 * A post the person may read, from its stream, with the community's read right checked as the
 * discussion use cases check it: a post in a community they cannot see reads as none, so no
 * conflict rule ever answers them with its words.
 */
export async function visiblePost(
  deps: SyncDeps,
  context: RequestContext,
  postId: string,
): Promise<{ post: Post; located: LocatedEntity }> {
  const post = await postOnRecord(deps, postId);
  if (post === null) throw postNotFound();
  await unseenAsMissing(
    requireCommunityPermission(deps, post.communityId, context.actor, 'community.read'),
    postNotFound,
  );
  return {
    post,
    located: {
      entity: entityStream(communityPostStream(post.postId.toLowerCase()), communityPostEventCatalogue),
      communityId: post.communityId.toLowerCase(),
    },
  };
}
