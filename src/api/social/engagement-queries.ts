import type pg from 'pg';
import { z } from 'zod';
import { validation } from '../../domain/shared/domain-error.ts';
import { type Page, pageOf } from '../pagination.ts';
import { parameters, sortKey, whereClause } from '../shared/sql.ts';

/**
 * The engagement reads. Hidden content (`social_hidden`) is anti-joined on its primary key, and
 * people either side of a block with the reader are left out, in the same statement as the page.
 */

export interface Reader {
  /** The person reading (a user, an API key's owner); null when anonymous. */
  userId: string | null;
  moderator: boolean;
}

export interface CommentRow {
  comment_id: string;
  video_id: string;
  parent_id: string | null;
  depth: number;
  author_id: string;
  body: string;
  mentions: { username: string; userId: string }[];
  status: string;
  revisions: number;
  reply_count: number;
  created_at: Date;
  edited_at: Date | null;
  likes: number;
  hidden_reason: string | null;
  sort_key: string;
}

/**
 * What a reader is shown of a comment. Two fields are worked out at read time rather than kept in
 * the row: the reply count, with the same visibility rule as the replies list (a count that
 * included hidden, held or blocked replies would say more than the list shows), and the mentions'
 * usernames, taken from `social_profiles` now, so a forgotten person's name is gone from every
 * comment that mentioned them (the mention drops out: it has no name left to show).
 */
function commentColumns(reader: Reader, add: (value: unknown) => string) {
  const replies = whereClause(['r.parent_id = c.comment_id', ...commentVisibility(reader, add, 'r', 'rh')]);
  return `c.comment_id, c.video_id, c.parent_id, c.depth, c.author_id, c.body, c.status, c.revisions, c.created_at,
  c.edited_at, coalesce(n.likes, 0) as likes, coalesce(h.reason, case when c.held then '${HELD_REASON}' end) as hidden_reason,
  ${sortKey('c.created_at')},
  (select count(*)::int from social_comments r
     left join social_hidden rh on rh.target_kind = 'comment' and rh.target_id = r.comment_id
     ${replies}) as reply_count,
  (select coalesce(jsonb_agg(jsonb_build_object('username', p.username, 'userId', p.user_id) order by m.position), '[]'::jsonb)
     from jsonb_array_elements(c.mentions) with ordinality as m(mention, position)
     join social_profiles p on p.user_id = (m.mention->>'userId')::uuid
    where not p.forgotten and p.username is not null) as mentions`;
}
const COMMENT_FROM = `social_comments c
  left join social_counts n on n.target_kind = 'comment' and n.target_id = c.comment_id
  left join social_hidden h on h.target_kind = 'comment' and h.target_id = c.comment_id`;

/**
 * What the author is told while the comment's own row says it is held but `social_moderation` has
 * not yet written its reason (it lags): the same words it will write, without the categories.
 */
const HELD_REASON = 'Held for review by the automatic text check';

/**
 * Hidden comments only for their author and moderators; blocked people's comments for nobody on the
 * other side. Hidden is a `social_hidden` row or the comment's own `held` flag, whichever is
 * projected first: the two come from different projections, which may be at different positions.
 */
function commentVisibility(
  reader: Reader,
  add: (value: unknown) => string,
  comment = 'c',
  hidden = 'h',
): string[] {
  if (reader.moderator) return [];
  const shown = `(${hidden}.target_id is null and not ${comment}.held)`;
  if (reader.userId === null) return [shown];
  const me = add(reader.userId);
  return [
    `(${shown} or ${comment}.author_id = ${me}::uuid)`,
    `not exists (select 1 from social_blocks b
       where (b.blocker_id = ${me}::uuid and b.blocked_id = ${comment}.author_id)
          or (b.blocked_id = ${me}::uuid and b.blocker_id = ${comment}.author_id))`,
  ];
}

