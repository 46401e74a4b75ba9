import { z } from 'zod';
import type { EventCatalogue } from '../shared/event-catalogue.ts';

const instant = z.iso.datetime();
const tokenHash = z.string().regex(/^[0-9a-f]{64}$/);

/** A session's events. Only hashes of refresh tokens are stored, never the tokens. */
export const sessionEventSchemas = {
  SessionStarted: z.object({
    sessionId: z.uuid(),
    userId: z.uuid(),
    refreshTokenHash: tokenHash,
    expiresAt: instant,
    at: instant,
  }),
  SessionRefreshed: z.object({
    sessionId: z.uuid(),
    previousTokenHash: tokenHash,
    refreshTokenHash: tokenHash,
    expiresAt: instant,
    at: instant,
  }),
  RefreshTokenReuseDetected: z.object({ sessionId: z.uuid(), tokenHash, at: instant }),
  SessionRevoked: z.object({
    sessionId: z.uuid(),
    reason: z.enum(['logout', 'refresh_token_reused', 'revoked_by_admin']),
    at: instant,
  }),
};

type Schemas = typeof sessionEventSchemas;
export type SessionEvent = {
  [Type in keyof Schemas]: { type: Type; data: z.infer<Schemas[Type]> };
}[keyof Schemas];

export const sessionEventCatalogue: EventCatalogue<SessionEvent> = {
  SessionStarted: {
    type: 'SessionStarted',
    schemaVersion: 1,
    schema: sessionEventSchemas.SessionStarted,
    credentialFields: ['refreshTokenHash'],
  },
  SessionRefreshed: {
    type: 'SessionRefreshed',
    schemaVersion: 1,
    schema: sessionEventSchemas.SessionRefreshed,
    credentialFields: ['previousTokenHash', 'refreshTokenHash'],
  },
  RefreshTokenReuseDetected: {
    type: 'RefreshTokenReuseDetected',
    schemaVersion: 1,
    schema: sessionEventSchemas.RefreshTokenReuseDetected,
    credentialFields: ['tokenHash'],
  },
  SessionRevoked: { type: 'SessionRevoked', schemaVersion: 1, schema: sessionEventSchemas.SessionRevoked },
};
