import type { Decider, DecisionContext } from '../shared/decider.ts';
import { conflict, forbidden, unauthenticated } from '../shared/domain-error.ts';
import { isAdmin, isSystem, isUser } from './authorization.ts';
import type { SessionEvent } from './session-events.ts';

/** Refresh tokens live 7 days from their issue; each refresh issues a new one. */
export const REFRESH_TOKEN_TTL_MS = 7 * 24 * 3_600_000;

export type SessionCommand =
  | { type: 'StartSession'; sessionId: string; userId: string; refreshTokenHash: string }
  | {
      type: 'RefreshSession';
      presentedTokenHash: string;
      newTokenHash: string;
      /** The user may have been deactivated or signed out everywhere since the session began. */
      user: { active: boolean; sessionsRevokedBefore: string | null };
    }
  | { type: 'EndSession'; reason: 'logout' | 'revoked_by_admin' };

export interface Session {
  sessionId: string;
  userId: string;
  startedAt: string;
  currentTokenHash: string;
  /** Hashes of refresh tokens already exchanged: presenting one again means it was stolen. */
  rotatedTokenHashes: readonly string[];
  expiresAt: string;
  revoked: boolean;
}

export type SessionState = { status: 'none' } | ({ status: 'open' | 'revoked' } & Session);

export const sessionDecider: Decider<SessionCommand, SessionEvent, SessionState> = {
  initialState: { status: 'none' },
  evolve(state, event) {
    if (event.type === 'SessionStarted') {
      const { sessionId, userId, refreshTokenHash, expiresAt, at } = event.data;
      return {
        status: 'open',
        sessionId,
        userId,
        startedAt: at,
        currentTokenHash: refreshTokenHash,
        rotatedTokenHashes: [],
        expiresAt,
        revoked: false,
      };
    }
    if (state.status === 'none') return state;
    switch (event.type) {
      case 'SessionRefreshed':
        return {
          ...state,
          currentTokenHash: event.data.refreshTokenHash,
          rotatedTokenHashes: [...state.rotatedTokenHashes, event.data.previousTokenHash],
          expiresAt: event.data.expiresAt,
        };
      case 'SessionRevoked':
        return { ...state, status: 'revoked', revoked: true };
      default:
        return state;
    }
  },
  decide(command, state, context) {
    switch (command.type) {
      case 'StartSession':
        return start(command, state, context);
      case 'RefreshSession':
        return refresh(command, state, context.now);
      case 'EndSession':
        return end(command, state, context);
      default: {
        const unknown: never = command;
        throw new Error(`Unknown session command ${JSON.stringify(unknown)}`);
      }
    }
  },
};

function start(
  command: Extract<SessionCommand, { type: 'StartSession' }>,
  state: SessionState,
  { actor, now }: DecisionContext,
): SessionEvent[] {
  // Sessions begin only through a checked sign-in, which runs as the system on the user's behalf.
  if (!isSystem(actor)) throw forbidden('SIGN_IN_REQUIRED', 'Sessions start by signing in');
  if (state.status !== 'none') throw conflict('SESSION_EXISTS', 'This session already exists');
  const { sessionId, userId, refreshTokenHash } = command;
  const expiresAt = new Date(now.getTime() + REFRESH_TOKEN_TTL_MS).toISOString();
  return [
    {
      type: 'SessionStarted',
      data: { sessionId, userId, refreshTokenHash, expiresAt, at: now.toISOString() },
    },
  ];
}

/**
 * Rotation with theft detection: the current token is exchanged for a new one; a token that was
 * already exchanged revokes the whole session (whoever holds the other copy is shut out too);
 * any other token is rejected and changes nothing.
 */
function refresh(
  command: Extract<SessionCommand, { type: 'RefreshSession' }>,
  state: SessionState,
  now: Date,
): SessionEvent[] {
  const invalid = unauthenticated('INVALID_REFRESH_TOKEN', 'The refresh token is not valid');
  if (state.status === 'none') throw invalid;
  if (state.status === 'revoked') throw unauthenticated('SESSION_REVOKED', 'The session has been revoked');
  const { sessionId } = state;
  const at = now.toISOString();
  if (state.rotatedTokenHashes.includes(command.presentedTokenHash)) {
    return [
      { type: 'RefreshTokenReuseDetected', data: { sessionId, tokenHash: command.presentedTokenHash, at } },
      { type: 'SessionRevoked', data: { sessionId, reason: 'refresh_token_reused', at } },
    ];
  }
  if (command.presentedTokenHash !== state.currentTokenHash) throw invalid;
  if (Date.parse(state.expiresAt) <= now.getTime()) {
    throw unauthenticated('REFRESH_TOKEN_EXPIRED', 'The refresh token has expired; sign in again');
  }
  const { user } = command;
  const revokedEverywhere =
    user.sessionsRevokedBefore !== null &&
    Date.parse(state.startedAt) <= Date.parse(user.sessionsRevokedBefore);
  if (!user.active || revokedEverywhere) {
    throw unauthenticated('SESSION_REVOKED', 'The session has been revoked');
  }
  const expiresAt = new Date(now.getTime() + REFRESH_TOKEN_TTL_MS).toISOString();
  return [
    {
      type: 'SessionRefreshed',
      data: {
        sessionId,
        previousTokenHash: state.currentTokenHash,
        refreshTokenHash: command.newTokenHash,
        expiresAt,
        at,
      },
    },
  ];
}

function end(
  command: Extract<SessionCommand, { type: 'EndSession' }>,
  state: SessionState,
  { actor, now }: DecisionContext,
): SessionEvent[] {
  if (state.status === 'none') throw unauthenticated('INVALID_SESSION', 'No such session');
  const privileged = isAdmin(actor) || isSystem(actor);
  if (!isUser(actor, state.userId) && !privileged) throw forbidden('NOT_OWNER', 'Not your session');
  if (command.reason === 'revoked_by_admin' && !privileged) {
    throw forbidden('ADMIN_ONLY', 'Only an admin can revoke a session as an admin');
  }
  if (state.status === 'revoked') return [];
  return [
    {
      type: 'SessionRevoked',
      data: { sessionId: state.sessionId, reason: command.reason, at: now.toISOString() },
    },
  ];
}

/** True when a refresh attempt ended in theft detection (the caller reports it after appending). */
export function refreshTokenReused(events: readonly SessionEvent[]): boolean {
  return events.some((event) => event.type === 'RefreshTokenReuseDetected');
}
