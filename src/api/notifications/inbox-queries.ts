import type pg from 'pg';
import { encodeCursor, type Page } from '../pagination.ts';

/**
 * One `notification_inbox` row as the API reads it. Rows with `in_app` false (the person switched
 * the type's in-app channel off; the row exists for push or e-mail) are never read here.
 */
export interface InboxRow {
  notification_id: string;
  type: string;
  subject_kind: string;
  subject_id: string;
  actor_ids: string[];
  actor_count: number;
  data: unknown;
  last_source_event_id: string;
  source_position: string;
  created_at: Date;
  updated_at: Date;
  read_at: Date | null;
}

const COLUMNS = `notification_id, type, subject_kind, subject_id, actor_ids, actor_count, data,
  last_source_event_id, source_position::text as source_position, created_at, updated_at, read_at`;

/** A page's sort key: most recent activity first, the id breaking ties. */
export const inboxCursor = (row: InboxRow): string[] => [row.updated_at.toISOString(), row.notification_id];

export const inboxCursorOf = (row: InboxRow): string => encodeCursor(inboxCursor(row));

/**
 * One page of a person's inbox (`page.first + 1` rows: the extra one says there is more), read
 * through the (recipient_id, updated_at desc, notification_id desc) index: `after` is one seek.
 */
export async function inboxPage(
  pool: pg.Pool,
  recipientId: string,
  page: Page,
  unreadOnly: boolean,
): Promise<InboxRow[]> {
  const [afterAt, afterId] = page.after ?? [];
  const { rows } = await pool.query<InboxRow>(
    `select ${COLUMNS} from notification_inbox
      where recipient_id = $1::uuid and in_app
        and ($2::timestamptz is null or (updated_at, notification_id) < ($2::timestamptz, $3::uuid))
        and (not $4::boolean or read_at is null)
      order by updated_at desc, notification_id desc
      limit $5`,
    [recipientId, afterAt ?? null, afterId ?? null, unreadOnly, page.first + 1],
  );
  return rows;
}

/** The rows of these notification ids that are the recipient's (anyone else's are not there). */
export async function inboxRows(
  pool: pg.Pool,
  recipientId: string,
  ids: readonly string[],
): Promise<InboxRow[]> {
  if (ids.length === 0) return [];
  const { rows } = await pool.query<InboxRow>(
    `select ${COLUMNS} from notification_inbox
      where recipient_id = $1::uuid and notification_id = any($2::uuid[]) and in_app
      order by updated_at, notification_id`,
    [recipientId, ids],
  );
  return rows;
}

/**
 * The recipient's unread rows created after `position` or active since `since`, most recent 100:
 * what the live subscription reads when a batch was too wide to name its rows.
 */
export async function recentUnreadRows(
  pool: pg.Pool,
  recipientId: string,
  position: bigint,
  since: Date,
): Promise<InboxRow[]> {
  const { rows } = await pool.query<InboxRow>(
    `select * from (
       select ${COLUMNS} from notification_inbox
        where recipient_id = $1::uuid and read_at is null and in_app
          and (source_position > $2::bigint or updated_at >= $3::timestamptz)
        order by updated_at desc, notification_id desc
        limit 100) recent
      order by updated_at, notification_id`,
    [recipientId, position.toString(), since],
  );
  return rows;
}

export async function unreadCount(pool: pg.Pool, recipientId: string): Promise<number> {
  const { rows } = await pool.query<{ unread: number }>(
    'select unread from notification_unread_counts where recipient_id = $1::uuid',
    [recipientId],
  );
  return Math.max(0, rows[0]?.unread ?? 0);
}

/** Display names as they are now, by user id; a forgotten or unknown person is left out. */
export async function displayNames(pool: pg.Pool, userIds: readonly string[]): Promise<Map<string, string>> {
  if (userIds.length === 0) return new Map();
  const { rows } = await pool.query<{ user_id: string; display_name: string }>(
    `select user_id, display_name from users
      where user_id = any($1::uuid[]) and forgotten_at is null and display_name is not null`,
    [[...new Set(userIds)]],
  );
  return new Map(rows.map((row) => [row.user_id, row.display_name]));
}

/** The `notifications` read model's checkpoint: where a new live subscription starts. */
export async function notificationsCheckpoint(pool: pg.Pool): Promise<bigint> {
  const { rows } = await pool.query<{ checkpoint: string }>(
    `select checkpoint::text as checkpoint from projection_state where name = 'notifications'`,
  );
  return BigInt(rows[0]?.checkpoint ?? '0');
}
