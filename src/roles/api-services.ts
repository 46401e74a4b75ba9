import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AiProvider } from '../ai/provider.ts';
import { AccessCache } from '../api/auth/access-cache.ts';
import type { ApiServices } from '../api/request-scope.ts';
import { type AccessTokenKeys, SigningKeyRing } from '../auth/signing-key-ring.ts';
import type { RelyingParty } from '../auth/webauthn.ts';
import type { CommandObserver } from '../commands/handle-command.ts';
import type { Logger } from '../logger.ts';
import { localTextModerator } from '../media/moderation/local-text-rules.ts';
import type { TextModerator } from '../media/moderation/text-moderator.ts';
import type { OutboundPolicy } from '../net/outbound-policy.ts';
import { generateVapidKeyPair, type VapidKeys } from '../notifications/push/vapid-keys.ts';
import { DEVICE_READ_MODELS } from '../projections/read-models/devices.ts';
import { EVENT_WEBHOOK_READ_MODELS } from '../projections/read-models/event-webhooks.ts';
import {
  IDENTITY_READ_MODELS,
  MEDIA_READ_MODELS,
  MENTORSHIP_READ_MODELS,
  PUBLISHING_READ_MODELS,
  SOCIAL_ENGAGEMENT_READ_MODELS,
  SOCIAL_GRAPH_READ_MODELS,
  VIDEO_READ_MODELS,
} from '../projections/registry.ts';
import { CHAT_READ_MODELS } from '../services/chat/chat-deps.ts';
import { COMMUNITY_READ_MODELS } from '../services/communities/deps.ts';
import { type MediaOptions, mediaDeps } from '../services/media/media-deps.ts';
import { MentorReplyGenerations } from '../services/mentorship/conversations.ts';
import { NOTIFICATION_READ_MODELS } from '../services/notifications/inbox.ts';
import { NOTIFICATION_PREFERENCES_READ_MODELS } from '../services/notifications/preferences.ts';
import { FEED_BOUND_PROJECTIONS, projectionsFor } from '../services/sync/feed/cursor.ts';
import { createLocalStorage } from '../storage/local-storage.ts';
import { createLocalVideoRooms } from '../video-rooms/local-provider.ts';
import type { VideoRoomProvider } from '../video-rooms/port.ts';
import { type Runtime, settleReadModels } from './runtime.ts';

export interface ApiServicesOptions {
  log: Logger;
  authSecret: Uint8Array;
  /**
   * The keys access tokens are signed and verified with; `serveApi` passes a ring that rotates on
   * KEY_ROTATION_DAYS. Default: a ring on the runtime's database that never rotates by itself.
   */
  accessTokens?: AccessTokenKeys;
  ai: AiProvider;
  /** How long a mutation waits for the read models to show its change before answering. */
  readYourWritesTimeoutMs: number;
  observeCommand?: CommandObserver;
  /**
   * Object storage, size limits and URL lifetimes for media. `serveApi` passes MEDIA_DIR and the
   * configured limits; without it (tests, tools that serve no uploads) media goes to a directory
   * under the OS temp dir, with the default limits.
   */
  media?: MediaOptions;
  /** Which internal webhook targets brand admins and integrators may set (OUTBOUND_ALLOW_INTERNAL); none by default. */
  outbound?: OutboundPolicy;
  /** Where mentorship sessions meet; `serveApi` builds it from DAILY_API_KEY. Default: local, no media. */
  videoRooms?: VideoRoomProvider;
  /** The check comments pass through; `serveApi` builds it from OPENAI_API_KEY. Default: local rules. */
  textModerator?: TextModerator;
  /** The relying party passkeys are bound to (WEBAUTHN_RP_ID / WEBAUTHN_ORIGIN); default: localhost:4000. */
  webauthn?: RelyingParty;
  /** The comment flood limit per person per minute (default 10; tests lower it). */
  commentsPerMinute?: number;
  /**
   * The VAPID keys web push is signed with; `serveApi` passes VAPID_* or the pair kept in DATA_DIR.
   * Default: a pair made for this process (tests, tools that send no pushes).
   */
  vapid?: VapidKeys;
  /** The push services device endpoints may point at (PUSH_ALLOWED_HOSTS); default the browsers' own. */
  pushHosts?: readonly string[];
}

