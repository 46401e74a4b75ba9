import type pg from 'pg';
import { z } from 'zod';
import type { Actor } from '../../domain/shared/decider.ts';
import { validation } from '../../domain/shared/domain-error.ts';
import { canWatch } from '../../domain/videos/video-post-policy.ts';
import { pageOf } from '../pagination.ts';
import { countWhere, parameters, sortKey, whereClause } from '../shared/sql.ts';
import { socialVisibility } from '../social/graph-video-visibility.ts';

/** Who reads: platform admins see every post; others their own and what the owner shared. */
export interface VideoViewer {
  admin: boolean;
  /** The person the caller reads as: the user, or an API key's owner; null when anonymous. */
  userId: string | null;
}

export function videoViewerOf(actor: Actor): VideoViewer {
  if (actor.kind === 'user') return { admin: actor.role === 'admin', userId: actor.userId };
  if (actor.kind === 'integration') return { admin: false, userId: actor.ownerId };
  return { admin: false, userId: null };
}

export interface VideoPostRow {
  post_id: string;
  owner_id: string;
  asset_id: string;
  title: string;
  description: string;
  tags: string[];
  visibility: string;
  created_at: Date;
  updated_at: Date;
  sort_key: string;
}

const POST_COLUMNS = `v.post_id, v.owner_id, v.asset_id, v.title, v.description, v.tags, v.visibility,
  v.created_at, v.updated_at, ${sortKey('v.created_at')}`;

/** Posts by id (detail, loaders); those the viewer may not watch (`canWatch`) are left out. */
export async function findVideoPosts(pool: pg.Pool, viewer: VideoViewer, postIds: readonly string[]) {
  const params = parameters();
  const ids = params.add(postIds);
  const { rows } = await pool.query<VideoPostRow>(
    `select ${POST_COLUMNS} from video_posts v
      where v.post_id = any(${ids}::uuid[]) and ${socialVisibility(viewer, params.add)}`,
    params.values,
  );
  return new Map(
    rows
      .filter((row) => canWatch({ ownerId: row.owner_id, visibility: row.visibility }, viewer))
      .map((row) => [row.post_id, row]),
  );
}

export async function findVideoPost(pool: pg.Pool, viewer: VideoViewer, postId: string) {
  return (await findVideoPosts(pool, viewer, [postId])).get(postId);
}

export const userVideosInput = z.object({ userId: z.uuid(), page: z.unknown().optional() });

/**
 * A user's posts, newest first: all of them for the user and admins, the public ones for everyone
 * else (unlisted posts are shared by link, never listed).
 */
export async function listUserVideos(pool: pg.Pool, viewer: VideoViewer, raw: unknown) {
  const { userId, page: rawPage } = userVideosInput.parse(raw);
  const page = pageOf(rawPage, 2);
  const params = parameters();
  const where = [`v.owner_id = ${params.add(userId)}::uuid`];
  if (!viewer.admin && viewer.userId !== userId) where.push(`v.visibility = 'public'`);
  where.push(socialVisibility(viewer, params.add));
  const total = await countWhere(pool, 'video_posts v', where, params.values);
  if (page.after) {
    const [afterCreated, afterId] = validCursor(listCursor, page.after);
    where.push(
      `(v.created_at, v.post_id) < (${params.add(afterCreated)}::timestamptz, ${params.add(afterId)}::uuid)`,
    );
  }
  const { rows } = await pool.query<VideoPostRow>(
    `select ${POST_COLUMNS} from video_posts v ${whereClause(where)}
      order by v.created_at desc, v.post_id desc limit ${params.add(page.first + 1)}`,
    params.values,
  );
  return { rows, page, total };
}

export const searchVideosInput = z.object({
  query: z.string().trim().min(1, 'must not be empty').max(200),
  page: z.unknown().optional(),
});

export interface VideoSearchRow extends VideoPostRow {
  /** As PostgreSQL prints the `real` rank: exact, so it can go back into a cursor. */
  rank_text: string;
  headline: string;
}

/**
 * Ranked full-text search over titles, tags (both weighted A) and descriptions (B), English
 * stemming and web-search syntax (quotes, `or`, `-word`). Public posts, plus the caller's own
 * whatever their visibility. Pages are keyset on (rank, created_at, post_id): a post's rank for a
 * query is fixed while the post is, so pages neither skip nor repeat.
 */
export async function searchVideoPosts(pool: pg.Pool, viewer: VideoViewer, raw: unknown) {
  const { query, page: rawPage } = searchVideosInput.parse(raw);
  const page = pageOf(rawPage, 3);
  const params = parameters();
  const tsquery = `websearch_to_tsquery('english', ${params.add(query)})`;
  const rank = `ts_rank_cd(v.search_document, ${tsquery})`;
  const where = [`v.search_document @@ ${tsquery}`];
  where.push(
    viewer.userId === null
      ? `v.visibility = 'public'`
      : `(v.visibility = 'public' or v.owner_id = ${params.add(viewer.userId)}::uuid)`,
  );
  where.push(socialVisibility(viewer, params.add));
  const total = await countWhere(pool, 'video_posts v', where, params.values);
  const ranked = [...where];
  if (page.after) {
    const [afterRank, afterCreated, afterId] = validCursor(searchCursor, page.after);
    ranked.push(
      `(${rank}, v.created_at, v.post_id) < (${params.add(afterRank)}::real, ${params.add(afterCreated)}::timestamptz, ${params.add(afterId)}::uuid)`,
    );
  }
  // Headlines cost a parse of each text: computed for the page only.
  const { rows } = await pool.query<VideoSearchRow>(
    `with page as (
       select v.*, ${rank} as rank from video_posts v ${whereClause(ranked)}
        order by rank desc, v.created_at desc, v.post_id desc limit ${params.add(page.first + 1)}
     )
     select ${POST_COLUMNS}, v.rank::text as rank_text,
            ts_headline('english', v.title || ' — ' || left(v.description, 2000), ${tsquery},
                        'StartSel=«, StopSel=», MaxWords=30, MinWords=10') as headline
       from page v order by v.rank desc, v.created_at desc, v.post_id desc`,
    params.values,
  );
  return { rows, page, total };
}

const searchCursor = z.tuple([z.string().regex(/^-?\d+(\.\d+)?(e[+-]?\d+)?$/), z.iso.datetime(), z.uuid()]);

const listCursor = z.tuple([z.iso.datetime(), z.uuid()]);

/** `pageOf` checks a cursor's shape; its values must also fit the casts they go through. */
function validCursor<Values extends string[]>(schema: z.ZodType<Values>, after: string[]): Values {
  const parsed = schema.safeParse(after);
  if (!parsed.success) throw validation('INVALID_CURSOR', 'page.after is not a cursor this API handed out');
  return parsed.data;
}
