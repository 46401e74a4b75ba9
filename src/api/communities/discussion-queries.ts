import type pg from 'pg';
import { validation } from '../../domain/shared/domain-error.ts';
import type { Page } from '../pagination.ts';

type Queryable = Pick<pg.Pool, 'query'>;

/** A row of community_posts as the API reads it. */
export interface PostRow {
  community_id: string;
  post_id: string;
  thread_id: string;
  parent_id: string | null;
  author_id: string;
  kind: 'thread' | 'reply';
  depth: number;
  title: string | null;
  body: string | null;
  status: 'active' | 'deleted' | 'removed';
  pinned: boolean;
  pin_rank: string;
  helpful: boolean;
  reply_count: number;
  position: string;
  created_at: Date;
  last_activity_at: Date;
  edited_at: Date | null;
  removed_by: string | null;
  removal_reason: string | null;
  removed_at: Date | null;
}

/**
 * A forgotten author's words read as null at once: their key for every community is destroyed
 * (`destroyCommunityTextOf`), so a rebuild decodes nulls, and until then the live rows still hold
 * the words the projection decoded, which this hides (the `users` read model says who is forgotten).
 * The page is cut first and joined after, so the join costs a page of rows, not the thread.
 */
const COLUMNS = `p.community_id, p.post_id, p.thread_id, p.parent_id, p.author_id, p.kind, p.depth,
  case when u.status = 'forgotten' then null else p.title end as title,
  case when u.status = 'forgotten' then null else p.body end as body,
  p.status, p.pinned, p.pin_rank::text as pin_rank, p.helpful, p.reply_count,
  p.position::text as position, p.created_at, p.last_activity_at, p.edited_at, p.removed_by,
  p.removal_reason, p.removed_at`;
const withAuthors = (page: string, order: string) =>
  `select ${COLUMNS} from (${page}) p left join users u on u.user_id = p.author_id order by ${order}`;

/** A thread page's sort key: pinned first (latest pin on top), then newest. */
export const threadCursor = (row: PostRow) => [row.pin_rank, row.position];
export const replyCursor = (row: PostRow) => [row.position];

const digits = /^\d+$/u;
/** Cursor parts are positions this API handed out: decimal digits, else the cursor is refused. */
function validPositions(after: string[] | undefined): string[] | undefined {
  if (after?.some((part) => !digits.test(part))) {
    throw validation('INVALID_CURSOR', 'after is not a cursor this API handed out');
  }
  return after;
}

/** One more row than the page, to tell whether there is a next one (see `connection`). */
export async function listThreads(pool: Queryable, communityId: string, page: Page): Promise<PostRow[]> {
  const after = validPositions(page.after);
  const { rows } = await pool.query<PostRow>(
    withAuthors(
      `select * from community_posts
        where community_id = $1::uuid and kind = 'thread'
          and ($2::bigint is null or (pin_rank, position) < ($2::bigint, $3::bigint))
        order by pin_rank desc, position desc
        limit $4`,
      'p.pin_rank desc, p.position desc',
    ),
    [communityId, after?.[0] ?? null, after?.[1] ?? null, page.first + 1],
  );
  return rows;
}

export async function listReplies(
  pool: Queryable,
  communityId: string,
  threadId: string,
  page: Page,
): Promise<PostRow[]> {
  const after = validPositions(page.after);
  const { rows } = await pool.query<PostRow>(
    withAuthors(
      `select * from community_posts
        where community_id = $1::uuid and thread_id = $2::uuid and kind = 'reply'
          and ($3::bigint is null or position > $3::bigint)
        order by position
        limit $4`,
      'p.position',
    ),
    [communityId, threadId, after?.[0] ?? null, page.first + 1],
  );
  return rows;
}

/** A post by its id alone (the `(post_id)` index); null when there is none. */
export async function findPost(pool: Queryable, postId: string): Promise<PostRow | null> {
  const { rows } = await pool.query<PostRow>(
    withAuthors('select * from community_posts where post_id = $1::uuid', 'p.post_id'),
    [postId],
  );
  return rows[0] ?? null;
}