export async function findComments(pool: pg.Pool, reader: Reader, ids: readonly string[]) {
  const params = parameters();
  const where = [`c.comment_id = any(${params.add(ids)}::uuid[])`, ...commentVisibility(reader, params.add)];
  const { rows } = await pool.query<CommentRow>(
    `select ${commentColumns(reader, params.add)} from ${COMMENT_FROM} ${whereClause(where)}`,
    params.values,
  );
  return new Map(rows.map((row) => [row.comment_id, row]));
}

const newestCursor = z.tuple([z.iso.datetime(), z.uuid()]);
// Nine digits at most: a like count fits an int, and a longer number would overflow `::int`.
const topCursor = z.tuple([z.string().regex(/^\d{1,9}$/), z.iso.datetime(), z.uuid()]);

/** Top-level comments of a video, newest or most liked first, keyset paginated. */
export async function listVideoComments(
  pool: pg.Pool,
  reader: Reader,
  videoId: string,
  sort: 'newest' | 'top',
  rawPage: unknown,
) {
  const page = pageOf(rawPage, sort === 'top' ? 3 : 2);
  const params = parameters();
  const where = [
    `c.video_id = ${params.add(videoId)}::uuid`,
    'c.parent_id is null',
    ...commentVisibility(reader, params.add),
  ];
  const likes = 'coalesce(n.likes, 0)';
  if (sort === 'top') {
    if (page.after) {
      const [afterLikes, afterCreated, afterId] = validCursor(topCursor, page.after);
      where.push(
        `(${likes}, c.created_at, c.comment_id) < (${params.add(afterLikes)}::int, ${params.add(afterCreated)}::timestamptz, ${params.add(afterId)}::uuid)`,
      );
    }
  } else if (page.after) {
    const [afterCreated, afterId] = validCursor(newestCursor, page.after);
    where.push(
      `(c.created_at, c.comment_id) < (${params.add(afterCreated)}::timestamptz, ${params.add(afterId)}::uuid)`,
    );
  }
  const order =
    sort === 'top'
      ? `${likes} desc, c.created_at desc, c.comment_id desc`
      : 'c.created_at desc, c.comment_id desc';
  const { rows } = await pool.query<CommentRow>(
    `select ${commentColumns(reader, params.add)} from ${COMMENT_FROM} ${whereClause(where)} order by ${order}
      limit ${params.add(page.first + 1)}`,
    params.values,
  );
  return { rows, page };
}

export const commentCursor = (sort: 'newest' | 'top') => (row: CommentRow) =>
  sort === 'top' ? [String(row.likes), row.sort_key, row.comment_id] : [row.sort_key, row.comment_id];

/** Direct replies of a comment, oldest first (a conversation reads top to bottom). */
export async function listReplies(pool: pg.Pool, reader: Reader, parentId: string, rawPage: unknown) {
  const page = pageOf(rawPage, 2);
  const params = parameters();
  const where = [`c.parent_id = ${params.add(parentId)}::uuid`, ...commentVisibility(reader, params.add)];
  if (page.after) {
    const [afterCreated, afterId] = validCursor(newestCursor, page.after);
    where.push(
      `(c.created_at, c.comment_id) > (${params.add(afterCreated)}::timestamptz, ${params.add(afterId)}::uuid)`,
    );
  }
  const { rows } = await pool.query<CommentRow>(
    `select ${commentColumns(reader, params.add)} from ${COMMENT_FROM} ${whereClause(where)}
      order by c.created_at, c.comment_id limit ${params.add(page.first + 1)}`,
    params.values,
  );
  return { rows, page };
}

/**
 * Comments and replies on a video posted at or after `from`, in the order they were posted, that
 * the reader may see, leaving out `skip` (those already sent). Deleted ones are left out: a
 * comment deleted before it was sent is not news.
 */
