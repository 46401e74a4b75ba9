import { aiGenerationEventCatalogue } from '../../domain/ai/generation-events.ts';
import { auditAnchorEventCatalogue } from '../../domain/audit/anchor-events.ts';
import { auditLogEventCatalogue } from '../../domain/audit/audit-log-events.ts';
import { brandEventCatalogue } from '../../domain/brands/brand-events.ts';
import { chatConversationEventCatalogue } from '../../domain/chat/conversation-events.ts';
import { chatMemberEventCatalogue } from '../../domain/chat/member-events.ts';
import { chatMessageEventCatalogue } from '../../domain/chat/message-events.ts';
import { attemptEventCatalogue } from '../../domain/communities/attempt-events.ts';
import { checkpointEventCatalogue } from '../../domain/communities/checkpoint-events.ts';
import { communityEventCatalogue } from '../../domain/communities/community-events.ts';
import { membershipEventCatalogue } from '../../domain/communities/membership-events.ts';
import { learningModuleEventCatalogue } from '../../domain/communities/module-events.ts';
import { learningPathEventCatalogue } from '../../domain/communities/path-events.ts';
import { communityPostEventCatalogue } from '../../domain/communities/post-events.ts';
import { progressEventCatalogue } from '../../domain/communities/progress-events.ts';
import { contentEventCatalogue } from '../../domain/content/content-events.ts';
import { apiKeyEventCatalogue } from '../../domain/identity/api-key-events.ts';
import { passkeyEventCatalogue } from '../../domain/identity/passkey-events.ts';
import { sessionEventCatalogue } from '../../domain/identity/session-events.ts';
import { userEventCatalogue } from '../../domain/identity/user-events.ts';
import { mediaEventCatalogue } from '../../domain/media/media-events.ts';
import { calendarEventCatalogue } from '../../domain/mentorship/calendar-events.ts';
import { conversationEventCatalogue } from '../../domain/mentorship/conversation-events.ts';
import { learnerProfileEventCatalogue } from '../../domain/mentorship/learner-profile-events.ts';
import { matchRequestEventCatalogue } from '../../domain/mentorship/match-request-events.ts';
import { mentorProfileEventCatalogue } from '../../domain/mentorship/mentor-profile-events.ts';
import { sessionEventCatalogue as mentorshipSessionEventCatalogue } from '../../domain/mentorship/session-events.ts';
import { deviceEventCatalogue } from '../../domain/notifications/device-events.ts';
import { inboxEventCatalogue } from '../../domain/notifications/inbox-events.ts';
import { notificationPreferencesEventCatalogue } from '../../domain/notifications/preferences-events.ts';
import { reminderEventCatalogue } from '../../domain/notifications/reminder-events.ts';
import type { EventDefinition } from '../../domain/shared/event-catalogue.ts';
import { commentEventCatalogue } from '../../domain/social/comment-events.ts';
import { commentSettingsEventCatalogue } from '../../domain/social/comment-settings.ts';
import { followEventCatalogue } from '../../domain/social/follow-events.ts';
import { likeEventCatalogue } from '../../domain/social/like-events.ts';
import { moderationEventCatalogue } from '../../domain/social/moderation-events.ts';
import { profileEventCatalogue } from '../../domain/social/profile-events.ts';
import { shareEventCatalogue } from '../../domain/social/share-events.ts';
import { syncConflictEventCatalogue } from '../../domain/sync/conflict-events.ts';
import { videoPostEventCatalogue } from '../../domain/videos/video-events.ts';
import { eventWebhookEventCatalogue } from '../../domain/webhooks/webhook-events.ts';
import { type EventAudience, PUBLISHED_EVENTS } from './published-events.ts';

