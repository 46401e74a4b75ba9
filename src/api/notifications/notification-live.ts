import type { Actor } from '../../domain/shared/decider.ts';
import { unauthenticated } from '../../domain/shared/domain-error.ts';
import type { Change } from '../../projections/change-bus.ts';
import { inboxOwnerOf } from '../../services/notifications/inbox.ts';
import { callerFor, type GraphQLContext } from '../request-scope.ts';
import type { Channel } from '../subscriptions/channel.ts';
import { watchReadModel } from '../subscriptions/read-model-watch.ts';
import { type InboxRow, inboxRows, notificationsCheckpoint, recentUnreadRows } from './inbox-queries.ts';
import { type NotificationView, toNotifications } from './notification-mappers.ts';

const NOTIFICATIONS_PROJECTION = 'notifications';
const INBOX_TABLE = 'notification_inbox';
/** How many (notification, last event) pairs a subscription remembers having sent. */
const SENT_MEMORY = 2_000;
/**
 * How far back a wide batch's fallback read looks by time: events are stamped by the process that
 * decided them, so one projected later may carry a slightly earlier time.
 */
const CLOCK_SLACK_MS = 60_000;

/**
 * `notificationReceived`: the caller's new notifications and grown unread groups, as the
 * `notifications` projector commits them. A batch names the rows it wrote (recipient and id), so a
 * change concerns this subscription only when it names one of the caller's rows, and the read
 * fetches exactly those; a batch too wide to name them all (a big fan-out) makes it read the
 * caller's recent unread rows instead. Only unread rows whose latest event it has not sent yet go
 * out: marking read writes rows too, and must not re-announce them. Every read goes through the
 * connection's caller as it is then (the session watch closes the socket when the session ends, and
 * a read after that fails), so a revoked session hears nothing more.
 */
export async function notificationReceived(context: GraphQLContext): Promise<Channel<NotificationView>> {
  const live = context.live;
  if (!live) throw unauthenticated('SIGN_IN_REQUIRED', 'Subscriptions need an authenticated WebSocket');
  const { pool } = context.scope.services;
  const userId = inboxOwnerOf((await callerFor(context.scope, 'read')).actor);
  const startedAt = new Date();
  const startPosition = await notificationsCheckpoint(pool);
  const sent = new Map<string, string>();
  const named = new Set<string>();
  let wide = false;
  let since = new Date(startedAt.getTime() - CLOCK_SLACK_MS);

  const concerns = (change: Change): boolean => {
    if (change.projection !== NOTIFICATIONS_PROJECTION) return false;
    if (change.truncated) {
      wide = true;
      return true;
    }
    let concerned = false;
    for (const { table, key } of change.keys) {
      if (table === INBOX_TABLE && key.recipient_id === userId && typeof key.notification_id === 'string') {
        named.add(key.notification_id);
        concerned = true;
      }
    }
    return concerned;
  };

  const fresh = (row: InboxRow): boolean =>
    row.read_at === null &&
    sent.get(row.notification_id) !== row.last_source_event_id &&
    (BigInt(row.source_position) > startPosition ||
      row.updated_at >= new Date(startedAt.getTime() - CLOCK_SLACK_MS));

  const remember = (row: InboxRow) => {
    sent.delete(row.notification_id);
    sent.set(row.notification_id, row.last_source_event_id);
    if (sent.size > SENT_MEMORY) {
      const oldest = sent.keys().next().value;
      if (oldest !== undefined) sent.delete(oldest);
    }
  };

  return watchReadModel<NotificationView>(context, live, {
    concerns,
    async read(actor: Actor) {
      const me = inboxOwnerOf(actor);
      const ids = [...named];
      named.clear();
      let rows: InboxRow[];
      if (wide) {
        wide = false;
        rows = await recentUnreadRows(pool, me, startPosition, since);
      } else {
        rows = await inboxRows(pool, me, ids);
      }
      const news = rows.filter(fresh);
      for (const row of news) {
        remember(row);
        const lookBack = new Date(row.updated_at.getTime() - CLOCK_SLACK_MS);
        if (lookBack > since) since = lookBack;
      }
      return toNotifications(pool, news);
    },
  });
}
