import type { EventCodec } from '../../commands/event-codec.ts';
import { passkeyEventCatalogue } from '../../domain/identity/passkey-events.ts';
import { userEventCatalogue } from '../../domain/identity/user-events.ts';
import type { Projection, ReadModelWriter } from '../projection.ts';

/**
 * People's passkeys as they list them (`myPasskeys`). Sign-in never reads this: it folds the
 * person's passkey stream, so a lagging read model can neither let a removed passkey in nor miss
 * a counter. `passkey_owners` lists each person's credential ids, so that forgetting a person
 * removes their rows (and the names they gave) without a query by user.
 */
export function passkeysProjection(codec: Pick<EventCodec, 'decode'>): Projection {
  return {
    name: 'passkeys',
    version: 1,
    eventTypes: [...Object.keys(passkeyEventCatalogue), 'UserForgotten'],
    tables: {
      passkeys: {
        columns: `user_id uuid not null, credential_id text not null, name text, transports jsonb not null,
          backed_up boolean not null, counter bigint not null, created_at timestamptz not null,
          last_used_at timestamptz, clone_suspected_at timestamptz`,
        // Per person: a credential id is the authenticator's word, and two people's may collide.
        primaryKey: ['user_id', 'credential_id'],
        indexes: ['(user_id, created_at)'],
      },
      passkey_owners: {
        columns: 'user_id uuid not null, credential_ids jsonb not null',
        primaryKey: ['user_id'],
      },
    },
    async apply(recorded, writer) {
      if (recorded.type === 'UserForgotten') {
        const decoded = await codec.decode(userEventCatalogue, recorded);
        if (decoded?.event.type === 'UserForgotten') await forget(writer, decoded.event.data.userId);
        return;
      }
      const decoded = await codec.decode(passkeyEventCatalogue, recorded);
      if (!decoded) return;
      const { event } = decoded;
      switch (event.type) {
        case 'PasskeyRegistered': {
          const { userId, credentialId, name, transports, backedUp, counter, at } = event.data;
          writer.upsert('passkeys', {
            user_id: userId,
            credential_id: credentialId,
            name,
            transports,
            backed_up: backedUp,
            counter,
            created_at: at,
          });
          const ids = await ownedBy(writer, userId);
          writer.upsert('passkey_owners', {
            user_id: userId,
            credential_ids: [...ids.filter((id) => id !== credentialId), credentialId],
          });
          return;
        }
        case 'PasskeyUsed': {
          const { userId, credentialId, counter, at } = event.data;
          return writer.update(
            'passkeys',
            { user_id: userId, credential_id: credentialId },
            { counter, last_used_at: at },
          );
        }
        case 'PasskeyCloneSuspected': {
          const { userId, credentialId, at } = event.data;
          return writer.update(
            'passkeys',
            { user_id: userId, credential_id: credentialId },
            { clone_suspected_at: at },
          );
        }
        case 'PasskeyRemoved': {
          const { userId, credentialId } = event.data;
          writer.delete('passkeys', { user_id: userId, credential_id: credentialId });
          const ids = await ownedBy(writer, userId);
          writer.upsert('passkey_owners', {
            user_id: userId,
            credential_ids: ids.filter((id) => id !== credentialId),
          });
          return;
        }
      }
    },
  };
}

async function ownedBy(writer: ReadModelWriter, userId: string): Promise<string[]> {
  const row = await writer.get('passkey_owners', { user_id: userId });
  return Array.isArray(row?.credential_ids) ? (row.credential_ids as string[]) : [];
}

async function forget(writer: ReadModelWriter, userId: string): Promise<void> {
  for (const credentialId of await ownedBy(writer, userId)) {
    writer.delete('passkeys', { user_id: userId, credential_id: credentialId });
  }
  writer.delete('passkey_owners', { user_id: userId });
}