/** The use cases' dependencies for the API, each context waiting only for the read models it reads. */
export function apiServices(runtime: Runtime, options: ApiServicesOptions): ApiServices {
  const { log, authSecret, observeCommand } = options;
  const shared = {
    store: runtime.store,
    codec: runtime.codec,
    log,
    ...(observeCommand ? { observeCommand } : {}),
  };
  const access = new AccessCache();
  // Lives as long as the bus: closing the runtime drops the listener.
  runtime.bus.subscribe((change) => access.forget(change));
  const settle = (projections: readonly string[]) =>
    settleReadModels(runtime, log, {
      timeoutMs: options.readYourWritesTimeoutMs,
      projections,
      reached: (change, eventTypes) => access.commandReached(change, eventTypes),
    });
  return {
    identity: {
      ...shared,
      keys: runtime.keys,
      pool: runtime.pool,
      authSecret,
      accessTokens: options.accessTokens ?? new SigningKeyRing({ pool: runtime.pool, authSecret, log }),
      settle: settle(IDENTITY_READ_MODELS),
      ...(options.webauthn ? { webauthn: options.webauthn } : {}),
    },
    publishing: {
      ...shared,
      ai: options.ai,
      authSecret,
      ...(options.outbound ? { outbound: options.outbound } : {}),
      settle: settle(PUBLISHING_READ_MODELS),
    },
    media: mediaDeps(
      { ...shared, settle: settle(MEDIA_READ_MODELS) },
      authSecret,
      options.media ?? temporaryMedia(),
    ),
    videos: { ...shared, settle: settle(VIDEO_READ_MODELS) },
    socialGraph: { ...shared, pool: runtime.pool, settle: settle(SOCIAL_GRAPH_READ_MODELS) },
    engagement: {
      ...shared,
      pool: runtime.pool,
      textModerator: options.textModerator ?? localTextModerator(),
      ...(options.commentsPerMinute ? { commentsPerMinute: options.commentsPerMinute } : {}),
      settle: settle(SOCIAL_ENGAGEMENT_READ_MODELS),
    },
    chat: {
      ...shared,
      pool: runtime.pool,
      ...(options.textModerator ? { textModerator: options.textModerator } : {}),
      personalDataKeys: runtime.keys,
      settle: settle(CHAT_READ_MODELS),
    },
    communities: {
      ...shared,
      pool: runtime.pool,
      ai: options.ai,
      personalDataKeys: runtime.keys,
      settle: settle(COMMUNITY_READ_MODELS),
    },
    mentorship: {
      ...shared,
      pool: runtime.pool,
      videoRooms: options.videoRooms ?? createLocalVideoRooms(),
      ai: options.ai,
      replies: runtime.replies,
      mentorReplies: new MentorReplyGenerations(),
      settle: settle(MENTORSHIP_READ_MODELS),
    },
    webhooks: {
      ...shared,
      pool: runtime.pool,
      authSecret,
      ...(options.outbound ? { outbound: options.outbound } : {}),
      settle: settle(EVENT_WEBHOOK_READ_MODELS),
    },
    devices: {
      ...shared,
      pool: runtime.pool,
      vapidPublicKey: (options.vapid ?? generateVapidKeyPair()).publicKey,
      ...(options.outbound ? { outbound: options.outbound } : {}),
      ...(options.pushHosts ? { pushHosts: options.pushHosts } : {}),
      settle: settle(DEVICE_READ_MODELS),
    },
    notifications: {
      ...shared,
      pool: runtime.pool,
      settle: settle([...NOTIFICATION_READ_MODELS, ...NOTIFICATION_PREFERENCES_READ_MODELS]),
    },
    // Every change goes through its context's use case, so these deps are all of theirs at once;
    // a sync waits once, for the read models its reply's feed is served from.
    sync: {
      ...shared,
      pool: runtime.pool,
      authSecret,
      ai: options.ai,
      keys: runtime.keys,
      personalDataKeys: runtime.keys,
      ...(options.textModerator ? { textModerator: options.textModerator } : {}),
      // Given the events written, only what the feed needs to show them (projectionsFor): the
      // feed projection and the read models serving their entities; else all it is served from.
      settle: (position, eventTypes) =>
        settle(eventTypes ? projectionsFor(eventTypes) : FEED_BOUND_PROJECTIONS)(position),
    },
    pool: runtime.pool,
    projections: runtime.projections,
    bus: runtime.bus,
    access,
  };
}

const temporaryMedia = (): MediaOptions => ({
  storage: createLocalStorage(join(tmpdir(), 'chronicle-media')),
});
