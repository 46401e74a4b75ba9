/**
 * Commands on one person's inbox stream (`notificationinbox-<userId>`). The service names only
 * notifications it found unread in the person's own inbox: ids of someone else's notifications
 * are dropped before the command, so they are not recorded against anyone.
 */
export type InboxCommand =
  | { type: 'MarkNotificationsRead'; userId: string; notificationIds: readonly string[] }
  | { type: 'MarkAllNotificationsRead'; userId: string };

export type InboxCommandOf<Type extends InboxCommand['type']> = Extract<InboxCommand, { type: Type }>;
