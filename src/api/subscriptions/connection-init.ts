import { randomUUID } from 'node:crypto';
import type { FastifyBaseLogger } from 'fastify';
import type { MercuriusContext } from 'mercurius';
import { z } from 'zod';
import type { Actor } from '../../domain/shared/decider.ts';
import { DomainError, unauthenticated } from '../../domain/shared/domain-error.ts';
import { authenticate } from '../auth/authenticate.ts';
import type { ApiServices, RequestScope } from '../request-scope.ts';
import { CLOSE_TOO_MANY, CLOSE_UNAUTHORIZED, closeReason } from './close-codes.ts';
import { LiveConnection, socketOf } from './live-connection.ts';
import { type SessionWatchOptions, watchSession } from './session-watch.ts';
import { Admission, type AdmissionLimits } from './subscription-admission.ts';

declare module 'mercurius' {
  /** Set for operations arriving over a WebSocket once `connection_init` authenticated it. */
  interface MercuriusContext {
    live?: LiveConnection;
  }
}

/** `{ authorization: 'Bearer …' }`, also accepted under `headers` (what some clients send). */
const initPayload = z.object({
  authorization: z.string().optional(),
  Authorization: z.string().optional(),
  headers: z
    .object({ authorization: z.string().optional(), Authorization: z.string().optional() })
    .optional(),
});

type Accepted = Pick<MercuriusContext, 'scope' | 'live'>;

/** Mercurius' connection objects that have been through `connection_init`. */
const initialised = new WeakSet<object>();

/**
 * Mercurius' `onConnect`: every WebSocket must authenticate in `connection_init`, like a request's
 * `Authorization` header. A refusal closes the socket with 4401 and `UNAUTHENTICATED/<reason>`, which
 * graphql-ws clients report instead of retrying. An accepted connection is watched for revocation.
 */
export interface ConnectionOptions extends SessionWatchOptions {
  admission: AdmissionLimits;
  maxSocketsPerUser: number;
}

export function connectionInit(services: ApiServices, options: ConnectionOptions, log: FastifyBaseLogger) {
  const perUser = new Map<string, number>();
  return async function onConnect(this: unknown, message: { payload?: unknown }): Promise<Accepted | false> {
    const socket = socketOf(this);
    if (!socket || typeof this !== 'object' || this === null) {
      log.error('mercurius no longer hands onConnect its socket: refusing WebSocket connections');
      return false;
    }
    // Each init would start another watch on the same socket: one per connection, as graphql-ws says.
    if (initialised.has(this)) {
      socket.close(CLOSE_TOO_MANY, 'Too many initialisation requests');
      return false;
    }
    initialised.add(this);
    const refuse = (error: DomainError): false => {
      socket.close(CLOSE_UNAUTHORIZED, closeReason(error.code, error.reason, error.message));
      return false;
    };
    const parsed = initPayload.safeParse(message.payload ?? {});
    const payload = parsed.success ? parsed.data : {};
    const authorization =
      payload.authorization ??
      payload.Authorization ??
      payload.headers?.authorization ??
      payload.headers?.Authorization;
    const missing = unauthenticated(
      'SIGN_IN_REQUIRED',
      'Send connection_init { authorization: "Bearer <token>" }',
    );
    if (!authorization) return refuse(missing);
    try {
      const now = services.identity.clock?.() ?? new Date();
      const authenticated = await authenticate(
        { ...services.identity, pool: services.pool },
        authorization,
        now,
      );
      if (authenticated.actor.kind === 'anonymous') return refuse(missing);
      // Gone while we checked: its close event has passed, so nothing would stop a watch.
      if (!socket.isOpen()) return false;
      const user = userOf(authenticated.actor);
      const open = perUser.get(user) ?? 0;
      if (open >= options.maxSocketsPerUser) {
        const message = `At most ${options.maxSocketsPerUser} connections per user; close one first`;
        socket.close(CLOSE_TOO_MANY, closeReason('RATE_LIMITED', 'TOO_MANY_CONNECTIONS', message));
        return false;
      }
      perUser.set(user, open + 1);
      const live = new LiveConnection(socket, authenticated, authorization, new Admission(options.admission));
      live.signal.addEventListener('abort', () => {
        const left = (perUser.get(user) ?? 1) - 1;
        if (left > 0) perUser.set(user, left);
        else perUser.delete(user);
      });
      watchSession(services, live, options, log);
      return { live, scope: connectionScope(services, live) };
    } catch (error) {
      if (error instanceof DomainError) return refuse(error);
      log.error({ err: error }, 'could not authenticate a WebSocket connection');
      socket.close(1011, 'INTERNAL: could not authenticate the connection');
      return false;
    }
  };
}

/** Whose connection it is, for the per-user cap: an API key counts as its owner. */
function userOf(actor: Actor): string {
  if (actor.kind === 'user') return actor.userId;
  if (actor.kind === 'integration') return actor.ownerId;
  return actor.kind;
}

/** The request scope of every operation on the connection: the caller as last re-checked. */
function connectionScope(services: ApiServices, live: LiveConnection): RequestScope {
  const correlationId = randomUUID();
  return {
    services,
    identity: services.identity,
    publishing: services.publishing,
    media: services.media,
    videos: services.videos,
    mentorship: services.mentorship,
    socialGraph: services.socialGraph,
    engagement: services.engagement,
    chat: services.chat,
    communities: services.communities,
    devices: services.devices,
    notifications: services.notifications,
    webhooks: services.webhooks,
    sync: services.sync,
    correlationId,
    authenticated: async () => live.authenticated,
    // Subscriptions issue no commands, so there is no read-your-writes wait to report.
    stalePosition: () => undefined,
  };
}
