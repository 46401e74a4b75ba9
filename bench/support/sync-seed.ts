/**
 * What bench:sync seeds as the events the write side stores: a learner's world (a community they
 * own with published paths of modules and checkpoints, threads of theirs, other communities they
 * may join, a sync device) and the backlog a device falls behind on (another member's chat
 * messages and replies). The projector builds the read models and the sync feed from them, as it
 * would in production.
 */
import { randomUUID } from 'node:crypto';
import type { EventCodec } from '../../src/commands/event-codec.ts';
import { chatMessageEventCatalogue } from '../../src/domain/chat/message-events.ts';
import { chatMessageStream } from '../../src/domain/chat/streams.ts';
import { checkpointEventCatalogue } from '../../src/domain/communities/checkpoint-events.ts';
import {
  type CheckpointQuestion,
  serialiseQuestions,
} from '../../src/domain/communities/checkpoint-values.ts';
import { communityEventCatalogue } from '../../src/domain/communities/community-events.ts';
import { membershipEventCatalogue } from '../../src/domain/communities/membership-events.ts';
import { learningModuleEventCatalogue } from '../../src/domain/communities/module-events.ts';
import { learningPathEventCatalogue } from '../../src/domain/communities/path-events.ts';
import { communityPostEventCatalogue } from '../../src/domain/communities/post-events.ts';
import {
  checkpointStream,
  communityMemberStream,
  communityPostStream,
  communityStream,
  learningModuleStream,
  learningPathStream,
} from '../../src/domain/communities/streams.ts';
import { deviceEventCatalogue } from '../../src/domain/notifications/device-events.ts';
import { deviceStream } from '../../src/domain/notifications/streams.ts';
import type { DomainEvent } from '../../src/domain/shared/decider.ts';
import type { EventDefinition } from '../../src/domain/shared/event-catalogue.ts';
import type { EventStore } from '../../src/eventstore/port.ts';
import { benchEventMetadata } from './bench-graphql.ts';

/** The events of one stream, appended together in one call. */
export interface SeedBatch {
  stream: string;
  /** The community in the metadata, as the pipeline writes it for community-owned aggregates. */
  communityId?: string;
  events: { definition: EventDefinition; event: DomainEvent }[];
}

const one = <Event extends DomainEvent>(catalogue: Record<string, EventDefinition>, event: Event) => {
  const definition = catalogue[event.type];
  if (!definition) throw new Error(`no definition for ${event.type}`);
  return { definition, event };
};

/** Two questions: `q1` right with option `a`, `q2` right with "chlorophyll". */
export const QUESTIONS: CheckpointQuestion[] = [
  {
    id: 'q1',
    type: 'single_choice',
    prompt: 'Which gas do plants take in for photosynthesis?',
    points: 1,
    options: [
      { id: 'a', text: 'Carbon dioxide', correct: true },
      { id: 'b', text: 'Nitrogen', correct: false },
    ],
  },
  {
    id: 'q2',
    type: 'short_answer',
    prompt: 'Name the green pigment in leaves.',
    points: 1,
    acceptedAnswers: ['chlorophyll'],
  },
];

export interface SyncWorld {
  learnerId: string;
  otherId: string;
  /** Owned by the learner (so they may mark replies helpful); the other person is a member. */
  communityId: string;
  modules: { pathId: string; moduleId: string; checkpointId: string }[];
  /** The learner's own threads in `communityId` (what `post.edit` edits, `community.reply` answers). */
  threadIds: string[];
  /** Public communities of the other person, open to join. */
  openCommunityIds: string[];
}

