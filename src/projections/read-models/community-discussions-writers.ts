import type { ReadModelTable, ReadModelWriter, Row } from '../projection.ts';
import { COMMUNITY_POSTS, DISCUSSION_KEYS } from './community-discussions-rows.ts';
import { listKey } from './community-key-lists.ts';

/**
 * Whose words each post holds, so that `UserForgotten` can empty them: the writer deletes and
 * updates by key only, so a forgotten person's posts must be listed under keys the projection can
 * name. A person's words in a post are their title and body as its author, or the reason they gave
 * as the moderator who removed it (both under that person's key for the community).
 */
/** Per community and person: how many posts hold their words there. */
export const DISCUSSION_WRITERS = 'community_discussion_writers';
/** Per community and person, those post ids, POSTS_PER_BUCKET to a row. */
export const DISCUSSION_WRITER_POSTS = 'community_discussion_writer_posts';
/**
 * Per person, the communities they wrote in and whether they were forgotten. The one table of the
 * projection not keyed by community: `UserForgotten` names a person, not a community. It holds ids
 * only, and an erased community is taken out of every list (see dropErasedWriters).
 */
export const DISCUSSION_PEOPLE = 'community_discussion_people';

/** A prolific member's next post rewrites one short list, not their whole history. */
export const POSTS_PER_BUCKET = 500;

export const discussionWriterTables: Record<string, ReadModelTable> = {
  [DISCUSSION_WRITERS]: {
    columns: 'community_id uuid not null, user_id uuid not null, posts int not null',
    primaryKey: ['community_id', 'user_id'],
  },
  [DISCUSSION_WRITER_POSTS]: {
    columns:
      'community_id uuid not null, user_id uuid not null, bucket int not null, post_ids jsonb not null',
    primaryKey: ['community_id', 'user_id', 'bucket'],
  },
  [DISCUSSION_PEOPLE]: {
    columns: 'user_id uuid not null, community_ids jsonb not null, forgotten boolean not null',
    primaryKey: ['user_id'],
  },
};

const writerKey = (communityId: string, userId: string) => ({
  community_id: communityId.toLowerCase(),
  user_id: userId.toLowerCase(),
});
export const personKey = (userId: string) => ({ user_id: userId.toLowerCase() });

const stringsOf = (value: unknown): string[] =>
  Array.isArray(value) ? value.filter((item): item is string => typeof item === 'string') : [];

/** Whether the person was forgotten: words of theirs read after it are stored as null. */
export async function isForgotten(writer: ReadModelWriter, userId: string): Promise<boolean> {
  return (await writer.get(DISCUSSION_PEOPLE, personKey(userId)))?.forgotten === true;
}

/**
 * Notes that `postId` holds words of `userId` in `communityId`. New rows of the per-community
 * tables go into the community's key lists, so erasing the community deletes them too.
 */
export async function listWords(
  writer: ReadModelWriter,
  communityId: string,
  userId: string,
  postId: string,
): Promise<void> {
  const key = writerKey(communityId, userId);
  const current = await writer.get(DISCUSSION_WRITERS, key);
  const posts = Number(current?.posts ?? 0);
  if (!current) {
    await listKey(writer, DISCUSSION_KEYS, communityId, DISCUSSION_WRITERS, key);
    const person = await writer.get(DISCUSSION_PEOPLE, personKey(userId));
    writer.upsert(DISCUSSION_PEOPLE, {
      ...personKey(userId),
      community_ids: [...stringsOf(person?.community_ids), key.community_id],
      forgotten: person?.forgotten === true,
    });
  }
  const bucket = { ...key, bucket: Math.floor(posts / POSTS_PER_BUCKET) };
  // A full bucket's next one starts empty: nothing to read, and a new row to list.
  const fresh = posts % POSTS_PER_BUCKET === 0;
  const listed = fresh ? undefined : await writer.get(DISCUSSION_WRITER_POSTS, bucket);
  writer.upsert(DISCUSSION_WRITER_POSTS, {
    ...bucket,
    post_ids: [...stringsOf(listed?.post_ids), postId.toLowerCase()],
  });
  if (fresh) await listKey(writer, DISCUSSION_KEYS, communityId, DISCUSSION_WRITER_POSTS, bucket);
  writer.upsert(DISCUSSION_WRITERS, { ...key, posts: posts + 1 });
}

/**
 * A forgotten person's words leave every community's discussions: the posts they wrote keep their
 * rows (threads still hang together) with title and body emptied, and the removals they made keep
 * who and when without their reason. forgetUser destroys their key in every community, so a
 * rebuild decodes the same nulls. Each list's posts are read in one bulk load.
 */
export async function forgetWriter(writer: ReadModelWriter, userId: string): Promise<void> {
  const person = personKey(userId);
  const known = await writer.get(DISCUSSION_PEOPLE, person);
  const communities = stringsOf(known?.community_ids);
  writer.upsert(DISCUSSION_PEOPLE, { ...person, community_ids: communities, forgotten: true });
  const writers = communities.map((communityId) => writerKey(communityId, userId));
  await writer.load(writers.map((key) => ({ table: DISCUSSION_WRITERS, key })));
  for (const key of writers) {
    const posts = Number((await writer.get(DISCUSSION_WRITERS, key))?.posts ?? 0);
    for (let bucket = 0; bucket * POSTS_PER_BUCKET < posts; bucket += 1) {
      const listed = await writer.get(DISCUSSION_WRITER_POSTS, { ...key, bucket });
      const postKeys = stringsOf(listed?.post_ids).map((postId) => ({
        table: COMMUNITY_POSTS,
        key: { community_id: key.community_id, post_id: postId },
      }));
      await writer.load(postKeys);
      for (const { key: postKey } of postKeys) {
        const post = await writer.get(COMMUNITY_POSTS, postKey);
        if (!post) continue;
        const changes: Row = {};
        if (post.author_id === person.user_id) Object.assign(changes, { title: null, body: null });
        if (post.removed_by === person.user_id) changes.removal_reason = null;
        if (Object.keys(changes).length > 0) writer.upsert(COMMUNITY_POSTS, { ...post, ...changes });
      }
    }
  }
}

/**
 * For the community's erasure (before its rows go): takes the community out of the list of
 * everyone who wrote there; a person left with no community and not forgotten keeps no row.
 */
export async function dropErasedWriters(
  writer: ReadModelWriter,
  communityId: string,
  writers: readonly Row[],
): Promise<void> {
  const erased = communityId.toLowerCase();
  const people = writers.map((row) => personKey(String(row.user_id)));
  await writer.load(people.map((key) => ({ table: DISCUSSION_PEOPLE, key })));
  for (const key of people) {
    const person = await writer.get(DISCUSSION_PEOPLE, key);
    if (!person) continue;
    const communityIds = stringsOf(person.community_ids).filter((id) => id !== erased);
    if (communityIds.length === 0 && person.forgotten !== true) writer.delete(DISCUSSION_PEOPLE, key);
    else writer.upsert(DISCUSSION_PEOPLE, { ...person, community_ids: communityIds });
  }
}
