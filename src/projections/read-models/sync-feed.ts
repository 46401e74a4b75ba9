import {
  authoredEntityOf,
  ERASURE_REFRESHED_TYPES,
  type FeedRecord,
  feedRecordsOf,
  SYNC_FEED_EVENT_TYPES,
} from '../../domain/sync/feed-records.ts';
import type { RecordedEvent } from '../../eventstore/port.ts';
import type { Projection, ReadModelWriter, Row } from '../projection.ts';
import { occurredAt } from './occurred-at.ts';

export const SYNC_FEED_PROJECTION = 'sync_feed';
export const SYNC_CHANGES = 'sync_changes';
/** Per entity a person wrote that others hold (ERASURE_REFRESHED_TYPES): its author, scope and version now. */
export const SYNC_AUTHORED = 'sync_authored';
/** Per person: how many such entities they wrote. */
export const SYNC_AUTHORS = 'sync_authors';
/** Per person, those entities, ENTITIES_PER_BUCKET to a row (a prolific writer's next post rewrites one short list). */
export const SYNC_AUTHOR_ENTITIES = 'sync_author_entities';

export const ENTITIES_PER_BUCKET = 500;

/**
 * Moderation decisions that hide a piece of content or show it again. A chat message's loader
 * leaves out what `social_hidden` holds, so a record of the message (at its version now, as
 * `sync_authored` keeps it) makes the devices holding it drop it (hidden, held for review) or
 * load it again (restored). Moderation targets videos, comments and messages; only messages are
 * synced (community posts are removed by their own events, which the feed maps).
 */
export const MODERATION_REFRESH_EVENT_TYPES: readonly string[] = [
  'ContentHeldForReview',
  'ContentHidden',
  'ContentRestored',
];

/**
 * The change feed offline devices pull: one row per record `feedRecordsOf` makes of an event
 * (scope, entity, version, deleted), at the event's global position, with the event's type. Only ids: what an entity
 * holds is read from its own read model when the feed is served (and only if the person may see
 * it), so nothing personal is copied here and erasure has nothing to empty. A pull reads one
 * scope's rows in position order (the primary key), a snapshot enumerates one scope's entities of
 * one type in id order (the second index, latest record first); the feed's bound finds the first
 * record made from an event a read model handles past that read model's checkpoint (the third, by
 * event type: see cursor.ts).
 *
 * A person's erasure re-seeds only their own devices (their `user:` scope). Their posts and
 * messages, which other people's devices hold, are re-sent instead as ordinary records in the
 * scopes holding them, at the erasure's position and with each entity's own version, so the
 * devices of those communities and conversations load them again as the read models emptied them.
 * The projection keeps the facts for that in tables of its own (who wrote which entity, where, and
 * its version now), listed under keys it can name, as the writer reads and writes by key only.
 *
 * The event's data is read raw: the mapping needs only ids and types, and ids are never
 * encrypted, so no decoding (and no key) is needed and a rebuild after an erasure gives the same rows.
 */
export const syncFeedProjection: Projection = {
  name: SYNC_FEED_PROJECTION,
  // 3: `event_type` on each change (the bound probes by it).
  version: 3,
  eventTypes: [...SYNC_FEED_EVENT_TYPES, ...MODERATION_REFRESH_EVENT_TYPES],
  tables: {
    [SYNC_CHANGES]: {
      columns: `position bigint not null, scope text not null, entity_type text not null,
          entity_id text not null, version integer not null, deleted boolean not null,
          event_type text not null`,
      primaryKey: ['scope', 'position', 'entity_type', 'entity_id'],
      indexes: ['(scope, entity_type, entity_id, position desc)', '(event_type, position)'],
    },
    [SYNC_AUTHORED]: {
      columns: `entity_type text not null, entity_id text not null, author_id text not null,
          scope text not null, version integer not null, deleted boolean not null`,
      primaryKey: ['entity_type', 'entity_id'],
    },
    [SYNC_AUTHORS]: {
      columns: 'author_id text not null, authored integer not null',
      primaryKey: ['author_id'],
    },
    [SYNC_AUTHOR_ENTITIES]: {
      columns: 'author_id text not null, bucket integer not null, entities jsonb not null',
      primaryKey: ['author_id', 'bucket'],
    },
  },
  prefetch(events) {
    const keys: { table: string; key: Row }[] = [];
    for (const event of events) {
      const source = sourceOf(event);
      const authored = authoredEntityOf(source);
      if (authored) keys.push({ table: SYNC_AUTHORS, key: { author_id: authored.authorId.toLowerCase() } });
      const moderated = moderatedMessageOf(source);
      if (moderated) keys.push({ table: SYNC_AUTHORED, key: authoredKey('chatMessage', moderated) });
      for (const record of feedRecordsOf(source)) {
        if (ERASURE_REFRESHED_TYPES.includes(record.entityType)) {
          keys.push({ table: SYNC_AUTHORED, key: authoredKey(record.entityType, record.entityId) });
        }
      }
    }
    return keys;
  },
  async apply(recorded, writer) {
    const position = recorded.position.toString();
    const source = sourceOf(recorded);
    const records = feedRecordsOf(source);
    await noteAuthored(writer, source);
    for (const record of records) {
      writeChange(writer, position, recorded.type, record);
      if (ERASURE_REFRESHED_TYPES.includes(record.entityType)) {
        await writer.update(SYNC_AUTHORED, authoredKey(record.entityType, record.entityId), {
          version: record.version,
          deleted: record.deleted,
        });
      }
    }
    if (recorded.type === 'UserForgotten' && typeof source.data.userId === 'string') {
      for (const record of await authoredRecords(writer, source.data.userId))
        writeChange(writer, position, recorded.type, record);
    }
    const moderated = moderatedMessageOf(source);
    if (moderated) {
      const row = await writer.get(SYNC_AUTHORED, authoredKey('chatMessage', moderated));
      // A message the feed never listed, or one deleted (gone from every device), has nothing to refresh.
      if (row !== undefined && row.deleted !== true) {
        writeChange(writer, position, recorded.type, {
          scope: String(row.scope),
          entityType: 'chatMessage',
          entityId: moderated,
          version: Number(row.version),
          deleted: false,
        });
      }
    }
  },
};

