import type { FastifyBaseLogger } from 'fastify';
import { DomainError } from '../../domain/shared/domain-error.ts';
import type { Change } from '../../projections/change-bus.ts';
import { type Authenticated, authenticate } from '../auth/authenticate.ts';
import type { ApiServices } from '../request-scope.ts';
import { CLOSE_UNAUTHORIZED, closeReason } from './close-codes.ts';
import type { LiveConnection } from './live-connection.ts';

export interface SessionWatchOptions {
  /** The safety net behind the change bus (a missed notification, an access token expiring). */
  recheckIntervalMs: number;
}

/** Read models whose rows decide whether a connection may stay: see `authenticate`. */
const ACCESS_PROJECTIONS = new Set(['sessions', 'users', 'api_keys']);

/**
 * Keeps a connection honest: whenever the projector reports a change to the caller's session, user
 * or API key (and every `recheckIntervalMs` anyway) the connection's credentials are checked again,
 * exactly as a new request would be, and a connection whose access has ended is closed with 4401.
 */
export function watchSession(
  services: ApiServices,
  connection: LiveConnection,
  options: SessionWatchOptions,
  log: FastifyBaseLogger,
): void {
  let running: Promise<void> | undefined;
  let again = false;
  const recheck = (): void => {
    if (running) {
      again = true;
      return;
    }
    running = check(services, connection, log).finally(() => {
      running = undefined;
      if (again && !connection.signal.aborted) {
        again = false;
        recheck();
      }
    });
  };
  const unsubscribe = services.bus.subscribe((change) => {
    if (touches(change, connection.authenticated)) recheck();
  });
  const timer = setInterval(recheck, options.recheckIntervalMs);
  timer.unref();
  connection.signal.addEventListener(
    'abort',
    () => {
      unsubscribe();
      clearInterval(timer);
    },
    { once: true },
  );
}

async function check(
  services: ApiServices,
  connection: LiveConnection,
  log: FastifyBaseLogger,
): Promise<void> {
  if (connection.signal.aborted) return;
  const now = services.identity.clock?.() ?? new Date();
  try {
    const authenticated = await authenticate(
      { ...services.identity, pool: services.pool },
      connection.authorization,
      now,
    );
    connection.update(authenticated);
  } catch (error) {
    if (error instanceof DomainError && error.code === 'UNAUTHENTICATED') {
      connection.close(CLOSE_UNAUTHORIZED, closeReason(error.code, error.reason, error.message));
      return;
    }
    // The database may be briefly away; the connection stays until its access is known to be gone.
    log.warn({ err: error }, 'could not re-check a subscription connection');
  }
}

/** Does the change write a row that `authenticate` reads for this caller? */
export function touches(change: Change, { actor, sessionId }: Authenticated): boolean {
  if (!ACCESS_PROJECTIONS.has(change.projection)) return false;
  if (change.truncated) return true;
  return change.keys.some(({ key }) => {
    switch (actor.kind) {
      case 'user':
        return key.user_id === actor.userId || (sessionId !== undefined && key.session_id === sessionId);
      case 'integration':
        return key.key_id === actor.keyId || key.user_id === actor.ownerId;
      default:
        return false;
    }
  });
}
