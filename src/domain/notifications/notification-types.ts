/**
 * Every kind of notification Chronicle raises, with the channels it uses when the recipient has
 * not said otherwise. One table: the preferences API, the delivery saga, the e-mail templates and
 * the docs' defaults table all read it. Security notifications cannot be switched off (a person
 * must hear that their password was reset), so preferences leave their channels alone.
 */
export const CHANNELS = ['in_app', 'push', 'email'] as const;
export type Channel = (typeof CHANNELS)[number];

export type NotificationCategory =
  | 'social'
  | 'chat'
  | 'communities'
  | 'mentorship'
  | 'publishing'
  | 'media'
  | 'sync'
  | 'security';

export interface NotificationTypeSpec {
  category: NotificationCategory;
  /** What the recipient gets by default, per channel. */
  defaults: Readonly<Record<Channel, boolean>>;
  /** Cannot be switched off (in-app and e-mail always on). */
  security: boolean;
  /** Unread notifications of this type about the same subject fold into one ("Ada and 12 others"). */
  grouped: boolean;
}

const on = (inApp: boolean, push: boolean, email: boolean) => ({ in_app: inApp, push, email });

export const NOTIFICATION_TYPES = {
  // Social (Breiq)
  video_liked: { category: 'social', defaults: on(true, true, false), security: false, grouped: true },
  video_commented: { category: 'social', defaults: on(true, true, false), security: false, grouped: true },
  comment_replied: { category: 'social', defaults: on(true, true, false), security: false, grouped: true },
  mentioned: { category: 'social', defaults: on(true, true, false), security: false, grouped: false },
  new_follower: { category: 'social', defaults: on(true, true, false), security: false, grouped: true },
  followed_user_posted: {
    category: 'social',
    defaults: on(true, true, false),
    security: false,
    grouped: false,
  },
  // Chat
  chat_message: { category: 'chat', defaults: on(true, true, false), security: false, grouped: true },
  // Communities (EduConnect)
  community_invited: {
    category: 'communities',
    defaults: on(true, true, true),
    security: false,
    grouped: false,
  },
  community_join_requested: {
    category: 'communities',
    defaults: on(true, true, false),
    security: false,
    grouped: true,
  },
  community_post_helpful: {
    category: 'communities',
    defaults: on(true, false, false),
    security: false,
    grouped: true,
  },
  community_post_removed: {
    category: 'communities',
    defaults: on(true, true, true),
    security: false,
    grouped: false,
  },
  checkpoint_graded: {
    category: 'communities',
    defaults: on(true, true, false),
    security: false,
    grouped: false,
  },
  // Mentorship (Abiah, EduConnect)
  mentor_offered: { category: 'mentorship', defaults: on(true, true, true), security: false, grouped: false },
  match_made: { category: 'mentorship', defaults: on(true, true, true), security: false, grouped: false },
  session_scheduled: {
    category: 'mentorship',
    defaults: on(true, true, true),
    security: false,
    grouped: false,
  },
  session_cancelled: {
    category: 'mentorship',
    defaults: on(true, true, true),
    security: false,
    grouped: false,
  },
  session_reminder: {
    category: 'mentorship',
    defaults: on(true, true, true),
    security: false,
    grouped: false,
  },
  // Publishing (MixerAI)
  content_review_requested: {
    category: 'publishing',
    defaults: on(true, true, true),
    security: false,
    grouped: false,
  },
  content_approved: {
    category: 'publishing',
    defaults: on(true, true, true),
    security: false,
    grouped: false,
  },
  content_rejected: {
    category: 'publishing',
    defaults: on(true, true, true),
    security: false,
    grouped: false,
  },
  content_published: {
    category: 'publishing',
    defaults: on(true, true, false),
    security: false,
    grouped: false,
  },
  content_publish_failed: {
    category: 'publishing',
    defaults: on(true, true, true),
    security: false,
    grouped: false,
  },
  // Media
  media_ready: { category: 'media', defaults: on(true, false, false), security: false, grouped: false },
  media_failed: { category: 'media', defaults: on(true, true, false), security: false, grouped: false },
  // Sync (offline devices): what became of changes made offline. No e-mail: the person is using
  // the app when it syncs, and the conflict waits in the app for them.
  sync_conflict_queued: {
    category: 'sync',
    defaults: on(true, true, false),
    security: false,
    grouped: false,
  },
  sync_change_overruled: {
    category: 'sync',
    defaults: on(true, true, false),
    security: false,
    grouped: false,
  },
  // Security
  password_reset: { category: 'security', defaults: on(true, true, true), security: true, grouped: false },
  new_sign_in: { category: 'security', defaults: on(true, true, true), security: true, grouped: false },
  passkey_added: { category: 'security', defaults: on(true, true, true), security: true, grouped: false },
} as const satisfies Record<string, NotificationTypeSpec>;

export type NotificationType = keyof typeof NOTIFICATION_TYPES;
export const NOTIFICATION_TYPE_NAMES = Object.keys(NOTIFICATION_TYPES) as NotificationType[];

export function isNotificationType(value: string): value is NotificationType {
  return Object.hasOwn(NOTIFICATION_TYPES, value);
}

export function notificationTypeSpec(type: NotificationType): NotificationTypeSpec {
  return NOTIFICATION_TYPES[type];
}
