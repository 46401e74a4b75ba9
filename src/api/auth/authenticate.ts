import { timingSafeEqual } from 'node:crypto';
import type pg from 'pg';
import { verifyAccessToken } from '../../auth/access-tokens.ts';
import { parseApiKeyToken } from '../../auth/api-key-tokens.ts';
import { loadAggregate } from '../../commands/load-aggregate.ts';
import { sessionStream, userStream } from '../../domain/identity/streams.ts';
import {
  type Actor,
  API_SCOPES,
  type ApiScope,
  PLATFORM_ROLES,
  type PlatformRole,
} from '../../domain/shared/decider.ts';
import { unauthenticated } from '../../domain/shared/domain-error.ts';
import { sessions, users } from '../../services/identity/aggregates.ts';
import type { IdentityDeps, SessionDeps } from '../../services/identity/context.ts';
import type { AccessCache, ApiKeyFacts, SessionFacts } from './access-cache.ts';

export interface Authenticated {
  actor: Actor;
  sessionId?: string;
}

export const ANONYMOUS: Authenticated = { actor: { kind: 'anonymous' } };

export type AuthenticateDeps = SessionDeps & {
  pool: pg.Pool;
  /** Requests pass the process's cache; re-checks of live connections read the read models afresh. */
  access?: AccessCache;
};

/**
 * `Authorization: Bearer <access token | API key>` → who is calling. Access tokens are checked
 * against the session on every request, so a revoked session or a deactivated user stops working
 * as soon as the read model has the event (mutations wait for it), not at token expiry. With a
 * cache, the check may be answered from it: see AccessCache for why that still ends access at once.
 */
export async function authenticate(
  deps: AuthenticateDeps,
  authorization: string | undefined,
  now: Date,
): Promise<Authenticated> {
  if (!authorization) return ANONYMOUS;
  const match = /^Bearer\s+(\S+)$/i.exec(authorization.trim());
  if (!match?.[1]) throw unauthenticated('MALFORMED_AUTHORIZATION', 'Use "Authorization: Bearer <token>"');
  const token = match[1];
  return token.startsWith('chr_') ? byApiKey(deps, token) : byAccessToken(deps, token, now);
}

async function byAccessToken(deps: AuthenticateDeps, token: string, now: Date): Promise<Authenticated> {
  const verify = () => verifyAccessToken(token, { keys: deps.accessTokens, now });
  const claims = await (deps.access ? deps.access.verifiedToken(token, verify) : verify());
  // A token verified a moment ago may have expired since: the same test jose applies.
  if (claims.expiresAt.getTime() <= now.getTime() - (now.getTime() % 1000)) {
    throw unauthenticated('TOKEN_EXPIRED', 'The access token has expired');
  }
  const load = async () =>
    (await sessionFromReadModel(deps.pool, claims.sessionId)) ??
    (await sessionFromEvents(deps, claims.sessionId));
  const session = await (deps.access ? deps.access.session(claims.sessionId, load) : load());
  const revokedEverywhere =
    session?.sessionsRevokedBefore != null &&
    session.startedAt.getTime() <= session.sessionsRevokedBefore.getTime();
  if (
    !session ||
    session.userId !== claims.userId ||
    session.revoked ||
    revokedEverywhere ||
    session.userStatus !== 'active'
  ) {
    throw unauthenticated('SESSION_REVOKED', 'The session has ended; sign in again');
  }
  // The role comes from the user as it is now, so a role change applies to live tokens at once.
  return { actor: { kind: 'user', userId: claims.userId, role: session.role }, sessionId: claims.sessionId };
}

async function sessionFromReadModel(pool: pg.Pool, sessionId: string): Promise<SessionFacts | undefined> {
  const { rows } = await pool.query<{
    user_id: string;
    started_at: Date;
    revoked_at: Date | null;
    status: string;
    role: string;
    sessions_revoked_before: Date | null;
  }>(
    `select s.user_id, s.started_at, s.revoked_at, u.status, u.role, u.sessions_revoked_before
       from sessions s join users u on u.user_id = s.user_id
      where s.session_id = $1`,
    [sessionId],
  );
  const row = rows[0];
  if (!row) return undefined;
  return {
    userId: row.user_id,
    startedAt: row.started_at,
    revoked: row.revoked_at !== null,
    userStatus: row.status,
    role: roleOf(row.role),
    sessionsRevokedBefore: row.sessions_revoked_before,
  };
}

/** A session the read model has not caught up with yet (e.g. one started a moment ago on another replica). */
async function sessionFromEvents(deps: IdentityDeps, sessionId: string): Promise<SessionFacts | undefined> {
  const session = (await loadAggregate(deps, sessions, sessionStream(sessionId))).state;
  if (session.status === 'none') return undefined;
  const user = (await loadAggregate(deps, users, userStream(session.userId))).state;
  if (user.status === 'unregistered') return undefined;
  return {
    userId: session.userId,
    startedAt: new Date(session.startedAt),
    revoked: session.status === 'revoked',
    userStatus: user.status,
    role: user.role,
    sessionsRevokedBefore: user.sessionsRevokedBefore ? new Date(user.sessionsRevokedBefore) : null,
  };
}

async function byApiKey(deps: AuthenticateDeps, token: string): Promise<Authenticated> {
  const invalid = unauthenticated('INVALID_API_KEY', 'The API key is not valid');
  const parsed = parseApiKeyToken(token);
  if (!parsed) throw invalid;
  const load = () => apiKeyFromReadModel(deps.pool, parsed.keyId);
  const key = await (deps.access ? deps.access.apiKey(parsed.keyId, load) : load());
  if (!key || !sameHash(key.tokenHash, parsed.hash)) throw invalid;
  if (key.revoked) throw unauthenticated('API_KEY_REVOKED', 'The API key has been revoked');
  if (key.ownerStatus !== 'active')
    throw unauthenticated('API_KEY_OWNER_INACTIVE', "The API key's owner is not active");
  return {
    actor: { kind: 'integration', keyId: parsed.keyId, ownerId: key.ownerId, scopes: key.scopes },
  };
}

async function apiKeyFromReadModel(pool: pg.Pool, keyId: string): Promise<ApiKeyFacts | undefined> {
  const { rows } = await pool.query<{
    owner_id: string;
    scopes: unknown;
    token_hash: string;
    revoked_at: Date | null;
    status: string | null;
  }>(
    `select k.owner_id, k.scopes, k.token_hash, k.revoked_at, u.status
       from api_keys k left join users u on u.user_id = k.owner_id
      where k.key_id = $1`,
    [keyId],
  );
  const row = rows[0];
  if (!row) return undefined;
  return {
    ownerId: row.owner_id,
    scopes: scopesOf(row.scopes),
    tokenHash: row.token_hash,
    revoked: row.revoked_at !== null,
    ownerStatus: row.status,
  };
}

function sameHash(a: string, b: string): boolean {
  const left = Buffer.from(a, 'hex');
  const right = Buffer.from(b, 'hex');
  return left.length === right.length && timingSafeEqual(left, right);
}

function roleOf(value: string): PlatformRole {
  const role = PLATFORM_ROLES.find((r) => r === value);
  if (!role) throw new Error(`users read model holds an unknown role "${value}"`);
  return role;
}

function scopesOf(value: unknown): ApiScope[] {
  return Array.isArray(value) ? API_SCOPES.filter((scope) => value.includes(scope)) : [];
}