/** Phases appended one after the other (streams in a phase in parallel): content before who uses it. */
export function syncWorld(
  learnerId: string,
  otherId: string,
  shape: { paths: number; modulesPerPath: number; threads: number; openCommunities: number },
): { world: SyncWorld; phases: SeedBatch[][] } {
  const communityId = randomUUID();
  const content: SeedBatch[] = [];
  const published: SeedBatch[] = [];
  const members: SeedBatch[] = [];
  const posts: SeedBatch[] = [];
  const community = (id: string, ownerId: string, name: string): SeedBatch[] => [
    {
      stream: communityStream(id),
      communityId: id,
      events: [
        one(communityEventCatalogue, {
          type: 'CommunityCreated',
          data: {
            communityId: id,
            name,
            description: `${name}: a benchmark community`,
            language: 'en',
            region: 'Nairobi',
            visibility: 'public',
            rules: 'Be kind.',
            minTrustToStartThreads: 0,
            minTrustToPostLinks: 0,
            createdBy: ownerId,
          },
        }),
      ],
    },
  ];
  const joined = (id: string, userId: string, role: 'owner' | 'member'): SeedBatch => ({
    stream: communityMemberStream(id, userId),
    communityId: id,
    events: [
      one(membershipEventCatalogue, {
        type: 'CommunityMemberJoined',
        data: {
          communityId: id,
          userId,
          role,
          via: role === 'owner' ? 'creation' : 'open',
          approvedBy: null,
        },
      }),
    ],
  });
  content.push(...community(communityId, learnerId, 'Photosynthesis'));
  members.push(joined(communityId, learnerId, 'owner'), joined(communityId, otherId, 'member'));
  const openCommunityIds: string[] = [];
  for (let i = 0; i < shape.openCommunities; i++) {
    const id = randomUUID();
    openCommunityIds.push(id);
    content.push(...community(id, otherId, `Open ${i + 1}`));
    members.push(joined(id, otherId, 'owner'));
  }

  const modules: SyncWorld['modules'] = [];
  for (let p = 0; p < shape.paths; p++) {
    const pathId = randomUUID();
    const moduleIds: string[] = [];
    for (let m = 0; m < shape.modulesPerPath; m++) {
      const moduleId = randomUUID();
      const checkpointId = randomUUID();
      moduleIds.push(moduleId);
      modules.push({ pathId, moduleId, checkpointId });
      const ids = { communityId, pathId, moduleId };
      content.push(
        {
          stream: learningModuleStream(moduleId),
          communityId,
          events: [
            one(learningModuleEventCatalogue, {
              type: 'LearningModuleDrafted',
              data: {
                ...ids,
                version: 1,
                title: `Module ${m + 1}`,
                body: 'Plants turn light into sugar.',
                mediaAssetIds: [],
                editedBy: learnerId,
              },
            }),
            one(learningModuleEventCatalogue, {
              type: 'LearningModulePublished',
              data: { ...ids, version: 1, publishedBy: learnerId },
            }),
          ],
        },
        {
          stream: checkpointStream(checkpointId),
          communityId,
          events: [
            // No cool-down and the most attempts allowed: the bench answers a checkpoint many times.
            one(checkpointEventCatalogue, {
              type: 'CheckpointDrafted',
              data: {
                ...ids,
                checkpointId,
                version: 1,
                questions: serialiseQuestions(QUESTIONS),
                passMark: 60,
                maxAttempts: 100,
                cooldownSeconds: 0,
                source: 'mentor',
                generator: null,
                draftedBy: learnerId,
              },
            }),
            one(checkpointEventCatalogue, {
              type: 'CheckpointApproved',
              data: { communityId, checkpointId, version: 1, approvedBy: learnerId },
            }),
          ],
        },
      );
    }
    content.push({
      stream: learningPathStream(pathId),
      communityId,
      events: [
        one(learningPathEventCatalogue, {
          type: 'LearningPathCreated',
          data: { communityId, pathId, title: `Path ${p + 1}`, description: 'Light', createdBy: learnerId },
        }),
        one(learningPathEventCatalogue, {
          type: 'LearningPathModulesOrdered',
          data: { communityId, pathId, moduleIds, orderedBy: learnerId },
        }),
      ],
    });
    published.push({
      stream: learningPathStream(pathId),
      communityId,
      events: [
        one(learningPathEventCatalogue, {
          type: 'LearningPathPublished',
          data: { communityId, pathId, version: 1, moduleIds, publishedBy: learnerId },
        }),
      ],
    });
  }

  const threadIds: string[] = [];
  for (let t = 0; t < shape.threads; t++) {
    const postId = randomUUID();
    threadIds.push(postId);
    posts.push({
      stream: communityPostStream(postId),
      communityId,
      events: [
        one(communityPostEventCatalogue, {
          type: 'CommunityThreadStarted',
          data: { communityId, postId, authorId: learnerId, title: `Question ${t + 1}`, body: 'Ask here.' },
        }),
      ],
    });
  }
  return {
    world: { learnerId, otherId, communityId, modules, threadIds, openCommunityIds },
    phases: [content, published, members, posts],
  };
}

