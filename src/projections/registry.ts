import type { EventCodec } from '../commands/event-codec.ts';
import type { Projection } from './projection.ts';
import { aiGenerationsProjection } from './read-models/ai-generations.ts';
import { apiKeysProjection } from './read-models/api-keys.ts';
import { auditIndexProjection } from './read-models/audit-index.ts';
import { brandsProjection } from './read-models/brands.ts';
import { chatProjection } from './read-models/chat.ts';
import { communitiesProjection } from './read-models/communities.ts';
import { communityDiscussionsProjection } from './read-models/community-discussions.ts';
import { communityLearningProjection } from './read-models/community-learning.ts';
import { communityProgressProjection } from './read-models/community-progress.ts';
import { communityTrustProjection } from './read-models/community-trust.ts';
import { contentsProjection } from './read-models/contents.ts';
import { devicesProjection } from './read-models/devices.ts';
import { eventWebhooksProjection } from './read-models/event-webhooks.ts';
import { mediaProjection } from './read-models/media.ts';
import { mentorshipConversationsProjection } from './read-models/mentorship-conversations.ts';
import { mentorshipMatchingProjection } from './read-models/mentorship-matching.ts';
import { mentorshipProfilesProjection } from './read-models/mentorship-profiles.ts';
import { mentorshipSessionsProjection } from './read-models/mentorship-sessions.ts';
import { notificationPreferencesProjection } from './read-models/notification-preferences.ts';
import { notificationsProjection } from './read-models/notifications.ts';
import { passkeysProjection } from './read-models/passkeys.ts';
import { sessionsProjection } from './read-models/sessions.ts';
import { socialEngagementProjection } from './read-models/social-engagement.ts';
import { socialGraphProjection } from './read-models/social-graph.ts';
import { socialModerationProjection } from './read-models/social-moderation.ts';
import { streamCatalogue } from './read-models/stream-catalogue.ts';
import { syncConflictsProjection } from './read-models/sync-conflicts.ts';
import { syncFeedProjection } from './read-models/sync-feed.ts';
import { usersProjection } from './read-models/users.ts';
import { videoPostsProjection } from './read-models/videos.ts';

export interface ProjectionDeps {
  /** Decodes (and decrypts) stored events for read models that hold personal data. */
  codec: Pick<EventCodec, 'decode'>;
}

/** Every projection the projector runs. A bounded context adds its read models here. */
export function createProjections({ codec }: ProjectionDeps): readonly Projection[] {
  return [
    streamCatalogue,
    auditIndexProjection,
    usersProjection(codec),
    sessionsProjection(codec),
    apiKeysProjection(codec),
    passkeysProjection(codec),
    brandsProjection(codec),
    contentsProjection(codec),
    aiGenerationsProjection(codec),
    mediaProjection(codec),
    videoPostsProjection(codec),
    socialGraphProjection(codec),
    socialModerationProjection(codec),
    socialEngagementProjection(codec),
    eventWebhooksProjection(codec),
    mentorshipProfilesProjection(codec),
    mentorshipMatchingProjection(codec),
    mentorshipSessionsProjection(codec),
    mentorshipConversationsProjection(codec),
    chatProjection(codec),
    communityProgressProjection(codec),
    communityTrustProjection(codec),
    communitiesProjection(codec),
    communityLearningProjection(codec),
    communityDiscussionsProjection(codec),
    devicesProjection(codec),
    notificationPreferencesProjection(codec),
    notificationsProjection(codec),
    syncFeedProjection,
    syncConflictsProjection(codec),
  ];
}

/** The read models the identity use cases wait for (read-your-writes). */
export const IDENTITY_READ_MODELS = ['users', 'sessions', 'api_keys', 'passkeys'];

/** The read models the brand, content and AI use cases wait for. */
export const PUBLISHING_READ_MODELS = ['brands', 'contents', 'ai_generations'];

/** The read models the video post use cases wait for. */
export const VIDEO_READ_MODELS = ['video_posts'];

/** The read models the social graph use cases wait for (follows, blocks, profiles). */
export const SOCIAL_GRAPH_READ_MODELS = ['social_graph'];

/** The read models the moderation use cases wait for (reports, holds, hidden content). */
export const SOCIAL_MODERATION_READ_MODELS = ['social_moderation'];

/** The read models likes, comments and shares wait for. */
export const SOCIAL_ENGAGEMENT_READ_MODELS = ['social_engagement', 'social_moderation'];

/** The read models the media use cases wait for. */
export const MEDIA_READ_MODELS = ['media'];

/** The read models the mentorship use cases wait for (profiles, matching, sessions, conversations). */
export const MENTORSHIP_READ_MODELS: string[] = [
  'mentorship_profiles',
  'mentorship_matching',
  'mentorship_sessions',
  'mentorship_conversations',
];
