import type { SyncChangeType } from './change-types.ts';

/** One change as the device pushed it, after validation (payload parsed by its type's schema). */
export interface SyncChange {
  changeId: string;
  type: SyncChangeType;
  entityId: string;
  /** The entity's version the device last saw; -1 when it never saw the entity. */
  baseVersion: number;
  /** The device's time of the change, clamped to the server's time when it was in the future. */
  clientTime: string;
  payload: Record<string, unknown>;
}

export const SYNC_OUTCOME_STATUSES = ['applied', 'merged', 'superseded', 'queued', 'refused'] as const;
export type SyncOutcomeStatus = (typeof SYNC_OUTCOME_STATUSES)[number];

/**
 * What became of one pushed change.
 * - applied: decided and stored as the device sent it.
 * - merged: the entity had moved on; stored combined with the server's value (`value` is the result).
 * - superseded: the server's value won; nothing stored (`value` is the winner).
 * - queued: left for the person to settle (`conflictId` names it; see `resolveSyncConflict`).
 * - refused: the domain said no; nothing stored (`error` is the typed refusal).
 */
export interface SyncOutcome {
  changeId: string;
  status: SyncOutcomeStatus;
  /** The entity's version after the change (absent when refused before anything was read). */
  version?: number;
  value?: Record<string, unknown>;
  conflictId?: string;
  error?: { code: string; category: string; message: string; details?: Record<string, unknown> };
  /** The client time was in the future and was clamped to the server's time. */
  clientTimeClamped?: boolean;
}
