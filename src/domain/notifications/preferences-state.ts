import type { NotificationPreferencesEvent } from './preferences-events.ts';
import {
  type ChannelOverrides,
  DEFAULT_NOTIFICATION_PREFERENCES,
  type NotificationPreferences,
} from './preferences-values.ts';

export type NotificationPreferencesState = NotificationPreferences;

export const initialNotificationPreferencesState: NotificationPreferencesState =
  DEFAULT_NOTIFICATION_PREFERENCES;

export function evolveNotificationPreferences(
  state: NotificationPreferencesState,
  event: NotificationPreferencesEvent,
): NotificationPreferencesState {
  switch (event.type) {
    case 'NotificationPreferencesChanged': {
      const { timeZone, quietHours, emailDigest, channels } = event.data;
      return { timeZone, quietHours, emailDigest, channels: channels as ChannelOverrides };
    }
    default:
      return state;
  }
}