export async function newVideoComments(
  pool: pg.Pool,
  reader: Reader,
  videoId: string,
  from: string,
  skip: readonly string[],
  limit: number,
) {
  const params = parameters();
  const where = [
    `c.video_id = ${params.add(videoId)}::uuid`,
    `c.created_at >= ${params.add(from)}::timestamptz`,
    `c.status = 'active'`,
    `c.comment_id <> all(${params.add(skip)}::uuid[])`,
    ...commentVisibility(reader, params.add),
  ];
  const { rows } = await pool.query<CommentRow>(
    `select ${commentColumns(reader, params.add)} from ${COMMENT_FROM} ${whereClause(where)}
      order by c.created_at, c.comment_id limit ${params.add(limit)}`,
    params.values,
  );
  return rows;
}

/** The video's owner, or undefined when there is no such video (or it was deleted). */
export async function videoOwnerOf(pool: pg.Pool, videoId: string) {
  const { rows } = await pool.query<{ owner_id: string }>(
    'select owner_id from video_posts where post_id = $1::uuid',
    [videoId],
  );
  return rows[0]?.owner_id;
}

/** Which video each of these comments is on (tombstones included): one statement for a whole change. */
export async function videosOfComments(pool: pg.Pool, commentIds: readonly string[]) {
  const { rows } = await pool.query<{ comment_id: string; video_id: string }>(
    'select comment_id, video_id from social_comments where comment_id = any($1::uuid[])',
    [commentIds],
  );
  return new Map(rows.map((row) => [row.comment_id, row.video_id]));
}

export async function commentRevisions(pool: pg.Pool, commentId: string) {
  const { rows } = await pool.query<{ revision: number; body: string; replaced_at: Date }>(
    'select revision, body, replaced_at from social_comment_revisions where comment_id = $1::uuid order by revision',
    [commentId],
  );
  return rows;
}

/** Likes of each target and whether `userId` is among them, in one query for a page of targets. */
export async function likesOf(
  pool: pg.Pool,
  kind: 'video' | 'comment',
  targetIds: readonly string[],
  userId: string | null,
) {
  const { rows } = await pool.query<{ target_id: string; likes: number; liked: boolean }>(
    `select t.id as target_id, coalesce(n.likes, 0) as likes,
            exists (select 1 from social_likes l
                     where l.target_kind = $1 and l.target_id = t.id and l.user_id = $3::uuid) as liked
       from unnest($2::uuid[]) as t(id)
       left join social_counts n on n.target_kind = $1 and n.target_id = t.id`,
    [kind, targetIds, userId],
  );
  return new Map(rows.map((row) => [row.target_id, { likes: row.likes, liked: row.liked }]));
}

export interface VideoEngagementRow {
  likes: number;
  shares: number;
  comments: number;
  liked: boolean;
  comments_off: boolean;
  by_platform: { platform: string; count: number }[];
}

/**
 * Every count of one video, in one statement; comments counted live so hidden ones drop out at once,
 * and those of people either side of a block with the reader are not counted, as they are not listed.
 */
export async function videoEngagement(pool: pg.Pool, videoId: string, userId: string | null) {
  const { rows } = await pool.query<VideoEngagementRow>(
    `select coalesce((select likes from social_counts where target_kind = 'video' and target_id = $1::uuid), 0) as likes,
            coalesce((select shares from social_counts where target_kind = 'video' and target_id = $1::uuid), 0) as shares,
            (select count(*)::int from social_comments c
              where c.video_id = $1::uuid and c.status = 'active' and not c.held
                and not exists (select 1 from social_hidden h
                                 where h.target_kind = 'comment' and h.target_id = c.comment_id)
                and ($2::uuid is null or not exists (
                      select 1 from social_blocks b
                       where (b.blocker_id = $2::uuid and b.blocked_id = c.author_id)
                          or (b.blocked_id = $2::uuid and b.blocker_id = c.author_id)))) as comments,
            exists (select 1 from social_likes
                     where target_kind = 'video' and target_id = $1::uuid and user_id = $2::uuid) as liked,
            coalesce((select comments_off from social_comment_settings where video_id = $1::uuid), false) as comments_off,
            coalesce((select json_agg(json_build_object('platform', platform, 'count', shares) order by platform)
                        from social_share_counts where video_id = $1::uuid), '[]'::json) as by_platform`,
    [videoId, userId],
  );
  return rows[0];
}

