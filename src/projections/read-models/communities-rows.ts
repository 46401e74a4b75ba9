import type { ReadModelWriter } from '../projection.ts';

export const COMMUNITY_COMMUNITIES = 'community_communities';
export const COMMUNITY_MEMBERS = 'community_members';
/** Per community, the ids of everyone with a member row, in order of first appearance. */
export const COMMUNITY_MEMBER_LISTS = 'community_member_lists';

/**
 * People per list row. A projection writes through keys only (it cannot ask "every row of this
 * community"), so erasing a community needs every person listed under keys it can name; in
 * buckets, so a 50,000-member community is 100 rows, and adding someone rewrites one small row.
 */
export const MEMBER_BUCKET_SIZE = 500;

/** Lists someone with a new member row; `count` is how many the community had listed before. */
export async function listMember(
  writer: ReadModelWriter,
  communityId: string,
  userId: string,
  count: number,
): Promise<void> {
  const key = { community_id: communityId, bucket: Math.floor(count / MEMBER_BUCKET_SIZE) };
  // A full bucket's next one starts empty: nothing to read.
  const listed = count % MEMBER_BUCKET_SIZE === 0 ? undefined : await writer.get(COMMUNITY_MEMBER_LISTS, key);
  const ids = Array.isArray(listed?.user_ids) ? listed.user_ids : [];
  writer.upsert(COMMUNITY_MEMBER_LISTS, { ...key, user_ids: [...ids, userId.toLowerCase()] });
}

/** Deletes every member row of the community, and the lists that named them. */
export async function deleteMembers(
  writer: ReadModelWriter,
  communityId: string,
  count: number,
): Promise<void> {
  for (let bucket = 0; bucket * MEMBER_BUCKET_SIZE < count; bucket += 1) {
    const key = { community_id: communityId, bucket };
    const listed = await writer.get(COMMUNITY_MEMBER_LISTS, key);
    const ids = Array.isArray(listed?.user_ids) ? listed.user_ids : [];
    for (const userId of ids) {
      if (typeof userId === 'string')
        writer.delete(COMMUNITY_MEMBERS, { community_id: communityId, user_id: userId });
    }
    writer.delete(COMMUNITY_MEMBER_LISTS, key);
  }
}
