import type { FastifyRequest } from 'fastify';
import type { MercuriusContext } from 'mercurius';
import type pg from 'pg';
import type { ApiScope } from '../domain/shared/decider.ts';
import { forbidden, unauthenticated } from '../domain/shared/domain-error.ts';
import type { ChangeBus } from '../projections/change-bus.ts';
import type { Projection } from '../projections/projection.ts';
import type { ChatDeps } from '../services/chat/chat-deps.ts';
import type { CommunityDeps } from '../services/communities/deps.ts';
import type { SessionDeps } from '../services/identity/context.ts';
import type { MediaDeps } from '../services/media/media-deps.ts';
import type { MentorshipDeps } from '../services/mentorship/deps.ts';
import type { DeviceDeps } from '../services/notifications/devices-deps.ts';
import type { NotificationPreferencesDeps } from '../services/notifications/preferences.ts';
import type { PublishingDeps } from '../services/publishing-deps.ts';
import type { RequestContext, ServiceDeps } from '../services/shared/command-context.ts';
import type { EngagementDeps } from '../services/social/comments-deps.ts';
import type { SocialGraphDeps } from '../services/social/follows.ts';
import type { SyncDeps } from '../services/sync/deps.ts';
import type { VideoDeps } from '../services/videos/videos.ts';
import type { WebhookDeps } from '../services/webhooks/deps.ts';
import type { AccessCache } from './auth/access-cache.ts';
import { ANONYMOUS, type Authenticated, authenticate } from './auth/authenticate.ts';

/** What the GraphQL resolvers need: the use cases' dependencies and the read side. */
export interface ApiServices {
  /** Its `settle` makes mutations wait until the read models show their change. */
  identity: SessionDeps;
  /** Brands, content and AI generation; its `settle` waits for their read models. */
  publishing: PublishingDeps;
  /** Media uploads, storage and delivery; its `settle` waits for the media read model. */
  media: MediaDeps;
  /** Video posts; its `settle` waits for their read model. */
  videos: VideoDeps;
  /** Mentor and learner profiles, matching, sessions and the AI mentor. */
  mentorship: MentorshipDeps;
  /** Profiles, follows and blocks; its `settle` waits for the social graph read model. */
  socialGraph: SocialGraphDeps;
  /** Likes, comments, shares, reports and moderation; its `settle` waits for their read models. */
  engagement: EngagementDeps;
  /** Conversations and messages between people; its `settle` waits for `chat` and `social_moderation`. */
  chat: ChatDeps;
  /** Communities, discussions, learning paths, checkpoints, progress and trust. */
  communities: CommunityDeps;
  /** Integrators' outbound webhooks; its `settle` waits for their read model. */
  webhooks: WebhookDeps;
  /** The device registry (web push); its `settle` waits for the `devices` read model. */
  devices: DeviceDeps;
  /** The inbox's read marks and notification preferences; its `settle` waits for their read models. */
  notifications: NotificationPreferencesDeps;
  /** Offline sync: the contexts whose entities it syncs; its `settle` waits for what the sync feed is served from. */
  sync: SyncDeps;
  pool: pg.Pool;
  projections: readonly Projection[];
  /** The projector's change notifications: subscriptions and session watches listen to it. */
  bus: ChangeBus;
  /** Sessions and API keys checked lately, evicted by the bus and by this process's own commands. */
  access: AccessCache;
}