/**
 * Whether the reader may see a video: public or unlisted (or their own, or they moderate), not
 * hidden (except to its owner and moderators), not of someone blocked either way.
 */
export async function canSeeVideo(pool: pg.Pool, reader: Reader, videoId: string) {
  const { rows } = await pool.query<{ visible: boolean }>(
    `select (v.visibility <> 'private' or v.owner_id = $2::uuid or $3)
        and ($3 or v.owner_id = $2::uuid or not exists (
              select 1 from social_hidden h where h.target_kind = 'video' and h.target_id = v.post_id))
        and ($2::uuid is null or not exists (
              select 1 from social_blocks b
               where (b.blocker_id = $2::uuid and b.blocked_id = v.owner_id)
                  or (b.blocked_id = $2::uuid and b.blocker_id = v.owner_id))) as visible
       from video_posts v where v.post_id = $1::uuid`,
    [videoId, reader.userId, reader.moderator],
  );
  return rows[0]?.visible === true;
}

const likedCursor = z.tuple([z.iso.datetime(), z.uuid()]);

/** The public, visible videos a person liked, most recent like first. */
export async function listLikedVideos(pool: pg.Pool, reader: Reader, userId: string, rawPage: unknown) {
  const page = pageOf(rawPage, 2);
  const params = parameters();
  const where = [
    `l.user_id = ${params.add(userId)}::uuid`,
    `l.target_kind = 'video'`,
    `(v.visibility = 'public' or v.owner_id = ${params.add(reader.userId)}::uuid)`,
    `not exists (select 1 from social_hidden h where h.target_kind = 'video' and h.target_id = v.post_id)`,
  ];
  if (reader.userId !== null) {
    const me = params.add(reader.userId);
    // Neither the videos' owners nor the person whose likes these are may be blocked either way
    // with the reader: a blocked person sees no list at all, as with `SocialProfile.videos`.
    where.push(`not exists (select 1 from social_blocks b
       where (b.blocker_id = ${me}::uuid and b.blocked_id in (v.owner_id, l.user_id))
          or (b.blocked_id = ${me}::uuid and b.blocker_id in (v.owner_id, l.user_id)))`);
  }
  if (page.after) {
    const [afterLiked, afterId] = validCursor(likedCursor, page.after);
    where.push(
      `(l.liked_at, l.target_id) < (${params.add(afterLiked)}::timestamptz, ${params.add(afterId)}::uuid)`,
    );
  }
  const { rows } = await pool.query<{ post_id: string; sort_key: string }>(
    `select v.post_id, ${sortKey('l.liked_at')} from social_likes l join video_posts v on v.post_id = l.target_id
      ${whereClause(where)} order by l.liked_at desc, l.target_id desc limit ${params.add(page.first + 1)}`,
    params.values,
  );
  return { rows, page };
}

export interface TrendingRow {
  post_id: string;
  score: number;
  likes: number;
  comments: number;
  shares: number;
}

/**
 * Engagement velocity: each minute's likes, comments and shares in the window, weighted 1, 3 and 5
 * and decayed linearly with age (a minute at the window's start counts a tenth of the latest), so
 * a video gaining now outranks one that gained as much an hour ago. Public, visible videos only.
 */
