import type { SyncConflictEventOf, SyncConflictResolutionKind } from './conflict-events.ts';

export type SyncConflictCommand =
  | ({
      /** By the sync of the person's device: a manualResolution change met a moved-on entity. */
      type: 'QueueSyncConflict';
    } & SyncConflictEventOf<'SyncConflictQueued'>['data'])
  | {
      /**
       * By the person. `resolvedValue` is the value kept, as JSON (the service has already stored
       * it, for kept_device and edited, before recording the resolution).
       */
      type: 'ResolveSyncConflict';
      conflictId: string;
      userId: string;
      resolution: SyncConflictResolutionKind;
      resolvedValue: string | null;
    }
  | ({
      /** By the sync of the person's device: a serverWinsWithNotice change the domain refused. */
      type: 'RecordSyncChangeOverruled';
    } & SyncConflictEventOf<'SyncChangeOverruled'>['data']);

export type SyncConflictCommandOf<Type extends SyncConflictCommand['type']> = Extract<
  SyncConflictCommand,
  { type: Type }
>;
