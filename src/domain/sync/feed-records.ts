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
/**
 * No record is written to it any more (a person's erasure reaches only the scopes holding their
 * words: see ERASURE_REFRESHED_TYPES); kept for clients and tools that still name it.
 */
export const ALL_SCOPES = '*';

/** What an event type maps to: its records, and which entity types those can be (known without data). */
interface Mapper {
  (event: FeedSourceEvent): FeedRecord[];
  entityTypes: readonly SyncEntityType[];
}

const mapperOf = (entityTypes: readonly SyncEntityType[], map: (event: FeedSourceEvent) => FeedRecord[]) =>
  Object.assign(map, { entityTypes }) as Mapper;

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

const profile = mapperOf(['profile'], (event) => record(event, 'profile', userScope, 'userId', 'userId'));
const moduleProgress = mapperOf(['moduleProgress'], (event) =>
  record(event, 'moduleProgress', userScope, 'userId', 'moduleId'),
);
const checkpointAnswer = mapperOf(['checkpointAnswer'], (event) =>
  record(event, 'checkpointAnswer', userScope, 'userId', 'checkpointId'),
);
/** A membership is the member's own: its entity is the community, seen only by that member. */
const membership = (deleted: boolean) =>
  mapperOf(['membership'], (event) =>
    record(event, 'membership', userScope, 'userId', 'communityId', deleted),
  );
const communityPost = (deleted: boolean) =>
  mapperOf(['communityPost'], (event) =>
    record(event, 'communityPost', communityScope, 'communityId', 'postId', deleted),
  );
const chatMessage = (deleted: boolean) =>
  mapperOf(['chatMessage'], (event) =>
    record(event, 'chatMessage', conversationScope, 'conversationId', 'messageId', deleted),
  );
const syncConflict = mapperOf(['syncConflict'], (event) =>
  record(event, 'syncConflict', userScope, 'userId', 'conflictId'),
);

/**
 * The entity types whose entities hold a person's words in other people's scopes (their posts in
 * communities, their messages in conversations): on `UserForgotten` the feed projection writes a
 * record of each such entity the person authored (authoredEntityOf), from facts of its own, so
 * only the devices that hold their words re-read them, emptied.
 */
export const ERASURE_REFRESHED_TYPES: readonly SyncEntityType[] = ['communityPost', 'chatMessage'];

/** An erasure is a 'scope' record: the devices of that scope drop what they hold of it and re-seed. */
const erasure = (scopeOf: (id: string) => string, field: string, extra: readonly SyncEntityType[] = []) =>
  mapperOf(['scope', ...extra], (event) => {
    const id = text(event.data, field);
    if (id === undefined) return [];
    return [
      {
        scope: scopeOf(id),
        entityType: 'scope',
        entityId: scopeOf(id),
        version: event.revision,
        deleted: true,
      },
    ];
  });

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
  // erasure: a person's own devices re-seed (their posts and messages elsewhere are re-sent by
  // the projection, see ERASURE_REFRESHED_TYPES); a community's devices re-seed.
  UserForgotten: erasure(userScope, 'userId', ERASURE_REFRESHED_TYPES),
  CommunityErased: erasure(communityScope, 'communityId'),
};

/** Every event type `feedRecordsOf` maps (the feed projection subscribes to these only). */
export const SYNC_FEED_EVENT_TYPES: readonly string[] = Object.freeze(Object.keys(MAPPERS));

/** The feed records of one event: none for a type the feed does not map. */
export function feedRecordsOf(event: FeedSourceEvent): FeedRecord[] {
  const mapper = Object.hasOwn(MAPPERS, event.type) ? MAPPERS[event.type] : undefined;
  return mapper ? mapper(event) : [];
}

/** The entity types an event type's records can be (what a projection serving them must apply). */
export function feedEntityTypesOf(eventType: string): readonly SyncEntityType[] {
  return Object.hasOwn(MAPPERS, eventType) ? (MAPPERS[eventType]?.entityTypes ?? []) : [];
}

/** An entity a person wrote that others hold: what `UserForgotten` must re-send (ERASURE_REFRESHED_TYPES). */
export interface AuthoredEntity {
  authorId: string;
  entityType: SyncEntityType;
  entityId: string;
  scope: string;
}

/** The authored entity an event creates (a thread or reply started, a message sent), if any. */
export function authoredEntityOf(event: FeedSourceEvent): AuthoredEntity | null {
  const author =
    event.type === 'CommunityThreadStarted' || event.type === 'CommunityReplyPosted'
      ? text(event.data, 'authorId')
      : event.type === 'ChatMessageSent'
        ? text(event.data, 'senderId')
        : undefined;
  if (author === undefined) return null;
  const [created] = feedRecordsOf(event);
  if (created === undefined) return null;
  return {
    authorId: author,
    entityType: created.entityType,
    entityId: created.entityId,
    scope: created.scope,
  };
}