export async function trendingVideos(pool: pg.Pool, windowMinutes: number, first: number, now: Date) {
  const { rows } = await pool.query<TrendingRow>(
    `select a.video_id as post_id,
            sum((a.likes + 3 * a.comments + 5 * a.shares)
                * (0.1 + 0.9 * greatest(0, 1 - extract(epoch from ($2::timestamptz - a.minute)) / ($1 * 60))))::float8 as score,
            sum(a.likes)::int as likes, sum(a.comments)::int as comments, sum(a.shares)::int as shares
       from social_video_activity a
       join video_posts v on v.post_id = a.video_id and v.visibility = 'public'
      where a.minute > $2::timestamptz - make_interval(mins => $1)
        and not exists (select 1 from social_hidden h where h.target_kind = 'video' and h.target_id = a.video_id)
      group by a.video_id
      order by score desc, a.video_id
      limit $3`,
    [windowMinutes, now, first],
  );
  return rows;
}

export interface ModerationCaseRow {
  target_kind: string;
  target_id: string;
  author_id: string;
  visibility: string;
  open_reports: number;
  reasons: Record<string, number>;
  held_categories: string[] | null;
  queued_at: Date | null;
  decided_by: string | null;
  decided_at: Date | null;
  decision: string | null;
  decision_reason: string | null;
  text: string | null;
  sort_key: string | null;
}

const CASE_COLUMNS = `m.target_kind, m.target_id, m.author_id, m.visibility, m.open_reports, m.reasons,
  m.held_categories, m.queued_at, m.decided_by, m.decided_at, m.decision, m.decision_reason,
  coalesce(c.body, cm.text) as text, ${sortKey('m.queued_at')}`;
/**
 * The words under review: a comment's body, or a chat message's text (moderators read a reported
 * message, whoever's conversation it is in; null once it was deleted for everyone or its sender
 * forgotten, as the chat read model holds it).
 */
const CASE_FROM = `social_moderation_cases m
  left join social_comments c on m.target_kind = 'comment' and c.comment_id = m.target_id
  left join chat_messages cm on m.target_kind = 'message' and cm.message_id = m.target_id`;

/** The queue, longest waiting first. */
export async function moderationQueue(pool: pg.Pool, rawPage: unknown) {
  const page = pageOf(rawPage, 2);
  const params = parameters();
  const where = ['m.queued'];
  if (page.after) {
    const [afterQueued, afterId] = validCursor(newestCursor, page.after);
    where.push(
      `(m.queued_at, m.target_id) > (${params.add(afterQueued)}::timestamptz, ${params.add(afterId)}::uuid)`,
    );
  }
  const { rows } = await pool.query<ModerationCaseRow>(
    `select ${CASE_COLUMNS} from ${CASE_FROM} ${whereClause(where)}
      order by m.queued_at, m.target_id limit ${params.add(page.first + 1)}`,
    params.values,
  );
  return { rows, page };
}

export async function moderationCase(pool: pg.Pool, kind: string, targetId: string) {
  const { rows } = await pool.query<ModerationCaseRow>(
    `select ${CASE_COLUMNS} from ${CASE_FROM} where m.target_kind = $1 and m.target_id = $2::uuid`,
    [kind, targetId],
  );
  return rows[0];
}

/** What the author is told: each of their pieces of content that is hidden or held, and why. */
export async function moderationNotices(pool: pg.Pool, authorId: string) {
  const { rows } = await pool.query<{
    target_kind: string;
    target_id: string;
    visibility: string;
    reason: string;
    since: Date;
  }>(
    `select m.target_kind, m.target_id, m.visibility, h.reason, h.hidden_at as since
       from social_moderation_cases m
       join social_hidden h on h.target_kind = m.target_kind and h.target_id = m.target_id
      where m.author_id = $1::uuid
      order by h.hidden_at desc limit 200`,
    [authorId],
  );
  return rows;
}

export type { Page };

function validCursor<Values extends string[]>(schema: z.ZodType<Values>, after: string[]): Values {
  const parsed = schema.safeParse(after);
  if (!parsed.success) throw validation('INVALID_CURSOR', 'page.after is not a cursor this API handed out');
  return parsed.data;
}
