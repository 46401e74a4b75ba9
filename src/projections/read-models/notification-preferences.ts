import type { EventCodec } from '../../commands/event-codec.ts';
import { userEventCatalogue } from '../../domain/identity/user-events.ts';
import { notificationPreferencesEventCatalogue } from '../../domain/notifications/preferences-events.ts';
import type { Projection } from '../projection.ts';
import { occurredAt } from './occurred-at.ts';

export const NOTIFICATION_PREFERENCES_PROJECTION = 'notification_preferences';

/**
 * Each person's notification preferences as they now are, one row per person who ever changed
 * them: a missing row means the defaults (UTC, no quiet hours, no digest, every type on its
 * default channels). The delivery saga reads it for every recipient, so it holds the preferences
 * ready to use: `channels` only the person's own choices, as in the event. A forgotten person's
 * row goes: nothing is delivered to them any more.
 */
export function notificationPreferencesProjection(codec: Pick<EventCodec, 'decode'>): Projection {
  return {
    name: NOTIFICATION_PREFERENCES_PROJECTION,
    version: 1,
    eventTypes: [...Object.keys(notificationPreferencesEventCatalogue), 'UserForgotten'],
    tables: {
      notification_preferences: {
        columns: `user_id uuid not null, time_zone text not null, quiet_start text, quiet_end text,
          email_digest boolean not null, channels jsonb not null, updated_at timestamptz not null`,
        primaryKey: ['user_id'],
      },
    },
    async apply(recorded, writer) {
      if (recorded.type === 'UserForgotten') {
        const user = await codec.decode(userEventCatalogue, recorded);
        if (user?.event.type === 'UserForgotten')
          writer.delete('notification_preferences', { user_id: user.event.data.userId });
        return;
      }
      const decoded = await codec.decode(notificationPreferencesEventCatalogue, recorded);
      if (decoded?.event.type !== 'NotificationPreferencesChanged') return;
      const { userId, timeZone, quietHours, emailDigest, channels } = decoded.event.data;
      writer.upsert('notification_preferences', {
        user_id: userId,
        time_zone: timeZone,
        quiet_start: quietHours?.start ?? null,
        quiet_end: quietHours?.end ?? null,
        email_digest: emailDigest,
        channels,
        updated_at: occurredAt(recorded),
      });
    },
  };
}
