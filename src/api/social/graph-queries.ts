import type pg from 'pg';
import { z } from 'zod';
import { validation } from '../../domain/shared/domain-error.ts';
import { normaliseUsername } from '../../domain/social/profile-values.ts';
import { type Page, pageOf } from '../pagination.ts';
import { countWhere, parameters, sortKey, whereClause } from '../shared/sql.ts';
import type { VideoPostRow } from '../videos/read-model-queries.ts';

/**
 * The social graph's reads: profiles (the account's name and bio beside the username and avatar),
 * follower and following lists, blocks, a creator's videos and the home feed. Every list is keyset
 * paginated newest first; nothing is an OFFSET.
 */

export interface ProfileRow {
  user_id: string;
  status: string;
  display_name: string | null;
  bio: string | null;
  username: string | null;
  avatar_asset_id: string | null;
  registered_at: Date;
}

const PROFILE_COLUMNS = `u.user_id, u.status, u.display_name, u.bio, p.username, p.avatar_asset_id, u.registered_at`;
const PROFILE_FROM = 'users u left join social_profiles p on p.user_id = u.user_id';

export async function findProfiles(
  pool: pg.Pool,
  userIds: readonly string[],
): Promise<Map<string, ProfileRow>> {
  if (userIds.length === 0) return new Map();
  const { rows } = await pool.query<ProfileRow>(
    `select ${PROFILE_COLUMNS} from ${PROFILE_FROM} where u.user_id = any($1::uuid[])`,
    [userIds],
  );
  return new Map(rows.map((row) => [row.user_id, row]));
}

/** By username, case-insensitively (usernames are stored lower case). */
export async function findProfileByUsername(
  pool: pg.Pool,
  username: string,
): Promise<ProfileRow | undefined> {
  const { rows } = await pool.query<ProfileRow>(
    `select ${PROFILE_COLUMNS} from social_profiles p join users u on u.user_id = p.user_id where p.username = $1`,
    [normaliseUsername(username)],
  );
  return rows[0];
}

export interface ProfileCounts {
  followers: number;
  following: number;
  videos: number;
}

/**
 * Counts of a page of profiles in one statement, counted from the rows themselves (no stored
 * counter to drift). Videos are the public, not hidden ones: what a visitor's list shows.
 */
export async function profileCounts(
  pool: pg.Pool,
  userIds: readonly string[],
): Promise<Map<string, ProfileCounts>> {
  const { rows } = await pool.query<{
    user_id: string;
    followers: string;
    following: string;
    videos: string;
  }>(
    `select id as user_id,
            (select count(*) from social_follows f where f.followee_id = id) as followers,
            (select count(*) from social_follows f where f.follower_id = id) as following,
            (select count(*) from video_posts v
              where v.owner_id = id and v.visibility = 'public'
                and not exists (select 1 from social_hidden h where h.target_kind = 'video' and h.target_id = v.post_id)
            ) as videos
       from unnest($1::uuid[]) as id`,
    [userIds],
  );
  return new Map(
    rows.map((row) => [
      row.user_id,
      { followers: Number(row.followers), following: Number(row.following), videos: Number(row.videos) },
    ]),
  );
}

export interface Relation {
  followsYou: boolean;
  followedByYou: boolean;
  blockedByYou: boolean;
  blocksYou: boolean;
}