/** Per request: authenticates lazily (public operations never pay for it) and at most once. */
export interface RequestScope {
  services: ApiServices;
  /** The identity use cases' deps for this request: their read-your-writes wait is recorded here. */
  identity: SessionDeps;
  /** The same for brands, content and AI generation. */
  publishing: PublishingDeps;
  /** The same for media. */
  media: MediaDeps;
  /** The same for video posts. */
  videos: VideoDeps;
  /** The same for mentorship. */
  mentorship: MentorshipDeps;
  /** The same for the social graph. */
  socialGraph: SocialGraphDeps;
  /** The same for likes, comments, shares and moderation. */
  engagement: EngagementDeps;
  /** The same for chat. */
  chat: ChatDeps;
  /** The same for communities. */
  communities: CommunityDeps;
  /** The same for integrators' webhooks. */
  webhooks: WebhookDeps;
  /** The same for devices. */
  devices: DeviceDeps;
  /** The same for the inbox and notification preferences. */
  notifications: NotificationPreferencesDeps;
  /** The same for sync. */
  sync: SyncDeps;
  correlationId: string;
  authenticated(): Promise<Authenticated>;
  /** Set when a command's wait for the read models timed out: the answer may lag its own write. */
  stalePosition(): bigint | undefined;
}

declare module 'mercurius' {
  /** Set by buildApp's context function whenever the contexts' resolvers are mounted. */
  interface MercuriusContext {
    scope: RequestScope;
  }
}

export type GraphQLContext = MercuriusContext;

const authentications = new WeakMap<FastifyRequest, Promise<Authenticated>>();

/**
 * The request's caller, authenticated at most once: the rate limiter asks first (it counts per
 * user or API key), the resolvers reuse the answer.
 */
export function authenticationOf(services: ApiServices, request: FastifyRequest): Promise<Authenticated> {
  let auth = authentications.get(request);
  if (!auth) {
    auth = authenticate(
      { ...services.identity, pool: services.pool, access: services.access },
      request.headers.authorization,
      now(services),
    );
    authentications.set(request, auth);
  }
  return auth;
}

export function requestScope(services: ApiServices, request: FastifyRequest): RequestScope {
  let stale: bigint | undefined;
  /** The use cases' deps with their read-your-writes wait recorded: a timeout marks the answer stale. */
  const tracked = <Deps extends ServiceDeps>(deps: Deps): Deps => {
    const { settle } = deps;
    if (!settle) return deps;
    return {
      ...deps,
      async settle(position: bigint, eventTypes?: readonly string[]) {
        const reached = await settle(position, eventTypes);
        if (!reached && (stale === undefined || position > stale)) stale = position;
        return reached;
      },
    };
  };
  return {
    services,
    identity: tracked(services.identity),
    publishing: tracked(services.publishing),
    media: tracked(services.media),
    videos: tracked(services.videos),
    mentorship: tracked(services.mentorship),
    socialGraph: tracked(services.socialGraph),
    engagement: tracked(services.engagement),
    chat: tracked(services.chat),
    communities: tracked(services.communities),
    webhooks: tracked(services.webhooks),
    devices: tracked(services.devices),
    notifications: tracked(services.notifications),
    sync: tracked(services.sync),
    stalePosition: () => stale,
    correlationId: request.id,
    authenticated: () => authenticationOf(services, request),
  };
}

const now = (services: ApiServices) => services.identity.clock?.() ?? new Date();

/**
 * The caller as the use cases see it. `public` operations run for anyone (an unusable token counts
 * as no token, so a stale header never blocks signing in); `read` and `write` need a signed-in user
 * or an API key with `graphql:read` / `graphql:write`.
 */
export async function callerFor(
  scope: RequestScope,
  access: 'public' | 'read' | 'write',
): Promise<RequestContext> {
  const context = (auth: Authenticated): RequestContext => ({
    actor: auth.actor,
    ...(auth.sessionId ? { sessionId: auth.sessionId } : {}),
    correlationId: scope.correlationId,
  });
  if (access === 'public') return context(await scope.authenticated().catch(() => ANONYMOUS));
  const auth = await scope.authenticated();
  const { actor } = auth;
  if (actor.kind === 'anonymous') throw unauthenticated('SIGN_IN_REQUIRED', 'Sign in or use an API key');
  const needed: ApiScope = access === 'read' ? 'graphql:read' : 'graphql:write';
  if (actor.kind === 'integration' && !actor.scopes.includes(needed)) {
    throw forbidden('MISSING_SCOPE', `This API key lacks the ${needed} scope`, { scope: needed });
  }
  return context(auth);
}
