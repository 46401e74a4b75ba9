/**
 * The histories bench:communities seeds: a community as its owner, members and learners would have
 * written it, as the events the write side stores (community, memberships, a published path of
 * published modules with approved checkpoints, attempts and module completions, replies marked
 * helpful and posts removed by a moderator), so the projector builds the read models production
 * would hold. Deterministic for a seed number, so two runs of one size seed the same shape.
 */
import { randomUUID } from 'node:crypto';
import type { EventCodec } from '../../src/commands/event-codec.ts';
import { attemptEventCatalogue } from '../../src/domain/communities/attempt-events.ts';
import { checkpointEventCatalogue } from '../../src/domain/communities/checkpoint-events.ts';
import type { CheckpointQuestion } from '../../src/domain/communities/checkpoint-values.ts';
import { serialiseQuestions } from '../../src/domain/communities/checkpoint-values.ts';
import { communityEventCatalogue } from '../../src/domain/communities/community-events.ts';
import { membershipEventCatalogue } from '../../src/domain/communities/membership-events.ts';
import { learningModuleEventCatalogue } from '../../src/domain/communities/module-events.ts';
import { learningPathEventCatalogue } from '../../src/domain/communities/path-events.ts';
import { communityPostEventCatalogue } from '../../src/domain/communities/post-events.ts';
import { progressEventCatalogue } from '../../src/domain/communities/progress-events.ts';
import {
  checkpointAttemptsStream,
  checkpointStream,
  communityMemberStream,
  communityPostStream,
  communityStream,
  learningModuleStream,
  learningPathStream,
  learningProgressStream,
} from '../../src/domain/communities/streams.ts';
import type { DomainEvent } from '../../src/domain/shared/decider.ts';
import type { EventDefinition } from '../../src/domain/shared/event-catalogue.ts';
import type { EventStore } from '../../src/eventstore/port.ts';
import { benchEventMetadata } from './bench-graphql.ts';

/** How big a community is and how busy its members are. */
export interface CommunityShape {
  name: string;
  members: number;
  /** Accounts the bench signs in as, who are the first of `members` (the rest are ids only). */
  knownMembers?: readonly string[];
  paths: number;
  modulesPerPath: number;
  /** Share of members with a reply someone marked helpful (each gets 1–3). */
  helpfulShare: number;
  /** Share of members with a post a moderator removed (a report upheld against them). */
  removedShare: number;
}

interface Seeded {
  definition: EventDefinition;
  event: DomainEvent;
  at: Date;
}

/** The events of one stream, appended together (in order) in one call. */
export interface StreamBatch {
  stream: string;
  communityId: string;
  events: Seeded[];
}

export interface SeededCommunity {
  communityId: string;
  ownerId: string;
  memberIds: string[];
  paths: { pathId: string; moduleIds: string[]; checkpointIds: string[] }[];
  /**
   * Phases appended one after the other (streams within a phase in parallel), so every event
   * follows what it depends on in the log as the write side would have ordered it: the community
   * and its content, then memberships, then what members did.
   */
  phases: StreamBatch[][];
  events: number;
}

const DAY = 86_400_000;

