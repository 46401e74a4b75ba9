import { feedRecordsOf, SYNC_FEED_EVENT_TYPES } from '../../domain/sync/feed-records.ts';
import type { RecordedEvent } from '../../eventstore/port.ts';
import type { Projection } from '../projection.ts';
import { occurredAt } from './occurred-at.ts';

export const SYNC_FEED_PROJECTION = 'sync_feed';
export const SYNC_CHANGES = 'sync_changes';

/**
 * The change feed offline devices pull: one row per record `feedRecordsOf` makes of an event
 * (scope, entity, version, deleted), at the event's global position. Only ids: what an entity
 * holds is read from its own read model when the feed is served (and only if the person may see
 * it), so nothing personal is copied here and erasure has nothing to empty. A pull reads one
 * scope's rows in position order (the primary key), a snapshot enumerates one scope's entities of
 * one type in id order (the second index, latest record first).
 *
 * The event's data is read raw: the mapping needs only ids and types, and ids are never
 * encrypted, so no decoding (and no key) is needed and a rebuild after an erasure gives the same rows.
 */
export const syncFeedProjection: Projection = {
  name: SYNC_FEED_PROJECTION,
  version: 1,
  eventTypes: SYNC_FEED_EVENT_TYPES,
  tables: {
    [SYNC_CHANGES]: {
      columns: `position bigint not null, scope text not null, entity_type text not null,
          entity_id text not null, version integer not null, deleted boolean not null`,
      primaryKey: ['scope', 'position', 'entity_type', 'entity_id'],
      indexes: ['(scope, entity_type, entity_id, position desc)'],
    },
  },
  apply(recorded, writer) {
    const position = recorded.position.toString();
    for (const record of feedRecordsOf(sourceOf(recorded))) {
      writer.upsert(SYNC_CHANGES, {
        position,
        // Ids are uuids (or `user:<id>` for an erasure): one spelling, as scopes and loaders use.
        scope: record.scope.toLowerCase(),
        entity_type: record.entityType,
        entity_id: record.entityId.toLowerCase(),
        version: record.version,
        deleted: record.deleted,
      });
    }
  },
};

function sourceOf(recorded: RecordedEvent) {
  const data = recorded.data;
  return {
    type: recorded.type,
    data: typeof data === 'object' && data !== null ? (data as Record<string, unknown>) : {},
    streamName: recorded.streamName,
    revision: Number(recorded.revision),
    occurredAt: occurredAt(recorded),
  };
}