/** A sync device of `userId`, registered without push (push fields null). */
export function syncDevice(userId: string, deviceId: string): SeedBatch {
  return {
    stream: deviceStream(deviceId),
    events: [
      one(deviceEventCatalogue, {
        type: 'DeviceRegistered',
        data: {
          deviceId,
          userId,
          platform: 'android',
          appVersion: 'bench',
          pushEndpoint: null,
          pushP256dh: null,
          pushAuth: null,
        },
      }),
    ],
  };
}

/**
 * What a device falls behind on while offline: the other person's chat messages in the
 * conversation and replies to the learner's threads, one new entity (one feed record) each.
 * The reply ids come back: the learner's device marks some of them helpful later.
 */
export function backlog(
  world: SyncWorld,
  conversationId: string,
  counts: { messages: number; replies: number },
): { phases: SeedBatch[][]; replyIds: string[] } {
  const batches: SeedBatch[] = [];
  const replyIds: string[] = [];
  for (let i = 0; i < counts.messages; i++) {
    const messageId = randomUUID();
    batches.push({
      stream: chatMessageStream(messageId),
      events: [
        one(chatMessageEventCatalogue, {
          type: 'ChatMessageSent',
          data: {
            messageId,
            conversationId,
            senderId: world.otherId,
            text: `Did you get to module ${(i % 9) + 1} yet? Message ${i}.`,
            replyToId: null,
            attachments: [],
          },
        }),
      ],
    });
  }
  for (let i = 0; i < counts.replies; i++) {
    const postId = randomUUID();
    const threadId = world.threadIds[i % world.threadIds.length] as string;
    replyIds.push(postId);
    batches.push({
      stream: communityPostStream(postId),
      communityId: world.communityId,
      events: [
        one(communityPostEventCatalogue, {
          type: 'CommunityReplyPosted',
          data: {
            communityId: world.communityId,
            postId,
            threadId,
            parentId: threadId,
            authorId: world.otherId,
            body: `Try it with a leaf in the sun (${i}).`,
            depth: 1,
          },
        }),
      ],
    });
  }
  // Interleaved as they would arrive: chat and community in turn.
  for (let i = batches.length - 1; i > 0; i--) {
    const j = Math.floor(Math.random() * (i + 1));
    [batches[i], batches[j]] = [batches[j] as SeedBatch, batches[i] as SeedBatch];
  }
  return { phases: [batches], replyIds };
}

/**
 * Encodes (personal fields encrypted under their subjects' keys, as the pipeline does) and appends
 * every batch of every phase, `concurrency` streams at once; the last position written.
 */
export async function appendSeed(
  store: Pick<EventStore, 'append'>,
  codec: Pick<EventCodec, 'encode'>,
  phases: SeedBatch[][],
  concurrency: number,
): Promise<bigint> {
  let head = 0n;
  for (const phase of phases) {
    let next = 0;
    await Promise.all(
      Array.from({ length: Math.min(concurrency, phase.length) }, async () => {
        for (let i = next++; i < phase.length; i = next++) {
          const { stream, communityId, events } = phase[i] as SeedBatch;
          const encoded = await Promise.all(
            events.map(({ definition, event }) =>
              codec.encode(
                definition,
                event,
                { ...benchEventMetadata(), ...(communityId ? { communityId } : {}) },
                randomUUID(),
              ),
            ),
          );
          const { position } = await store.append(stream, encoded);
          if (position > head) head = position;
        }
      }),
    );
  }
  return head;
}
