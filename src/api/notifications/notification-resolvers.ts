import type { FastifyBaseLogger } from 'fastify';
import type { IResolvers } from 'mercurius';
import { z } from 'zod';
import {
  inboxOwnerOf,
  markAllNotificationsRead,
  markNotificationsRead,
} from '../../services/notifications/inbox.ts';
import {
  notificationPreferencesOf,
  updateNotificationPreferences,
} from '../../services/notifications/preferences.ts';
import { connection, MAX_PAGE_SIZE, pageOf } from '../pagination.ts';
import { callerFor, type GraphQLContext } from '../request-scope.ts';
import { guardedSubscribe } from '../subscriptions/subscription-errors.ts';
import { inboxCursor, inboxPage, unreadCount } from './inbox-queries.ts';
import { notificationReceived } from './notification-live.ts';
import { notificationTypeInfos, toNotifications, toPreferencesView } from './notification-mappers.ts';

type Args = Record<string, unknown>;

const inboxArgs = z.object({
  first: z.number().int().nullish(),
  after: z.string().nullish(),
  unreadOnly: z.boolean().nullish(),
});
/** Ids are checked (UUIDs, at most a page) before anything is read; the use case checks them again. */
const markArgs = z.object({ ids: z.array(z.uuid().transform((id) => id.toLowerCase())).max(MAX_PAGE_SIZE) });
const updateArgs = z.object({ input: z.record(z.string(), z.unknown()) });

/**
 * The inbox (a page, the unread count, read marks), preferences and the live subscription. Every
 * read is of the caller's own rows: there is no way to name someone else's inbox.
 */
export function notificationResolvers(log: FastifyBaseLogger): IResolvers {
  return {
    Query: {
      async myNotifications(_root: unknown, args: Args, { scope }: GraphQLContext) {
        const { first, after, unreadOnly } = inboxArgs.parse(args);
        const page = pageOf({ first, after }, 2);
        const userId = inboxOwnerOf((await callerFor(scope, 'read')).actor);
        const { pool } = scope.services;
        const rows = await inboxPage(pool, userId, page, unreadOnly ?? false);
        // Every row of the page gets a view (a retired type is dropped by the mapper), so the
        // cursor is taken from the rows and the page stays aligned with them.
        const views = new Map((await toNotifications(pool, rows)).map((view) => [view.id, view]));
        const shown = rows.filter((row) => views.has(row.notification_id));
        const result = connection(
          shown,
          page,
          undefined,
          inboxCursor,
          (row) => views.get(row.notification_id) ?? null,
        );
        if (rows.length > page.first) result.pageInfo.hasNextPage = true;
        return result;
      },
      async unreadNotificationCount(_root: unknown, _args: Args, { scope }: GraphQLContext) {
        const userId = inboxOwnerOf((await callerFor(scope, 'read')).actor);
        return unreadCount(scope.services.pool, userId);
      },
      async notificationPreferences(_root: unknown, _args: Args, { scope }: GraphQLContext) {
        const userId = inboxOwnerOf((await callerFor(scope, 'read')).actor);
        return toPreferencesView(await notificationPreferencesOf(scope.services.pool, userId));
      },
      notificationTypes: () => notificationTypeInfos(),
    },
    Mutation: {
      async markNotificationsRead(_root: unknown, args: Args, { scope }: GraphQLContext) {
        const { ids } = markArgs.parse(args);
        return markNotificationsRead(scope.notifications, await callerFor(scope, 'write'), ids);
      },
      async markAllNotificationsRead(_root: unknown, _args: Args, { scope }: GraphQLContext) {
        return markAllNotificationsRead(scope.notifications, await callerFor(scope, 'write'));
      },
      async updateNotificationPreferences(_root: unknown, args: Args, { scope }: GraphQLContext) {
        const { input } = updateArgs.parse(args);
        const caller = await callerFor(scope, 'write');
        return toPreferencesView(await updateNotificationPreferences(scope.notifications, caller, input));
      },
    },
    Subscription: {
      notificationReceived: {
        subscribe: guardedSubscribe(log, (_root: unknown, _args: unknown, context: GraphQLContext) =>
          notificationReceived(context),
        ),
        resolve: (notification: unknown) => notification,
      },
    },
  };
}