/** The chat message a hiding, hold or restore names, if it names one (targetKind and targetId are public fields). */
function moderatedMessageOf(source: ReturnType<typeof sourceOf>): string | undefined {
  if (!MODERATION_REFRESH_EVENT_TYPES.includes(source.type) || source.data.targetKind !== 'message') return;
  const id = source.data.targetId;
  return typeof id === 'string' && id.length > 0 ? id : undefined;
}

function writeChange(writer: ReadModelWriter, position: string, eventType: string, record: FeedRecord): void {
  writer.upsert(SYNC_CHANGES, {
    event_type: eventType,
    position,
    // Ids are uuids (or `user:<id>` for an erasure): one spelling, as scopes and loaders use.
    scope: record.scope.toLowerCase(),
    entity_type: record.entityType,
    entity_id: record.entityId.toLowerCase(),
    version: record.version,
    deleted: record.deleted,
  });
}

const authoredKey = (entityType: string, entityId: string) => ({
  entity_type: entityType,
  entity_id: entityId.toLowerCase(),
});

/** A post or message created: its author, scope and first version, listed under the author. */
async function noteAuthored(writer: ReadModelWriter, source: ReturnType<typeof sourceOf>): Promise<void> {
  const authored = authoredEntityOf(source);
  if (authored === null) return;
  const key = authoredKey(authored.entityType, authored.entityId);
  // A replayed creation (the same entity again) is listed once.
  if (await writer.get(SYNC_AUTHORED, key)) return;
  const authorId = authored.authorId.toLowerCase();
  writer.upsert(SYNC_AUTHORED, {
    ...key,
    author_id: authorId,
    scope: authored.scope.toLowerCase(),
    version: source.revision,
    deleted: false,
  });
  const count = Number((await writer.get(SYNC_AUTHORS, { author_id: authorId }))?.authored ?? 0);
  const bucket = { author_id: authorId, bucket: Math.floor(count / ENTITIES_PER_BUCKET) };
  // A full bucket's next one starts empty: nothing to read.
  const listed =
    count % ENTITIES_PER_BUCKET === 0 ? undefined : await writer.get(SYNC_AUTHOR_ENTITIES, bucket);
  writer.upsert(SYNC_AUTHOR_ENTITIES, {
    ...bucket,
    entities: [...entitiesOf(listed?.entities), [key.entity_type, key.entity_id]],
  });
  writer.upsert(SYNC_AUTHORS, { author_id: authorId, authored: count + 1 });
}

const entitiesOf = (value: unknown): [string, string][] =>
  Array.isArray(value)
    ? value.filter(
        (item): item is [string, string] =>
          Array.isArray(item) && typeof item[0] === 'string' && typeof item[1] === 'string',
      )
    : [];

/**
 * A record of every entity `userId` wrote that still stands, in its scope with its version now:
 * read bucket by bucket, each bucket's entities in one query.
 */
async function authoredRecords(writer: ReadModelWriter, userId: string): Promise<FeedRecord[]> {
  const authorId = userId.toLowerCase();
  const count = Number((await writer.get(SYNC_AUTHORS, { author_id: authorId }))?.authored ?? 0);
  const records: FeedRecord[] = [];
  for (let bucket = 0; bucket * ENTITIES_PER_BUCKET < count; bucket++) {
    const listed = await writer.get(SYNC_AUTHOR_ENTITIES, { author_id: authorId, bucket });
    const keys = entitiesOf(listed?.entities).map(([entityType, entityId]) =>
      authoredKey(entityType, entityId),
    );
    await writer.load(keys.map((key) => ({ table: SYNC_AUTHORED, key })));
    for (const key of keys) {
      const row = await writer.get(SYNC_AUTHORED, key);
      // A deleted one is gone from every device already.
      if (row === undefined || row.deleted === true) continue;
      records.push({
        scope: String(row.scope),
        entityType: key.entity_type as FeedRecord['entityType'],
        entityId: key.entity_id,
        version: Number(row.version),
        deleted: false,
      });
    }
  }
  return records;
}

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
