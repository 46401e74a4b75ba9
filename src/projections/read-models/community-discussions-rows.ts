import type { ReadModelWriter } from '../projection.ts';

export const COMMUNITY_POSTS = 'community_posts';
/** Per community, how many posts it holds (every one ever made), to find its lists. */
export const COMMUNITY_DISCUSSION_COUNTS = 'community_discussion_counts';
/** Per community, its post ids in the order made, LIST_BUCKET_SIZE to a row. */
export const COMMUNITY_DISCUSSION_LISTS = 'community_discussion_lists';
/**
 * Ids per row of community_discussion_lists. The projection writes and deletes rows by key only,
 * so erasing a community needs every post id listed under keys it can name; in buckets, so a busy
 * community's next post rewrites one short list, not its whole history.
 */
export const LIST_BUCKET_SIZE = 500;

const countKey = (communityId: string) => ({ community_id: communityId.toLowerCase() });

/** Notes a new post under its community, for erasure to find. */
export async function listPost(writer: ReadModelWriter, communityId: string, postId: string): Promise<void> {
  const key = countKey(communityId);
  const counted = await writer.get(COMMUNITY_DISCUSSION_COUNTS, key);
  const count = Number(counted?.post_count ?? 0);
  const bucket = { ...key, bucket: Math.floor(count / LIST_BUCKET_SIZE) };
  // A full bucket's next one starts empty: nothing to read.
  const listed =
    count % LIST_BUCKET_SIZE === 0 ? undefined : await writer.get(COMMUNITY_DISCUSSION_LISTS, bucket);
  const ids = Array.isArray(listed?.post_ids) ? listed.post_ids : [];
  writer.upsert(COMMUNITY_DISCUSSION_LISTS, { ...bucket, post_ids: [...ids, postId.toLowerCase()] });
  writer.upsert(COMMUNITY_DISCUSSION_COUNTS, { ...key, post_count: count + 1 });
}

/**
 * A community erased leaves no row here: every post (words, authors, removal reasons), its lists
 * and its count go, so a rebuild, which applies the posts and then the erasure, ends the same.
 */
export async function eraseCommunityDiscussions(writer: ReadModelWriter, communityId: string): Promise<void> {
  const key = countKey(communityId);
  const counted = await writer.get(COMMUNITY_DISCUSSION_COUNTS, key);
  const count = Number(counted?.post_count ?? 0);
  for (let bucket = 0; bucket * LIST_BUCKET_SIZE < count; bucket += 1) {
    const listed = await writer.get(COMMUNITY_DISCUSSION_LISTS, { ...key, bucket });
    const ids = Array.isArray(listed?.post_ids) ? listed.post_ids : [];
    for (const id of ids) {
      if (typeof id === 'string') writer.delete(COMMUNITY_POSTS, { ...key, post_id: id });
    }
    writer.delete(COMMUNITY_DISCUSSION_LISTS, { ...key, bucket });
  }
  writer.delete(COMMUNITY_DISCUSSION_COUNTS, key);
}
