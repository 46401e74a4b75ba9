import type { EventCodec } from '../../commands/event-codec.ts';
import { type SyncConflictEvent, syncConflictEventCatalogue } from '../../domain/sync/conflict-events.ts';
import type { RecordedEvent } from '../../eventstore/port.ts';
import type { Projection, ReadModelWriter, Row } from '../projection.ts';
import {
  eraseListedRows,
  type KeyLists,
  keyCountRow,
  keyListTables,
  listKey,
} from './community-key-lists.ts';
import { occurredAt } from './occurred-at.ts';

export const SYNC_CONFLICTS_PROJECTION = 'sync_conflicts';
export const SYNC_CONFLICTS = 'sync_conflicts';
/** Per person: how many conflicts they have (which list bucket is being filled), and whether forgotten. */
export const SYNC_CONFLICT_PEOPLE = 'sync_conflict_people';
/** Per person, their conflict ids, CONFLICTS_PER_BUCKET to a row: for `UserForgotten` to find them. */
export const SYNC_CONFLICT_PERSON_LISTS = 'sync_conflict_person_lists';
const KEYS: KeyLists = { lists: 'sync_conflict_key_lists', counts: 'sync_conflict_key_counts' };
const CONFLICTS_PER_BUCKET = 500;

/** Other contexts' events, read from their raw data (ids are never encrypted). */
const COMMUNITY_ERASED = 'CommunityErased';
const USER_FORGOTTEN = 'UserForgotten';

/**
 * Each person's sync conflicts (changes left for them to settle, `resolveSyncConflict`), newest
 * first per person and status. Both sides' values are personal: a conflict about a community's
 * post is deleted with the community (`CommunityErased`, found through the shared community key
 * lists), and a forgotten person's values are emptied (`UserForgotten`, found through their own
 * list) — what a rebuild decodes once their keys are destroyed, so a rebuild ends the same.
 */
export function syncConflictsProjection(codec: Pick<EventCodec, 'decode'>): Projection {
  return {
    name: SYNC_CONFLICTS_PROJECTION,
    version: 1,
    eventTypes: ['SyncConflictQueued', 'SyncConflictResolved', COMMUNITY_ERASED, USER_FORGOTTEN],
    tables: {
      [SYNC_CONFLICTS]: {
        columns: `conflict_id uuid not null, user_id uuid not null, community_id uuid, device_id uuid not null,
          change_id text not null, change_type text not null, entity_id text not null,
          base_version int not null, server_version int not null, device_value jsonb, server_value jsonb,
          status text not null, resolution text, queued_at timestamptz not null, resolved_at timestamptz`,
        primaryKey: ['conflict_id'],
        indexes: [
          '(user_id, status, queued_at desc, conflict_id desc)',
          '(user_id, queued_at desc, conflict_id desc)',
        ],
      },
      [SYNC_CONFLICT_PEOPLE]: {
        columns: 'user_id uuid not null, conflicts int not null, forgotten boolean not null',
        primaryKey: ['user_id'],
      },
      [SYNC_CONFLICT_PERSON_LISTS]: {
        columns: 'user_id uuid not null, bucket int not null, conflict_ids jsonb not null',
        primaryKey: ['user_id', 'bucket'],
      },
      ...keyListTables(KEYS),
    },
    prefetch: (events) => events.flatMap(prefetchOf),
    async apply(recorded, writer) {
      if (recorded.type === COMMUNITY_ERASED) {
        const communityId = rawId(recorded, 'communityId');
        if (communityId) await eraseListedRows(writer, KEYS, communityId);
        return;
      }
      if (recorded.type === USER_FORGOTTEN) {
        const userId = rawId(recorded, 'userId');
        if (userId) await forgetPerson(writer, userId);
        return;
      }
      const decoded = await codec.decode(syncConflictEventCatalogue, recorded);
      if (decoded) await applyConflictEvent(decoded.event, writer, occurredAt(recorded));
    },
  };
}

