import type { Actor } from '../../domain/shared/decider.ts';
import type { ApiKeyRow, SessionRow, UserRow } from './read-model-queries.ts';

/** GraphQL enum values cannot hold ':', so `graphql:read` travels as GRAPHQL_READ. */
export const scopeToGraphQL = (scope: string) => scope.replace(':', '_').toUpperCase();
export const scopeFromGraphQL = (value: string): string => value.toLowerCase().replace('_', ':');

const iso = (value: Date | null) => (value ? value.toISOString() : null);

/** Other people's e-mail addresses are for admins (and the system) only. */
export function toUser(row: UserRow, viewer: Actor) {
  const self =
    (viewer.kind === 'user' && viewer.userId === row.user_id) ||
    (viewer.kind === 'integration' && viewer.ownerId === row.user_id);
  const privileged = (viewer.kind === 'user' && viewer.role === 'admin') || viewer.kind === 'system';
  return {
    id: row.user_id,
    email: self || privileged ? row.email : null,
    displayName: row.display_name,
    bio: row.bio,
    role: row.role,
    status: row.status,
    totpEnabled: row.totp_enabled,
    registeredAt: row.registered_at.toISOString(),
    lastSignInAt: iso(row.last_sign_in_at),
    // Whether an address is proven is as private as the address.
    emailVerifiedAt: self || privileged ? iso(row.email_verified_at) : null,
  };
}

export function toSession(row: SessionRow, currentSessionId: string | undefined) {
  return {
    id: row.session_id,
    userId: row.user_id,
    startedAt: row.started_at.toISOString(),
    expiresAt: row.expires_at.toISOString(),
    lastRefreshedAt: iso(row.last_refreshed_at),
    revokedAt: iso(row.revoked_at),
    revokedReason: row.revoked_reason,
    current: row.session_id === currentSessionId,
  };
}

export function toApiKey(row: ApiKeyRow) {
  return {
    id: row.key_id,
    ownerId: row.owner_id,
    name: row.name,
    scopes: row.scopes.map(scopeToGraphQL),
    prefix: row.prefix,
    createdAt: row.created_at.toISOString(),
    revokedAt: iso(row.revoked_at),
  };
}

/** A row's place in its list, for cursors: the sort timestamp (microseconds) and the id. */
export const userCursor = (row: UserRow) => [row.sort_key, row.user_id];
export const sessionCursor = (row: SessionRow) => [row.sort_key, row.session_id];
export const apiKeyCursor = (row: ApiKeyRow) => [row.sort_key, row.key_id];