/** Every domain catalogue, by context. A new catalogue is added here (the catalogue test checks it). */
export const DOMAIN_CATALOGUES: Readonly<Record<string, readonly object[]>> = {
  identity: [userEventCatalogue, sessionEventCatalogue, apiKeyEventCatalogue, passkeyEventCatalogue],
  brands: [brandEventCatalogue],
  content: [contentEventCatalogue],
  ai: [aiGenerationEventCatalogue],
  media: [mediaEventCatalogue],
  videos: [videoPostEventCatalogue],
  social: [
    followEventCatalogue,
    profileEventCatalogue,
    moderationEventCatalogue,
    likeEventCatalogue,
    commentEventCatalogue,
    commentSettingsEventCatalogue,
    shareEventCatalogue,
  ],
  webhooks: [eventWebhookEventCatalogue],
  chat: [chatConversationEventCatalogue, chatMessageEventCatalogue, chatMemberEventCatalogue],
  mentorship: [
    mentorProfileEventCatalogue,
    learnerProfileEventCatalogue,
    matchRequestEventCatalogue,
    mentorshipSessionEventCatalogue,
    calendarEventCatalogue,
    conversationEventCatalogue,
  ],
  communities: [
    communityEventCatalogue,
    membershipEventCatalogue,
    communityPostEventCatalogue,
    learningPathEventCatalogue,
    learningModuleEventCatalogue,
    checkpointEventCatalogue,
    attemptEventCatalogue,
    progressEventCatalogue,
  ],
  notifications: [
    inboxEventCatalogue,
    notificationPreferencesEventCatalogue,
    deviceEventCatalogue,
    reminderEventCatalogue,
  ],
  sync: [syncConflictEventCatalogue],
  audit: [auditLogEventCatalogue, auditAnchorEventCatalogue],
};

/** Every stored event type of every context, by type. */
export const EVENT_DEFINITIONS: ReadonlyMap<string, EventDefinition> = definitionsByType();

function definitionsByType(): Map<string, EventDefinition> {
  const byType = new Map<string, EventDefinition>();
  for (const catalogue of Object.values(DOMAIN_CATALOGUES).flat()) {
    for (const definition of Object.values(catalogue) as EventDefinition[]) {
      // Two contexts sharing a type name would make one of them decode the other's events.
      if (byType.has(definition.type)) throw new Error(`Event type ${definition.type} is defined twice`);
      byType.set(definition.type, definition);
    }
  }
  return byType;
}

/** What integrators receive of one published type. */
export interface PublishedEvent {
  definition: EventDefinition;
  /** The data fields sent: a subset of the domain's `publicFields`. */
  fields: readonly string[];
  audience: EventAudience;
}

/**
 * The integrator catalogue: PUBLISHED_EVENTS checked against the domain catalogues once, at load,
 * so a published type that no longer exists, or a field its domain does not allow out, stops the
 * process rather than leaking or silently sending nothing.
 */
export const INTEGRATOR_CATALOGUE: ReadonlyMap<string, PublishedEvent> = new Map(
  Object.entries(PUBLISHED_EVENTS).map(([type, publication]) => {
    const definition = EVENT_DEFINITIONS.get(type);
    if (!definition) throw new Error(`Published event type ${type} is in no domain catalogue`);
    const allowed = new Set(definition.publicFields ?? []);
    const credentials = new Set(definition.credentialFields ?? []);
    for (const field of publication.fields) {
      if (!allowed.has(field) || credentials.has(field)) {
        throw new Error(`${type}.${field} is published but its domain does not list it in publicFields`);
      }
    }
    return [type, { definition, fields: publication.fields, audience: publication.audience }] as const;
  }),
);

/** The event types integrators may see, sorted. */
export const PUBLIC_EVENT_TYPES: readonly string[] = [...INTEGRATOR_CATALOGUE.keys()].sort();

/** The public types a caller of this audience receives, sorted. */
export function publicTypesFor(audience: EventAudience): readonly string[] {
  return audience === 'admins'
    ? PUBLIC_EVENT_TYPES
    : PUBLIC_EVENT_TYPES.filter((type) => INTEGRATOR_CATALOGUE.get(type)?.audience === 'readers');
}
