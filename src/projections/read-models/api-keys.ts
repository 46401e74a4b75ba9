import type { EventCodec } from '../../commands/event-codec.ts';
import { apiKeyEventCatalogue } from '../../domain/identity/api-key-events.ts';
import type { Projection } from '../projection.ts';

/** Integrators' API keys: what the owner lists, and what authenticates a request (by hash). */
export function apiKeysProjection(codec: Pick<EventCodec, 'decode'>): Projection {
  return {
    name: 'api_keys',
    version: 1,
    eventTypes: Object.keys(apiKeyEventCatalogue),
    tables: {
      api_keys: {
        columns: `key_id uuid not null, owner_id uuid not null, name text not null, scopes jsonb not null,
          token_hash text not null, prefix text not null, created_at timestamptz not null,
          revoked_at timestamptz`,
        primaryKey: ['key_id'],
        indexes: ['(owner_id, created_at desc)'],
      },
    },
    async apply(recorded, writer) {
      const decoded = await codec.decode(apiKeyEventCatalogue, recorded);
      if (!decoded) return;
      const { event } = decoded;
      switch (event.type) {
        case 'ApiKeyCreated': {
          const { keyId, ownerId, name, scopes, tokenHash, prefix, at } = event.data;
          writer.upsert('api_keys', {
            key_id: keyId,
            owner_id: ownerId,
            name,
            scopes,
            token_hash: tokenHash,
            prefix,
            created_at: at,
          });
          return;
        }
        case 'ApiKeyRevoked':
          return writer.update('api_keys', { key_id: event.data.keyId }, { revoked_at: event.data.at });
      }
    },
  };
}
