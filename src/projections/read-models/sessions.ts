import type { EventCodec } from '../../commands/event-codec.ts';
import { sessionEventCatalogue } from '../../domain/identity/session-events.ts';
import type { Projection } from '../projection.ts';

/** Sessions, so every request can check in one indexed read that its session is still open. */
export function sessionsProjection(codec: Pick<EventCodec, 'decode'>): Projection {
  return {
    name: 'sessions',
    version: 1,
    eventTypes: Object.keys(sessionEventCatalogue),
    tables: {
      sessions: {
        columns: `session_id uuid not null, user_id uuid not null, started_at timestamptz not null,
          expires_at timestamptz not null, last_refreshed_at timestamptz, refresh_count integer not null,
          revoked_at timestamptz, revoked_reason text`,
        primaryKey: ['session_id'],
        indexes: ['(user_id, started_at desc)'],
      },
    },
    async apply(recorded, writer) {
      const decoded = await codec.decode(sessionEventCatalogue, recorded);
      if (!decoded) return;
      const { event } = decoded;
      const key = { session_id: event.data.sessionId };
      switch (event.type) {
        case 'SessionStarted':
          writer.upsert('sessions', {
            ...key,
            user_id: event.data.userId,
            started_at: event.data.at,
            expires_at: event.data.expiresAt,
            refresh_count: 0,
          });
          return;
        case 'SessionRefreshed': {
          const current = await writer.get('sessions', key);
          if (!current) return;
          writer.upsert('sessions', {
            ...current,
            expires_at: event.data.expiresAt,
            last_refreshed_at: event.data.at,
            refresh_count: Number(current.refresh_count) + 1,
          });
          return;
        }
        case 'SessionRevoked':
          return writer.update('sessions', key, {
            revoked_at: event.data.at,
            revoked_reason: event.data.reason,
          });
        case 'RefreshTokenReuseDetected':
          return;
      }
    },
  };
}
