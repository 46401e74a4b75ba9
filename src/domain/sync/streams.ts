import { uuidv5 } from '../../commands/event-ids.ts';

/** Namespace for the sync context's derived ids (a random v4 UUID, fixed forever). */
export const SYNC_NAMESPACE = 'c4f1a7d2-8e35-4b90-9c6e-2a5d7f13b840';

/** One person's sync conflicts (queued, resolved) and the changes of theirs the server overruled. */
export const syncConflictsStream = (userId: string) => `syncconflicts-${userId}`;

/**
 * A conflict's id is derived from the change that raised it: a push retried after a crash queues
 * the same conflict again (which decides nothing) instead of a second one.
 */
export const syncConflictId = (userId: string, changeId: string) =>
  uuidv5(`${userId.toLowerCase()}:${changeId}`, SYNC_NAMESPACE);
