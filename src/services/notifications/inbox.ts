import { randomUUID } from 'node:crypto';
import type pg from 'pg';
import { inboxAggregate, notificationIdsToMark, personOf } from '../../domain/notifications/inbox-decider.ts';
import { notificationInboxStream } from '../../domain/notifications/streams.ts';
import type { Actor } from '../../domain/shared/decider.ts';
import { forbidden } from '../../domain/shared/domain-error.ts';
import {
  envelope,
  execute,
  nowFrom,
  type RequestContext,
  type ServiceDeps,
} from '../shared/command-context.ts';

/** The read models marking read waits for (read-your-writes: the next inbox page shows it). */
export const NOTIFICATION_READ_MODELS = ['notifications'];

/** What the inbox use cases need: the command pipeline and the `notifications` read model. */
export type InboxDeps = ServiceDeps & { pool: Pick<pg.Pool, 'query'> };

/**
 * Whose inbox the caller reads and marks: their own, or (an API key) its owner's. Processes have
 * none. The one check for the API's reads and the use cases below.
 */
export function inboxOwnerOf(actor: Actor): string {
  const userId = personOf(actor);
  if (userId === null) {
    throw actor.kind === 'anonymous'
      ? forbidden('SIGN_IN_REQUIRED', 'Sign in first')
      : forbidden('PEOPLE_ONLY', 'Only a person has an inbox');
  }
  return userId;
}

/**
 * Marks these of the caller's notifications read; answers how many were unread and now are not.
 * Ids of someone else's notifications (or of none) are left out, not refused: whether they exist
 * is not the caller's to learn. Malformed ids or more than 100 are VALIDATION errors.
 */
export async function markNotificationsRead(
  deps: InboxDeps,
  context: RequestContext,
  notificationIds: readonly string[],
): Promise<number> {
  const userId = inboxOwnerOf(context.actor);
  const ids = notificationIdsToMark(notificationIds);
  if (ids.length === 0) return 0;
  const { rows } = await deps.pool.query<{ notification_id: string }>(
    `select notification_id from notification_inbox
      where recipient_id = $1 and notification_id = any($2::uuid[]) and read_at is null and in_app`,
    [userId, ids],
  );
  if (rows.length === 0) return 0;
  await execute(
    deps,
    inboxAggregate,
    notificationInboxStream(userId),
    envelope(context, randomUUID(), nowFrom(deps), {
      type: 'MarkNotificationsRead',
      userId,
      notificationIds: rows.map((row) => row.notification_id),
    }),
  );
  return rows.length;
}

/**
 * Marks everything the caller has now read (a notification arriving after this instant stays
 * unread); answers how many were unread. Nothing is recorded when nothing is unread.
 */
export async function markAllNotificationsRead(deps: InboxDeps, context: RequestContext): Promise<number> {
  const userId = inboxOwnerOf(context.actor);
  const { rows } = await deps.pool.query<{ unread: number }>(
    'select unread from notification_unread_counts where recipient_id = $1',
    [userId],
  );
  const unread = Number(rows[0]?.unread ?? 0);
  if (unread === 0) return 0;
  await execute(
    deps,
    inboxAggregate,
    notificationInboxStream(userId),
    envelope(context, randomUUID(), nowFrom(deps), { type: 'MarkAllNotificationsRead', userId }),
  );
  return unread;
}
