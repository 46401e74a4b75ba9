import { effectiveChannels } from '../../domain/notifications/channels.ts';
import type { NotificationType } from '../../domain/notifications/notification-types.ts';
import type { ChannelOverrides } from '../../domain/notifications/preferences-values.ts';
import type { ReadModelTable, ReadModelWriter, Row } from '../projection.ts';

/**
 * What the `notifications` projection knows of a recipient, from events, in a table of its own
 * (never the `notification_preferences` read model: a rebuild must derive the same rows whatever
 * that one holds): their channel choices (NotificationPreferencesChanged) and whether they were
 * forgotten (UserForgotten). A person without a row has the defaults and is not forgotten.
 */
export const NOTIFICATION_RECIPIENTS = 'notification_recipient_facts';

export const RECIPIENT_TABLES: Record<string, ReadModelTable> = {
  [NOTIFICATION_RECIPIENTS]: {
    columns: 'user_id uuid not null, channels jsonb not null, forgotten boolean not null',
    primaryKey: ['user_id'],
  },
};

export const recipientFactsKey = (userId: string) => ({
  table: NOTIFICATION_RECIPIENTS,
  key: { user_id: userId } as Row,
});

const overridesOf = (value: unknown): ChannelOverrides =>
  typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as ChannelOverrides) : {};

/** NotificationPreferencesChanged: the person's channel choices as they now are (the event holds them whole). */
export async function recordChannels(writer: ReadModelWriter, userId: string, channels: unknown) {
  const row = await writer.get(NOTIFICATION_RECIPIENTS, { user_id: userId });
  writer.upsert(NOTIFICATION_RECIPIENTS, {
    user_id: userId,
    channels: overridesOf(channels),
    forgotten: row?.forgotten === true,
  });
}

/** UserForgotten: their choices go; that they were forgotten stays, so no new row is made for them. */
export function recordForgotten(writer: ReadModelWriter, userId: string): void {
  writer.upsert(NOTIFICATION_RECIPIENTS, { user_id: userId, channels: {}, forgotten: true });
}

/**
 * Where a notification of `type` goes for this recipient: nowhere (forgotten, or every channel
 * switched off: nothing to show or send), to the saga only (in-app off, push or e-mail on: the
 * row is kept for the delivery saga, which plans from inbox rows, but hidden from the inbox, the
 * count and the live feed), or to the inbox. Security types ignore overrides (effectiveChannels).
 */
export async function placementFor(
  writer: ReadModelWriter,
  recipientId: string,
  type: NotificationType,
): Promise<'none' | 'hidden' | 'inbox'> {
  const row = await writer.get(NOTIFICATION_RECIPIENTS, { user_id: recipientId });
  if (row?.forgotten === true) return 'none';
  const channels = effectiveChannels(type, row ? { channels: overridesOf(row.channels) } : null);
  if (channels.in_app) return 'inbox';
  return channels.push || channels.email ? 'hidden' : 'none';
}
