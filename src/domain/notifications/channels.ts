import { CHANNELS, type Channel, NOTIFICATION_TYPES, type NotificationType } from './notification-types.ts';
import type { NotificationPreferences } from './preferences-values.ts';

/**
 * The channels one notification of `type` goes out on for a person with these preferences (null:
 * they never set any). A person's override wins over the type's default; security types ignore
 * overrides altogether, so a stored override can never silence "your password was reset".
 */
export function effectiveChannels(
  type: NotificationType,
  prefs: Pick<NotificationPreferences, 'channels'> | null,
): Record<Channel, boolean> {
  const spec = NOTIFICATION_TYPES[type];
  const overrides = spec.security ? undefined : prefs?.channels[type];
  const result = { ...spec.defaults };
  for (const channel of CHANNELS) {
    const override = overrides?.[channel];
    if (override !== undefined) result[channel] = override;
  }
  return result;
}
