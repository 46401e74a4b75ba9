import type { SyncConflictEvent } from './conflict-events.ts';

export interface QueuedConflict {
  status: 'open' | 'resolved';
  communityId: string | null;
}

/**
 * One person's conflicts by id, and the ids of their changes already overruled (so a retried sync
 * records neither twice). Plain records, not maps: the state is snapshotted as JSON.
 */
export interface SyncConflictState {
  userId: string | null;
  conflicts: Readonly<Record<string, QueuedConflict>>;
  overruledChangeIds: Readonly<Record<string, true>>;
}

export const initialSyncConflictState: SyncConflictState = {
  userId: null,
  conflicts: {},
  overruledChangeIds: {},
};

export function evolveSyncConflicts(state: SyncConflictState, event: SyncConflictEvent): SyncConflictState {
  switch (event.type) {
    case 'SyncConflictQueued': {
      const { conflictId, userId, communityId } = event.data;
      return {
        ...state,
        userId,
        conflicts: { ...state.conflicts, [conflictId]: { status: 'open', communityId } },
      };
    }
    case 'SyncConflictResolved': {
      const conflict = state.conflicts[event.data.conflictId];
      if (conflict === undefined) return state;
      return {
        ...state,
        conflicts: { ...state.conflicts, [event.data.conflictId]: { ...conflict, status: 'resolved' } },
      };
    }
    case 'SyncChangeOverruled':
      return {
        ...state,
        userId: event.data.userId,
        overruledChangeIds: { ...state.overruledChangeIds, [event.data.changeId]: true },
      };
    default:
      return state;
  }
}