/** A small deterministic generator (mulberry32): the same seed gives the same community. */
export function randomFrom(seed: number) {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

const QUESTIONS: CheckpointQuestion[] = [
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
const PASS_MARK = 60;

const seeded = <Event extends DomainEvent>(
  catalogue: Record<string, EventDefinition>,
  event: Event,
  at: Date,
): Seeded => {
  const definition = catalogue[event.type];
  if (!definition) throw new Error(`no definition for ${event.type}`);
  return { definition, event, at };
};

/**
 * One community's history: created by `ownerId` some years back, `members` joining over the two
 * years since, a path per `paths` whose members complete a random prefix of its modules (each
 * passed checkpoint after one or two attempts, the first failing a third of the time), and the
 * discussion activity trust counts.
 */
export function communityHistory(ownerId: string, shape: CommunityShape, seed: number): SeededCommunity {
  const random = randomFrom(seed);
  const now = Date.now();
  const created = new Date(now - 800 * DAY);
  const communityId = randomUUID();
  const batch = (stream: string, events: Seeded[]): StreamBatch => ({ stream, communityId, events });
  const content: StreamBatch[] = [];
  const published: StreamBatch[] = [];
  const memberships: StreamBatch[] = [];
  const activity: StreamBatch[] = [];

  content.push(
    batch(communityStream(communityId), [
      seeded(
        communityEventCatalogue,
        {
          type: 'CommunityCreated',
          data: {
            communityId,
            name: shape.name,
            description: `${shape.name}: a benchmark community`,
            language: 'en',
            region: 'Nairobi',
            visibility: 'public',
            rules: 'Be kind. Cite your sources.',
            minTrustToStartThreads: 0,
            minTrustToPostLinks: 0,
            createdBy: ownerId,
          },
        },
        created,
      ),
    ]),
  );
  memberships.push(
    batch(communityMemberStream(communityId, ownerId), [
      seeded(
        membershipEventCatalogue,
        {
          type: 'CommunityMemberJoined',
          data: { communityId, userId: ownerId, role: 'owner', via: 'creation', approvedBy: null },
        },
        created,
      ),
    ]),
  );

  const contentAt = new Date(created.getTime() + DAY);
  const paths: SeededCommunity['paths'] = [];
  for (let p = 0; p < shape.paths; p++) {
    const pathId = randomUUID();
    const moduleIds: string[] = [];
    const checkpointIds: string[] = [];
    for (let m = 0; m < shape.modulesPerPath; m++) {
      const moduleId = randomUUID();
      const checkpointId = randomUUID();
      moduleIds.push(moduleId);
      checkpointIds.push(checkpointId);
      const ids = { communityId, pathId, moduleId };
      content.push(
        batch(learningModuleStream(moduleId), [
          seeded(
            learningModuleEventCatalogue,
            {
              type: 'LearningModuleDrafted',
              data: {
                ...ids,
                version: 1,
                title: `Module ${m + 1}`,
                body: `Plants turn light into sugar. Module ${m + 1} of path ${p + 1}.`,
                mediaAssetIds: [],
                editedBy: ownerId,
              },
            },
            contentAt,
          ),
          seeded(
            learningModuleEventCatalogue,
            { type: 'LearningModulePublished', data: { ...ids, version: 1, publishedBy: ownerId } },
            contentAt,
          ),
        ]),
        batch(checkpointStream(checkpointId), [
          seeded(
            checkpointEventCatalogue,
            {
              type: 'CheckpointDrafted',
              data: {
                ...ids,
                checkpointId,
                version: 1,
                questions: serialiseQuestions(QUESTIONS),
                passMark: PASS_MARK,
                maxAttempts: 5,
                cooldownSeconds: 60,
                source: 'mentor',
                generator: null,
                draftedBy: ownerId,
              },
            },
            contentAt,
          ),
          seeded(
            checkpointEventCatalogue,
            {
              type: 'CheckpointApproved',
              data: { communityId, checkpointId, version: 1, approvedBy: ownerId },
            },
            contentAt,
          ),
        ]),
      );
    }
    content.push(
      batch(learningPathStream(pathId), [
        seeded(
          learningPathEventCatalogue,
          {
            type: 'LearningPathCreated',
            data: {
              communityId,
              pathId,
              title: `Path ${p + 1}`,
              description: 'Photosynthesis',
              createdBy: ownerId,
            },
          },
          contentAt,
        ),
        seeded(
          learningPathEventCatalogue,
          {
            type: 'LearningPathModulesOrdered',
            data: { communityId, pathId, moduleIds, orderedBy: ownerId },
          },
          contentAt,
        ),
      ]),
    );
    // Published once every module is: after them in the log, as the path decider requires.
    published.push(
      batch(learningPathStream(pathId), [
        seeded(
          learningPathEventCatalogue,
          {
            type: 'LearningPathPublished',
            data: { communityId, pathId, version: 1, moduleIds, publishedBy: ownerId },
          },
          contentAt,
        ),
      ]),
    );
    paths.push({ pathId, moduleIds, checkpointIds });
  }

  // One thread per 50 replies, opened by the owner; replies hang under it.
  const threads: string[] = [];
  const threadFor = (n: number) => {
    const index = Math.floor(n / 50);
    while (threads.length <= index) {
      const postId = randomUUID();
      threads.push(postId);
      content.push(
        batch(communityPostStream(postId), [
          seeded(
            communityPostEventCatalogue,
            {
              type: 'CommunityThreadStarted',
              data: {
                communityId,
                postId,
                authorId: ownerId,
                title: `Questions, week ${index + 1}`,
                body: 'Ask here.',
              },
            },
            contentAt,
          ),
        ]),
      );
    }
    return threads[index] as string;
  };
  let replies = 0;

  const memberIds: string[] = [];
  for (let i = 0; i < shape.members; i++) {
    const userId = shape.knownMembers?.[i] ?? randomUUID();
    memberIds.push(userId);
    const joined = new Date(contentAt.getTime() + DAY + Math.floor(random() * 730 * DAY));
    memberships.push(
      batch(communityMemberStream(communityId, userId), [
        seeded(
          membershipEventCatalogue,
          {
            type: 'CommunityMemberJoined',
            data: { communityId, userId, role: 'member', via: 'open', approvedBy: null },
          },
          joined,
        ),
      ]),
    );
    // Activity happens between joining and now, one step a few hours after the previous.
    let at = joined.getTime();
    const step = () => {
      at = Math.min(now - 60_000, at + Math.floor((1 + random() * 47) * 3_600_000));
      return new Date(at);
    };
    for (const path of paths) {
      const done = Math.floor(random() * (path.moduleIds.length + 1));
      const completions: Seeded[] = [];
      for (let m = 0; m < done; m++) {
        const moduleId = path.moduleIds[m] as string;
        const checkpointId = path.checkpointIds[m] as string;
        const attempts: Seeded[] = [];
        const tries = random() < 1 / 3 ? 2 : 1;
        for (let attemptNumber = 1; attemptNumber <= tries; attemptNumber++) {
          const when = step();
          const passed = attemptNumber === tries;
          attempts.push(
            seeded(
              attemptEventCatalogue,
              {
                type: 'CheckpointAttemptSubmitted',
                data: {
                  communityId,
                  pathId: path.pathId,
                  moduleId,
                  checkpointId,
                  checkpointVersion: 1,
                  userId,
                  attemptId: randomUUID(),
                  attemptNumber,
                  answers: JSON.stringify([
                    { questionId: 'q1', choices: ['a'] },
                    { questionId: 'q2', text: passed ? 'Chlorophyll' : 'carotene' },
                  ]),
                  clientTime: when.toISOString(),
                  submittedAt: when.toISOString(),
                  score: passed ? 2 : 1,
                  maxScore: 2,
                  passMark: PASS_MARK,
                  passed,
                  feedback: [
                    { questionId: 'q1', points: 1, maxPoints: 1, outcome: 'correct' },
                    {
                      questionId: 'q2',
                      points: passed ? 1 : 0,
                      maxPoints: 1,
                      outcome: passed ? 'correct' : 'incorrect',
                    },
                  ],
                },
              },
              when,
            ),
          );
        }
        activity.push(batch(checkpointAttemptsStream(checkpointId, userId), attempts));
        const when = step();
        completions.push(
          seeded(
            progressEventCatalogue,
            {
              type: 'LearningModuleCompleted',
              data: { communityId, pathId: path.pathId, moduleId, userId, clientTime: when.toISOString() },
            },
            when,
          ),
        );
      }
      if (completions.length > 0)
        activity.push(batch(learningProgressStream(path.pathId, userId), completions));
    }
    const reply = (after: (post: { postId: string; threadId: string }) => Seeded[]) => {
      const postId = randomUUID();
      const threadId = threadFor(replies++);
      const when = step();
      activity.push(
        batch(communityPostStream(postId), [
          seeded(
            communityPostEventCatalogue,
            {
              type: 'CommunityReplyPosted',
              data: {
                communityId,
                postId,
                threadId,
                parentId: threadId,
                authorId: userId,
                body: 'Try it with a leaf in the sun.',
                depth: 1,
              },
            },
            when,
          ),
          ...after({ postId, threadId }),
        ]),
      );
    };
    if (random() < shape.helpfulShare) {
      const helpful = 1 + Math.floor(random() * 3);
      for (let h = 0; h < helpful; h++) {
        reply(({ postId, threadId }) => [
          seeded(
            communityPostEventCatalogue,
            {
              type: 'CommunityPostMarkedHelpful',
              data: { communityId, postId, threadId, authorId: userId, markedBy: ownerId },
            },
            step(),
          ),
        ]);
      }
    }
    if (random() < shape.removedShare) {
      reply(({ postId, threadId }) => [
        seeded(
          communityPostEventCatalogue,
          {
            type: 'CommunityPostRemoved',
            data: {
              communityId,
              postId,
              threadId,
              authorId: userId,
              removedBy: ownerId,
              reason: 'Off topic',
            },
          },
          step(),
        ),
      ]);
    }
  }

  const phases = [content, published, memberships, activity];
  const events = phases.flat().reduce((sum, b) => sum + b.events.length, 0);
  return { communityId, ownerId, memberIds, paths, phases, events };
}

/**
 * Encodes (personal fields encrypted under their subjects' keys, as the pipeline does) and
 * appends every batch of every phase, `concurrency` streams at once; the last position written.
 */
export async function appendHistory(
  store: Pick<EventStore, 'append'>,
  codec: Pick<EventCodec, 'encode'>,
  phases: StreamBatch[][],
  concurrency: number,
): Promise<bigint> {
  let head = 0n;
  for (const phase of phases) {
    let next = 0;
    await Promise.all(
      Array.from({ length: Math.min(concurrency, phase.length) }, async () => {
        for (let i = next++; i < phase.length; i = next++) {
          const { stream, communityId, events } = phase[i] as StreamBatch;
          const encoded = await Promise.all(
            events.map(({ definition, event, at }) =>
              // The community in the metadata, as the pipeline writes it for community-owned aggregates.
              codec.encode(definition, event, { ...benchEventMetadata(at), communityId }, randomUUID()),
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