/** How each of these people stands to the viewer, in one statement. */
export async function relationsTo(
  pool: pg.Pool,
  viewerId: string,
  userIds: readonly string[],
): Promise<Map<string, Relation>> {
  const { rows } = await pool.query<{
    user_id: string;
    follows_you: boolean;
    followed_by_you: boolean;
    blocked_by_you: boolean;
    blocks_you: boolean;
  }>(
    `select id as user_id,
            exists (select 1 from social_follows where follower_id = id and followee_id = $1::uuid) as follows_you,
            exists (select 1 from social_follows where follower_id = $1::uuid and followee_id = id) as followed_by_you,
            exists (select 1 from social_blocks where blocker_id = $1::uuid and blocked_id = id) as blocked_by_you,
            exists (select 1 from social_blocks where blocker_id = id and blocked_id = $1::uuid) as blocks_you
       from unnest($2::uuid[]) as id`,
    [viewerId, userIds],
  );
  return new Map(
    rows.map((row) => [
      row.user_id,
      {
        followsYou: row.follows_you,
        followedByYou: row.followed_by_you,
        blockedByYou: row.blocked_by_you,
        blocksYou: row.blocks_you,
      },
    ]),
  );
}

export interface EdgeRow {
  user_id: string;
  sort_key: string;
}

export const edgeCursor = (row: EdgeRow) => [row.sort_key, row.user_id];

const edgeListInput = z.object({ userId: z.uuid(), page: z.unknown().optional() });

/**
 * Followers or followees of a person, most recent first. People either side of a block with the
 * viewer are left out: to each other they are not there.
 */
export async function listFollowEdges(
  pool: pg.Pool,
  direction: 'followers' | 'following',
  viewerId: string | null,
  raw: unknown,
) {
  const { userId, page: rawPage } = edgeListInput.parse(raw);
  const page = pageOf(rawPage, 2);
  const [self, other] =
    direction === 'followers' ? ['followee_id', 'follower_id'] : ['follower_id', 'followee_id'];
  const params = parameters();
  const where = [`f.${self} = ${params.add(userId)}::uuid`];
  if (viewerId !== null) {
    const viewer = params.add(viewerId);
    where.push(`not exists (select 1 from social_blocks b
       where (b.blocker_id = ${viewer}::uuid and b.blocked_id = f.${other})
          or (b.blocker_id = f.${other} and b.blocked_id = ${viewer}::uuid))`);
  }
  const total = await countWhere(pool, 'social_follows f', where, params.values);
  keysetAfter(where, params, page, 'f.followed_at', `f.${other}`);
  const { rows } = await pool.query<EdgeRow>(
    `select f.${other} as user_id, ${sortKey('f.followed_at')} from social_follows f ${whereClause(where)}
      order by f.followed_at desc, f.${other} desc limit ${params.add(page.first + 1)}`,
    params.values,
  );
  return { rows, page, total };
}

/** The people the viewer blocked, most recent first: theirs alone to see. */
export async function listBlocked(pool: pg.Pool, viewerId: string, rawPage: unknown) {
  const page = pageOf(rawPage, 2);
  const params = parameters();
  const where = [`b.blocker_id = ${params.add(viewerId)}::uuid`];
  const total = await countWhere(pool, 'social_blocks b', where, params.values);
  keysetAfter(where, params, page, 'b.blocked_at', 'b.blocked_id');
  const { rows } = await pool.query<EdgeRow>(
    `select b.blocked_id as user_id, ${sortKey('b.blocked_at')} from social_blocks b ${whereClause(where)}
      order by b.blocked_at desc, b.blocked_id desc limit ${params.add(page.first + 1)}`,
    params.values,
  );
  return { rows, page, total };
}

const POST_COLUMNS = `v.post_id, v.owner_id, v.asset_id, v.title, v.description, v.tags, v.visibility,
  v.created_at, v.updated_at, ${sortKey('v.created_at')}`;

/** A video a moderator hid, or the text check held, is left out of every list (social_hidden). */
const NOT_HIDDEN = `not exists (select 1 from social_hidden h where h.target_kind = 'video' and h.target_id = v.post_id)`;

/**
 * A creator's public videos, newest first, as a visitor sees them on the profile: hidden ones left
 * out, and none at all for someone either side of a block (the blocked may not see the blocker's
 * videos, and the blocker asked not to see theirs).
 */
