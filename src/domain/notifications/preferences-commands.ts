import type { Channel } from './notification-types.ts';
import type { QuietHours } from './preferences-values.ts';

/**
 * Changes to one person's preferences. An absent field stays as it is; in `channels`, a channel
 * set to null drops the person's choice so the type's default applies again. Types arrive as the
 * caller spelled them (domain names): the decider refuses unknown ones.
 */
export type NotificationPreferencesCommand = {
  type: 'ChangeNotificationPreferences';
  userId: string;
  timeZone?: string;
  /** null: no quiet hours. */
  quietHours?: QuietHours | null;
  emailDigest?: boolean;
  channels?: Readonly<Record<string, Partial<Record<Channel, boolean | null>>>>;
};
