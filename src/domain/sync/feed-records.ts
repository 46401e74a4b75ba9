import type { SyncEntityType } from './change-types.ts';

/**
 * One stored event as the sync feed reads it: its data decoded (personal fields in plaintext, or
 * null once erased), the stream it is on and its revision there.
 */
export interface FeedSourceEvent {
  type: string;
  data: Record<string, unknown>;
  streamName: string;
  revision: number;
  occurredAt: string;
}

/**
 * "This entity changed": what a device in `scope` learns from one event. `version` is the event's
 * stream revision, so the last record of an entity carries its version (see entity-version.ts).
 * `deleted`: the entity is gone for the scope (a post deleted, a membership ended); a record of type
 * 'scope' tells every device in `scope` to drop what it holds of `entityId` and re-seed.
 */
export interface FeedRecord {
  scope: string;
  entityType: SyncEntityType;
  entityId: string;
  version: number;
  deleted: boolean;
}

export const userScope = (userId: string) => `user:${userId}`;
export const communityScope = (communityId: string) => `community:${communityId}`;
export const conversationScope = (conversationId: string) => `conversation:${conversationId}`;
/** The scope of a record every device sees (a person's erasure: anyone may hold their words). */
export const ALL_SCOPES = '*';

type Mapper = (event: FeedSourceEvent) => FeedRecord[];

/** A string field of the data, or undefined: the feed reads what is there and skips what is not. */
const text = (data: Record<string, unknown>, field: string): string | undefined => {
  const value = data[field];
  return typeof value === 'string' && value.length > 0 ? value : undefined;
};

/**
 * One record when the event names both its scope's id and its entity's id; none otherwise (an
 * older event lacking a field is not the feed's to guess about).
 */
function record(
  event: FeedSourceEvent,
  entityType: SyncEntityType,
  scope: (id: string) => string,
  scopeField: string,
  entityField: string,
  deleted = false,
): FeedRecord[] {
  const scopeId = text(event.data, scopeField);
  const entityId = text(event.data, entityField);
  if (scopeId === undefined || entityId === undefined) return [];
  return [{ scope: scope(scopeId), entityType, entityId, version: event.revision, deleted }];
}

const profile: Mapper = (event) => record(event, 'profile', userScope, 'userId', 'userId');
const moduleProgress: Mapper = (event) => record(event, 'moduleProgress', userScope, 'userId', 'moduleId');
const checkpointAnswer: Mapper = (event) =>
  record(event, 'checkpointAnswer', userScope, 'userId', 'checkpointId');
/** A membership is the member's own: its entity is the community, seen only by that member. */
const membership =
  (deleted: boolean): Mapper =>
  (event) =>
    record(event, 'membership', userScope, 'userId', 'communityId', deleted);
const communityPost =
  (deleted: boolean): Mapper =>
  (event) =>
    record(event, 'communityPost', communityScope, 'communityId', 'postId', deleted);
const chatMessage =
  (deleted: boolean): Mapper =>
  (event) =>
    record(event, 'chatMessage', conversationScope, 'conversationId', 'messageId', deleted);
const syncConflict: Mapper = (event) => record(event, 'syncConflict', userScope, 'userId', 'conflictId');

/** An erasure is a 'scope' record: devices drop what they hold of it and re-seed. */
const erasure =
  (scopeOf: (id: string) => string, field: string, visibleTo: (id: string) => string): Mapper =>
  (event) => {
    const id = text(event.data, field);
    if (id === undefined) return [];
    return [
      {
        scope: visibleTo(id),
        entityType: 'scope',
        entityId: scopeOf(id),
        version: event.revision,
        deleted: true,
      },
    ];
  };

/**
 * Every event type the feed maps, by type. Types are matched by name (the event store's types are
 * unique across contexts), so a type added by a context is mapped here before its first event.
 */
const MAPPERS: Readonly<Record<string, Mapper>> = {
  // identity: the person's own profile
  UserRegistered: profile,
  UserProfileChanged: profile,
  // communities: learning progress and checkpoint answers, the learner's own
  LearningModuleCompleted: moduleProgress,
  LearningModuleProgressed: moduleProgress,
  CheckpointAttemptSubmitted: checkpointAnswer,
  CheckpointAttemptGraded: checkpointAnswer,
  // communities: one person's membership of one community
  CommunityMemberJoined: membership(false),
  CommunityJoinRequested: membership(false),
  CommunityMemberInvited: membership(false),
  CommunityMemberRoleChanged: membership(false),
  CommunityJoinRequestDeclined: membership(true),
  CommunityInvitationDeclined: membership(true),
  CommunityMemberLeft: membership(true),
  CommunityMemberBanned: membership(true),
  // Unbanned is not a membership again: the person may ask to join anew.
  CommunityMemberUnbanned: membership(true),
  // communities: posts, seen by the community
  CommunityThreadStarted: communityPost(false),
  CommunityReplyPosted: communityPost(false),
  CommunityPostEdited: communityPost(false),
  CommunityThreadPinned: communityPost(false),
  CommunityThreadUnpinned: communityPost(false),
  CommunityPostMarkedHelpful: communityPost(false),
  CommunityPostDeleted: communityPost(true),
  CommunityPostRemoved: communityPost(true),
  // chat: messages, seen by the conversation (reactions are not synced)
  ChatMessageSent: chatMessage(false),
  ChatMessageEdited: chatMessage(false),
  ChatMessageDeleted: chatMessage(true),
  // sync: the person's own conflicts awaiting them
  SyncConflictQueued: syncConflict,
  SyncConflictResolved: syncConflict,
  // erasure
  UserForgotten: erasure(userScope, 'userId', () => ALL_SCOPES),
  CommunityErased: erasure(communityScope, 'communityId', communityScope),
};

/** Every event type `feedRecordsOf` maps (the feed projection subscribes to these only). */
export const SYNC_FEED_EVENT_TYPES: readonly string[] = Object.freeze(Object.keys(MAPPERS));

/** The feed records of one event: none for a type the feed does not map. */
export function feedRecordsOf(event: FeedSourceEvent): FeedRecord[] {
  const mapper = Object.hasOwn(MAPPERS, event.type) ? MAPPERS[event.type] : undefined;
  return mapper ? mapper(event) : [];
}