export async function listCreatorVideos(pool: pg.Pool, userId: string, rawPage: unknown) {
  const page = pageOf(rawPage, 2);
  const params = parameters();
  const where = [`v.owner_id = ${params.add(userId)}::uuid`, `v.visibility = 'public'`, NOT_HIDDEN];
  const total = await countWhere(pool, 'video_posts v', where, params.values);
  keysetAfter(where, params, page, 'v.created_at', 'v.post_id');
  const { rows } = await pool.query<VideoPostRow>(
    `select ${POST_COLUMNS} from video_posts v ${whereClause(where)}
      order by v.created_at desc, v.post_id desc limit ${params.add(page.first + 1)}`,
    params.values,
  );
  return { rows, page, total };
}

/**
 * The home feed: public videos of the people the viewer follows, newest first. Fanned out on read,
 * in two steps so a page costs about one index probe per followee, however many videos each has:
 * 1. each followee's newest visible video after the cursor (one probe of the (owner_id,
 *    created_at desc, post_id desc) index each), keeping the `first + 1` followees whose newest is
 *    newest. No other followee can have a video on the page: the kept ones already have
 *    `first + 1` videos newer than its newest.
 * 2. the newest `first + 1` videos of each kept followee, merged and cut to the page.
 * Hidden videos are skipped in both steps, so the page is full whatever moderators hid. Blocked
 * creators are not in it by construction: a block ends both follows in the same append, and both
 * read models move in the same transaction. `feedSql` is exported for the benchmark, which runs
 * the same statement against plain tables.
 */
export async function homeFeed(pool: pg.Pool, viewerId: string, rawPage: unknown) {
  const page = pageOf(rawPage, 2);
  const after = page.after ? validCursor(page.after) : null;
  const { rows } = await pool.query<VideoPostRow>(feedSql(), [
    viewerId,
    after?.[0] ?? null,
    after?.[1] ?? null,
    page.first + 1,
  ]);
  return { rows, page };
}

/** $1 viewer, $2/$3 the cursor (or nulls), $4 page size + 1. */
export function feedSql(
  tables = { follows: 'social_follows', videos: 'video_posts', hidden: 'social_hidden' },
) {
  const visibleAfterCursor = `v.visibility = 'public'
         and ($2::timestamptz is null or (v.created_at, v.post_id) < ($2::timestamptz, $3::uuid))
         and not exists (select 1 from ${tables.hidden} h where h.target_kind = 'video' and h.target_id = v.post_id)`;
  return `with newest as (
    select f.followee_id from ${tables.follows} f
      cross join lateral (
        select v.created_at, v.post_id from ${tables.videos} v
         where v.owner_id = f.followee_id and ${visibleAfterCursor}
         order by v.created_at desc, v.post_id desc limit 1
      ) n
     where f.follower_id = $1::uuid
     order by n.created_at desc, n.post_id desc limit $4
  )
  select v.* from newest
    cross join lateral (
      select ${POST_COLUMNS} from ${tables.videos} v
       where v.owner_id = newest.followee_id and ${visibleAfterCursor}
       order by v.created_at desc, v.post_id desc limit $4
    ) v
   order by v.created_at desc, v.post_id desc limit $4`;
}

function keysetAfter(
  where: string[],
  params: ReturnType<typeof parameters>,
  page: Page,
  at: string,
  id: string,
): void {
  if (!page.after) return;
  const [afterAt, afterId] = validCursor(page.after);
  where.push(`(${at}, ${id}) < (${params.add(afterAt)}::timestamptz, ${params.add(afterId)}::uuid)`);
}

const listCursor = z.tuple([z.iso.datetime(), z.uuid()]);

/** `pageOf` checks a cursor's shape; its values must also fit the casts they go through. */
function validCursor(after: string[]): [string, string] {
  const parsed = listCursor.safeParse(after);
  if (!parsed.success) throw validation('INVALID_CURSOR', 'page.after is not a cursor this API handed out');
  return parsed.data;
}
