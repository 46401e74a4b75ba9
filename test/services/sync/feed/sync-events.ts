import { randomUUID } from 'node:crypto';
import { definitionOf } from '../../../../src/commands/event-codec.ts';
import { chatConversationEventCatalogue } from '../../../../src/domain/chat/conversation-events.ts';
import {
  type ChatMessageEvent,
  chatMessageEventCatalogue,
} from '../../../../src/domain/chat/message-events.ts';
import { chatConversationStream, chatMessageStream } from '../../../../src/domain/chat/streams.ts';
import {
  type AttemptEvent,
  attemptEventCatalogue,
} from '../../../../src/domain/communities/attempt-events.ts';
import { communityEventCatalogue } from '../../../../src/domain/communities/community-events.ts';
import {
  type MembershipEvent,
  membershipEventCatalogue,
} from '../../../../src/domain/communities/membership-events.ts';
import {
  type CommunityPostEvent,
  communityPostEventCatalogue,
} from '../../../../src/domain/communities/post-events.ts';
import { progressEventCatalogue } from '../../../../src/domain/communities/progress-events.ts';
import {
  checkpointAttemptsStream,
  communityMemberStream,
  communityPostStream,
  communityStream,
  learningProgressStream,
} from '../../../../src/domain/communities/streams.ts';
import { userStream } from '../../../../src/domain/identity/streams.ts';
import { type UserEvent, userEventCatalogue } from '../../../../src/domain/identity/user-events.ts';
import type { DomainEvent } from '../../../../src/domain/shared/decider.ts';
import type { EventCatalogue } from '../../../../src/domain/shared/event-catalogue.ts';
import {
  type ModerationEvent,
  moderationCaseStream,
  moderationEventCatalogue,
} from '../../../../src/domain/social/moderation-events.ts';
import {
  type SyncConflictEvent,
  syncConflictEventCatalogue,
} from '../../../../src/domain/sync/conflict-events.ts';
import { syncConflictsStream } from '../../../../src/domain/sync/streams.ts';
import type { Pipeline } from '../../../commands/fixtures/pipeline.ts';

/**
 * Real events of every context the sync feed maps, encoded (and encrypted) and appended as the
 * services do, one append per call; each answers its position. For the feed's projection and
 * service tests, which need a history without driving every context's use cases.
 */
export function syncEvents(p: Pipeline, startAt = Date.parse('2026-12-01T09:00:00.000Z')) {
  let clock = startAt;
  async function append<Event extends DomainEvent>(
    stream: string,
    catalogue: EventCatalogue<Event>,
    event: Event,
  ): Promise<bigint> {
    clock += 60_000;
    const definition = definitionOf(catalogue, event.type);
    if (!definition) throw new Error(`no definition for ${event.type}`);
    const commandId = randomUUID();
    const metadata = { commandId, correlationId: commandId, causationId: commandId, actor: 'user:test' };
    const encoded = await p.codec.encode(
      definition,
      event,
      { ...metadata, occurredAt: new Date(clock).toISOString() },
      randomUUID(),
    );
    return (await p.store.append(stream, [encoded])).position;
  }
  const now = () => new Date(clock).toISOString();
  return {
    now,
    user: (event: UserEvent) => append(userStream(event.data.userId), userEventCatalogue, event),
    registered: (userId: string, displayName: string) =>
      append(userStream(userId), userEventCatalogue, {
        type: 'UserRegistered',
        data: {
          userId,
          email: `${userId}@example.test`,
          displayName,
          passwordHash: 'x',
          role: 'user',
          at: now(),
        },
      }),
    community: (communityId: string, createdBy: string) =>
      append(communityStream(communityId), communityEventCatalogue, {
        type: 'CommunityCreated',
        data: {
          communityId,
          name: `Community ${communityId.slice(0, 4)}`,
          description: null,
          language: 'en',
          region: 'global',
          visibility: 'public',
          rules: null,
          minTrustToStartThreads: 0,
          minTrustToPostLinks: 0,
          createdBy,
        },
      }),
    communityErased: (communityId: string, erasedBy: string) =>
      append(communityStream(communityId), communityEventCatalogue, {
        type: 'CommunityErased',
        data: { communityId, erasedBy, reason: 'test' },
      }),
    membership: (event: MembershipEvent) =>
      append(
        communityMemberStream(event.data.communityId, event.data.userId),
        membershipEventCatalogue,
        event,
      ),
    joined: (communityId: string, userId: string, role: 'owner' | 'member' = 'member') =>
      append(communityMemberStream(communityId, userId), membershipEventCatalogue, {
        type: 'CommunityMemberJoined',
        data: { communityId, userId, role, via: role === 'owner' ? 'creation' : 'open', approvedBy: null },
      }),
    post: (event: CommunityPostEvent) =>
      append(communityPostStream(event.data.postId), communityPostEventCatalogue, event),
    conversation: (conversationId: string, startedBy: string, memberIds: string[]) =>
      append(chatConversationStream(conversationId), chatConversationEventCatalogue, {
        type: 'ChatConversationStarted',
        data: { conversationId, kind: 'group', startedBy, memberIds, title: 'Crew' },
      }),
    message: (event: ChatMessageEvent) =>
      append(chatMessageStream(event.data.messageId), chatMessageEventCatalogue, event),
    moduleCompleted: (data: { communityId: string; pathId: string; moduleId: string; userId: string }) =>
      append(learningProgressStream(data.pathId, data.userId), progressEventCatalogue, {
        type: 'LearningModuleCompleted',
        data: { ...data, clientTime: now() },
      }),
    attempt: (event: AttemptEvent) =>
      append(
        checkpointAttemptsStream(event.data.checkpointId, event.data.userId),
        attemptEventCatalogue,
        event,
      ),
    moderation: (event: ModerationEvent) =>
      append(moderationCaseStream(event.data.targetId), moderationEventCatalogue, event),
    conflict: (event: SyncConflictEvent) =>
      append(syncConflictsStream(event.data.userId), syncConflictEventCatalogue, event),
  };
}