async function applyConflictEvent(
  event: SyncConflictEvent,
  writer: ReadModelWriter,
  at: string,
): Promise<void> {
  switch (event.type) {
    case 'SyncConflictQueued': {
      const data = event.data;
      const key = { conflict_id: data.conflictId.toLowerCase() };
      // The decider queues a conflict once; a repeated event (a hand-made history) changes nothing.
      if (await writer.get(SYNC_CONFLICTS, key)) return;
      const userId = data.userId.toLowerCase();
      const communityId = data.communityId?.toLowerCase() ?? null;
      const person = await writer.get(SYNC_CONFLICT_PEOPLE, { user_id: userId });
      const forgotten = person?.forgotten === true;
      writer.upsert(SYNC_CONFLICTS, {
        ...key,
        user_id: userId,
        community_id: communityId,
        device_id: data.deviceId.toLowerCase(),
        change_id: data.changeId,
        change_type: data.changeType,
        entity_id: data.entityId,
        base_version: data.baseVersion,
        server_version: data.serverVersion,
        device_value: forgotten ? null : jsonOf(data.deviceValue),
        server_value: forgotten ? null : jsonOf(data.serverValue),
        status: 'open',
        resolution: null,
        queued_at: at,
        resolved_at: null,
      });
      if (communityId !== null) await listKey(writer, KEYS, communityId, SYNC_CONFLICTS, key);
      await listConflict(writer, userId, key.conflict_id, person);
      return;
    }
    case 'SyncConflictResolved':
      // A conflict of an erased community is gone: update does nothing without its row.
      return writer.update(
        SYNC_CONFLICTS,
        { conflict_id: event.data.conflictId.toLowerCase() },
        { status: 'resolved', resolution: event.data.resolution, resolved_at: at },
      );
    case 'SyncChangeOverruled':
      return;
  }
}

/** A personal JSON value as stored: parsed, or null once erased (or if it is not JSON). */
function jsonOf(value: string | null): unknown {
  if (value === null) return null;
  try {
    return JSON.parse(value) as unknown;
  } catch {
    return null;
  }
}

async function listConflict(
  writer: ReadModelWriter,
  userId: string,
  conflictId: string,
  person: Row | undefined,
) {
  const count = Number(person?.conflicts ?? 0);
  const bucket = { user_id: userId, bucket: Math.floor(count / CONFLICTS_PER_BUCKET) };
  // A full bucket's next one starts empty: nothing to read.
  const list =
    count % CONFLICTS_PER_BUCKET === 0 ? undefined : await writer.get(SYNC_CONFLICT_PERSON_LISTS, bucket);
  writer.upsert(SYNC_CONFLICT_PERSON_LISTS, { ...bucket, conflict_ids: [...idsOf(list), conflictId] });
  writer.upsert(SYNC_CONFLICT_PEOPLE, {
    user_id: userId,
    conflicts: count + 1,
    forgotten: person?.forgotten === true,
  });
}

/** Empties both values of every conflict of the person, and stores later ones empty. */
async function forgetPerson(writer: ReadModelWriter, userId: string): Promise<void> {
  const person = await writer.get(SYNC_CONFLICT_PEOPLE, { user_id: userId });
  const count = Number(person?.conflicts ?? 0);
  for (let bucket = 0; bucket * CONFLICTS_PER_BUCKET < count; bucket += 1) {
    const ids = idsOf(await writer.get(SYNC_CONFLICT_PERSON_LISTS, { user_id: userId, bucket }));
    const keys = ids.map((conflict_id) => ({ table: SYNC_CONFLICTS, key: { conflict_id } }));
    await writer.load(keys);
    for (const { key } of keys)
      await writer.update(SYNC_CONFLICTS, key, { device_value: null, server_value: null });
  }
  writer.upsert(SYNC_CONFLICT_PEOPLE, { user_id: userId, conflicts: count, forgotten: true });
}

const idsOf = (list: Row | undefined): string[] =>
  Array.isArray(list?.conflict_ids)
    ? list.conflict_ids.filter((id): id is string => typeof id === 'string')
    : [];

function rawId(recorded: RecordedEvent, field: string): string | null {
  const data = recorded.data;
  if (typeof data !== 'object' || data === null) return null;
  const value = Reflect.get(data, field);
  return typeof value === 'string' ? value.toLowerCase() : null;
}

/** The rows an event will read, from its raw data. */
function prefetchOf(recorded: RecordedEvent): { table: string; key: Row }[] {
  const userId = rawId(recorded, 'userId');
  const conflictId = rawId(recorded, 'conflictId');
  const communityId = rawId(recorded, 'communityId');
  return [
    ...(userId === null ? [] : [{ table: SYNC_CONFLICT_PEOPLE, key: { user_id: userId } }]),
    ...(conflictId === null ? [] : [{ table: SYNC_CONFLICTS, key: { conflict_id: conflictId } }]),
    ...(communityId === null ? [] : [keyCountRow(KEYS, communityId)]),
  ];
}
