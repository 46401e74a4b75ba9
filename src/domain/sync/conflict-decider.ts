import type { Actor, Decider } from '../shared/decider.ts';
import { conflict, forbidden, notFound } from '../shared/domain-error.ts';
import type { SyncConflictCommand, SyncConflictCommandOf } from './conflict-commands.ts';
import { type SyncConflictEvent, syncConflictEventCatalogue } from './conflict-events.ts';
import { evolveSyncConflicts, initialSyncConflictState, type SyncConflictState } from './conflict-state.ts';

const conflictNotFound = () => notFound('SYNC_CONFLICT_NOT_FOUND', 'No such sync conflict');

/**
 * A person's conflicts are theirs: the sync acting for them (signed in, or through their API key)
 * queues and overrules, they resolve. Someone else's conflict is "not found", never "forbidden".
 */
function requireOwner(actor: Actor, userId: string): void {
  if (actor.kind === 'system') return;
  if (actor.kind === 'anonymous') throw forbidden('SIGN_IN_REQUIRED', 'Sign in first');
  const owner = actor.kind === 'user' ? actor.userId : actor.ownerId;
  if (owner.toLowerCase() !== userId.toLowerCase()) throw conflictNotFound();
}

/**
 * One person's sync conflicts. Queueing a conflict or recording an overruled change twice (a sync
 * retried after a crash) decides nothing; a conflict is resolved once.
 */
export const syncConflictDecider: Decider<SyncConflictCommand, SyncConflictEvent, SyncConflictState> = {
  initialState: initialSyncConflictState,
  evolve: evolveSyncConflicts,
  decide(command, state, { actor }) {
    requireOwner(actor, command.userId);
    switch (command.type) {
      case 'QueueSyncConflict': {
        if (state.conflicts[command.conflictId] !== undefined) return [];
        const { type: _, ...data } = command;
        return [{ type: 'SyncConflictQueued', data }];
      }
      case 'ResolveSyncConflict':
        return resolve(command, state);
      case 'RecordSyncChangeOverruled': {
        if (state.overruledChangeIds[command.changeId] === true) return [];
        const { type: _, ...data } = command;
        return [{ type: 'SyncChangeOverruled', data }];
      }
      default: {
        const unknown: never = command;
        throw new Error(`Unknown sync conflict command ${JSON.stringify(unknown)}`);
      }
    }
  },
};

function resolve(command: SyncConflictCommandOf<'ResolveSyncConflict'>, state: SyncConflictState) {
  const queued = state.conflicts[command.conflictId];
  if (queued === undefined) throw conflictNotFound();
  if (queued.status === 'resolved') {
    throw conflict('SYNC_CONFLICT_ALREADY_RESOLVED', 'This sync conflict is already resolved');
  }
  const { conflictId, userId, resolution, resolvedValue } = command;
  return [
    {
      type: 'SyncConflictResolved' as const,
      data: { conflictId, userId, resolution, communityId: queued.communityId, resolvedValue },
    },
  ];
}

export const syncConflictsAggregate = { decider: syncConflictDecider, catalogue: syncConflictEventCatalogue };
