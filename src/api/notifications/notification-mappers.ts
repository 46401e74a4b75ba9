import type pg from 'pg';
import { effectiveChannels } from '../../domain/notifications/channels.ts';
import { describeNotification } from '../../domain/notifications/describe.ts';
import {
  CHANNELS,
  isNotificationType,
  NOTIFICATION_TYPE_NAMES,
  NOTIFICATION_TYPES,
  type NotificationType,
} from '../../domain/notifications/notification-types.ts';
import type { NotificationPreferences } from '../../domain/notifications/preferences-values.ts';
import { displayNames, type InboxRow } from './inbox-queries.ts';

export interface NotificationView {
  id: string;
  type: string;
  title: string;
  body: string;
  path: string;
  actors: { id: string; displayName: string | null }[];
  actorCount: number;
  subjectKind: string;
  subjectId: string;
  read: boolean;
  readAt: string | null;
  createdAt: string;
  updatedAt: string;
}

const upper = (value: string) => value.toUpperCase();

/**
 * Rows as the API shows them, their actors' names read in one statement for all of them. A row of
 * a type this server no longer knows (a type retired after it was written) is left out rather than
 * shown with words it cannot write.
 */
export async function toNotifications(pool: pg.Pool, rows: readonly InboxRow[]): Promise<NotificationView[]> {
  const names = await displayNames(
    pool,
    rows.flatMap((row) => row.actor_ids),
  );
  return rows.flatMap((row) => {
    if (!isNotificationType(row.type)) return [];
    const actors = row.actor_ids.map((id) => ({ id, displayName: names.get(id) ?? null }));
    const { title, body, path } = describeNotification({
      type: row.type,
      actorNames: actors.map((actor) => actor.displayName),
      actorCount: row.actor_count,
      subjectKind: row.subject_kind,
      subjectId: row.subject_id,
      data: row.data,
    });
    return [
      {
        id: row.notification_id,
        type: upper(row.type),
        title,
        body,
        path,
        actors,
        actorCount: row.actor_count,
        subjectKind: row.subject_kind,
        subjectId: row.subject_id,
        read: row.read_at !== null,
        readAt: row.read_at?.toISOString() ?? null,
        createdAt: row.created_at.toISOString(),
        updatedAt: row.updated_at.toISOString(),
      },
    ];
  });
}

const channelsView = (channels: Record<(typeof CHANNELS)[number], boolean>) => ({
  inApp: channels.in_app,
  push: channels.push,
  email: channels.email,
});

/** `notificationTypes`: the types table as the API shows it. */
export const notificationTypeInfos = () =>
  NOTIFICATION_TYPE_NAMES.map((type) => {
    const spec = NOTIFICATION_TYPES[type];
    return {
      type: upper(type),
      category: upper(spec.category),
      defaults: channelsView(spec.defaults),
      security: spec.security,
      grouped: spec.grouped,
    };
  });

/** Preferences with every type's channels filled in: the person's choice, else the default. */
export function toPreferencesView(prefs: NotificationPreferences) {
  return {
    timeZone: prefs.timeZone,
    quietHours: prefs.quietHours,
    emailDigest: prefs.emailDigest,
    channels: NOTIFICATION_TYPE_NAMES.map((type: NotificationType) => {
      const spec = NOTIFICATION_TYPES[type];
      const own = spec.security ? undefined : prefs.channels[type];
      return {
        type: upper(type),
        category: upper(spec.category),
        ...channelsView(effectiveChannels(type, prefs)),
        customised: CHANNELS.some((channel) => own?.[channel] !== undefined),
        locked: spec.security,
      };
    }),
  };
}
