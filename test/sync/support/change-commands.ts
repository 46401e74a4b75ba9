import type { SyncChangeType } from '../../../src/domain/sync/change-types.ts';
import { commandIdFor } from '../../../src/services/shared/command-context.ts';

/**
 * Where a pushed change's events are: sync applies each change through its context's own use case
 * with the change id as the idempotency key, so the command id is the one that use case derives
 * from the key (services/*: commandIdFor with the operation names below). Finding the events of a
 * change by that id is how the simulation and the fault suite tell "applied once" from "twice".
 * Joining and leaving take no key (deciding them again stores nothing): they have no entry.
 */
const OPERATION_OF: Partial<Record<SyncChangeType, (entityId: string) => string>> = {
  'profile.update': () => 'updateProfile',
  'module.progress': (moduleId) => `recordModuleProgress:${moduleId}`,
  'checkpoint.answer': (checkpointId) => `submitCheckpointAttempt:${checkpointId}`,
  'post.edit': (postId) => `editCommunityPost:${postId}`,
  'community.reply': (parentId) => `replyInCommunity:${parentId}`,
  'chat.message': (conversationId) => `sendChatMessage:${conversationId}`,
};

/** The events a change of each type stores when it is applied as sent. */
export const APPLIED_EVENT_TYPES: Partial<Record<SyncChangeType, readonly string[]>> = {
  'profile.update': ['UserProfileChanged'],
  'checkpoint.answer': ['CheckpointAttemptSubmitted'],
  'post.edit': ['CommunityPostEdited'],
  'community.reply': ['CommunityReplyPosted'],
  'chat.message': ['ChatMessageSent'],
};

/** The command id of `userId`'s change, or null for a type whose use case takes no key. */
export function syncChangeCommandId(
  userId: string,
  change: { type: string; entityId: string; changeId: string },
): string | null {
  const operation = OPERATION_OF[change.type as SyncChangeType];
  if (!operation) return null;
  const context = {
    actor: { kind: 'user' as const, userId, role: 'user' as const },
    correlationId: 'sync-check',
  };
  return commandIdFor(context, operation(change.entityId), { idempotencyKey: change.changeId });
}

/** The events `change` stores when it is applied as sent (progress: below 100 in a module not yet completed). */
export function appliedEventTypes(change: {
  type: string;
  payload: Record<string, unknown>;
}): readonly string[] | null {
  if (change.type === 'module.progress') {
    return change.payload.percent === 100
      ? ['LearningModuleProgressed', 'LearningModuleCompleted']
      : ['LearningModuleProgressed'];
  }
  return APPLIED_EVENT_TYPES[change.type as SyncChangeType] ?? null;
}
