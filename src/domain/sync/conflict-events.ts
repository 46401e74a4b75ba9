import { z } from 'zod';
import { communityMemberSubject } from '../communities/streams.ts';
import type { EventCatalogue } from '../shared/event-catalogue.ts';

const id = z.uuid();
/** Personal: JSON of a value, under the person's key (for a community's post, their key for it). */
const personalJson = z.string().nullable();
const changeId = z.string().min(1).max(100);
const changeType = z.string().min(1).max(60);
const entityId = z.string().min(1).max(200);

export const SYNC_CONFLICT_RESOLUTIONS = ['kept_server', 'kept_device', 'edited'] as const;
export type SyncConflictResolutionKind = (typeof SYNC_CONFLICT_RESOLUTIONS)[number];

/**
 * One person's sync conflicts (`syncconflicts-<userId>`). `communityId` is set when the entity
 * belongs to a community (a post): the values are then encrypted with the person's key for that
 * community, so erasing the community shreds the device's and the server's copies with it.
 */
export const syncConflictEventSchemas = {
  /** A change left for the person to settle: both sides' values, as they stood. */
  SyncConflictQueued: z.object({
    conflictId: id,
    userId: id,
    deviceId: id,
    changeId,
    changeType,
    entityId,
    communityId: id.nullable(),
    baseVersion: z.number().int().min(-1),
    serverVersion: z.number().int().min(-1),
    clientTime: z.iso.datetime({ offset: true }),
    deviceValue: personalJson,
    serverValue: personalJson,
  }),
  /** Settled by the person; `resolvedValue` is the value kept (their edit, or the side they chose). */
  SyncConflictResolved: z.object({
    conflictId: id,
    userId: id,
    resolution: z.enum(SYNC_CONFLICT_RESOLUTIONS),
    communityId: id.nullable(),
    resolvedValue: personalJson,
  }),
  /**
   * A change refused after the entity moved on while the device was offline (serverWinsWithNotice):
   * reported as superseded and the person told. `code`/`message` are the domain's refusal.
   */
  SyncChangeOverruled: z.object({
    userId: id,
    deviceId: id,
    changeId,
    changeType,
    entityId,
    communityId: id.nullable(),
    code: z.string().min(1).max(100),
    message: z.string().max(500),
  }),
};

type Schemas = typeof syncConflictEventSchemas;
export type SyncConflictEvent = {
  [Type in keyof Schemas]: { type: Type; data: z.infer<Schemas[Type]> };
}[keyof Schemas];
export type SyncConflictEventOf<Type extends SyncConflictEvent['type']> = Extract<
  SyncConflictEvent,
  { type: Type }
>;

const bySubject = (data: { userId: string; communityId: string | null }) =>
  data.communityId === null ? data.userId : communityMemberSubject(data.communityId, data.userId);

/** Nothing here is published to integrators: a person's offline edits and conflicts are theirs alone. */
export const syncConflictEventCatalogue: EventCatalogue<SyncConflictEvent> = {
  SyncConflictQueued: {
    type: 'SyncConflictQueued',
    schemaVersion: 1,
    schema: syncConflictEventSchemas.SyncConflictQueued,
    personalFields: ['deviceValue', 'serverValue'],
    subject: bySubject,
  },
  SyncConflictResolved: {
    type: 'SyncConflictResolved',
    schemaVersion: 1,
    schema: syncConflictEventSchemas.SyncConflictResolved,
    personalFields: ['resolvedValue'],
    subject: bySubject,
  },
  SyncChangeOverruled: {
    type: 'SyncChangeOverruled',
    schemaVersion: 1,
    schema: syncConflictEventSchemas.SyncChangeOverruled,
  },
};
