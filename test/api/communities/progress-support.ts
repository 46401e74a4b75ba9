import { randomUUID } from 'node:crypto';
import { readStreamOrEmpty } from '../../../src/commands/load-aggregate.ts';
import { checkpointEventCatalogue } from '../../../src/domain/communities/checkpoint-events.ts';
import type { CheckpointQuestion } from '../../../src/domain/communities/checkpoint-values.ts';
import { learningModuleEventCatalogue } from '../../../src/domain/communities/module-events.ts';
import { learningPathEventCatalogue } from '../../../src/domain/communities/path-events.ts';
import {
  checkpointAttemptsStream,
  checkpointStream,
  learningModuleStream,
  learningPathStream,
  learningProgressStream,
} from '../../../src/domain/communities/streams.ts';
import type { DomainEvent } from '../../../src/domain/shared/decider.ts';
import type { EventDefinition } from '../../../src/domain/shared/event-catalogue.ts';
import type { IdentityApp } from '../support/identity-app.ts';

/**
 * Learning content for progress tests, written as events to the streams the learning context
 * owns (a path published with its modules, each with an approved checkpoint): the attempts and
 * progress use cases read them from those streams, as they would from the learning API's writes.
 */
export interface PublishedPath {
  communityId: string;
  pathId: string;
  moduleIds: string[];
  checkpointIds: string[];
}

export const QUESTIONS: CheckpointQuestion[] = [
  {
    id: 'gas',
    type: 'single_choice',
    prompt: 'Which gas do plants take in?',
    points: 2,
    options: [
      { id: 'co2', text: 'Carbon dioxide', correct: true },
      { id: 'he', text: 'Helium', correct: false },
    ],
  },
  {
    id: 'name',
    type: 'short_answer',
    prompt: 'The process?',
    points: 2,
    acceptedAnswers: ['photosynthesis'],
  },
];

export const REFLECTION: CheckpointQuestion = {
  id: 'why',
  type: 'reflection',
  prompt: 'What surprised you?',
  points: 4,
  guidance: 'Look for an observation of their own.',
};

export const RIGHT = [
  { questionId: 'gas', choices: ['co2'] },
  { questionId: 'name', text: 'Photosynthesis.' },
];
export const WRONG = [{ questionId: 'gas', choices: ['he'] }];

export interface CheckpointSpec {
  questions?: CheckpointQuestion[];
  passMark?: number;
  maxAttempts?: number;
  cooldownSeconds?: number;
  /** Leave the checkpoint drafted but not approved. */
  approved?: boolean;
}

/**
 * Appends as the learning context would (its community in the metadata), without waiting for read
 * models: the attempts and progress use cases read content from these streams, not from a read model.
 */
async function appendEvents(
  api: IdentityApp,
  stream: string,
  catalogue: Readonly<Record<string, EventDefinition>>,
  events: DomainEvent[],
): Promise<void> {
  const { store, codec } = api.runtime;
  const commandId = randomUUID();
  const encoded = await Promise.all(
    events.map((event) => {
      const definition = catalogue[event.type];
      if (!definition) throw new Error(`${event.type} is not in the catalogue`);
      const { communityId } = event.data as { communityId: string };
      const metadata = {
        commandId,
        correlationId: commandId,
        causationId: commandId,
        actor: 'system:test',
        occurredAt: new Date().toISOString(),
        communityId,
      };
      return codec.encode(definition, event, metadata, randomUUID());
    }),
  );
  await store.append(stream, encoded);
}

export async function publishedPath(
  api: IdentityApp,
  communityId: string,
  mentorId: string,
  modules = 1,
  spec: CheckpointSpec = {},
): Promise<PublishedPath> {
  const pathId = randomUUID();
  const moduleIds = Array.from({ length: modules }, () => randomUUID());
  const checkpointIds = moduleIds.map(() => randomUUID());
  await appendEvents(api, learningPathStream(pathId), learningPathEventCatalogue, [
    {
      type: 'LearningPathCreated',
      data: { communityId, pathId, title: 'Plants', description: null, createdBy: mentorId },
    },
  ]);
  for (const [index, moduleId] of moduleIds.entries()) {
    await appendEvents(api, learningModuleStream(moduleId), learningModuleEventCatalogue, [
      {
        type: 'LearningModuleDrafted',
        data: {
          communityId,
          pathId,
          moduleId,
          version: 1,
          title: `Leaves ${index + 1}`,
          body: 'Plants take in carbon dioxide.',
          mediaAssetIds: [],
          editedBy: mentorId,
        },
      },
      {
        type: 'LearningModulePublished',
        data: { communityId, pathId, moduleId, version: 1, publishedBy: mentorId },
      },
    ]);
    const checkpointId = checkpointIds[index] as string;
    await appendEvents(api, checkpointStream(checkpointId), checkpointEventCatalogue, [
      {
        type: 'CheckpointDrafted',
        data: {
          communityId,
          pathId,
          moduleId,
          checkpointId,
          version: 1,
          questions: JSON.stringify(spec.questions ?? QUESTIONS),
          passMark: spec.passMark ?? 75,
          maxAttempts: spec.maxAttempts ?? 3,
          cooldownSeconds: spec.cooldownSeconds ?? 0,
          source: 'mentor',
          generator: null,
          draftedBy: mentorId,
        },
      },
      ...(spec.approved === false
        ? []
        : [
            {
              type: 'CheckpointApproved',
              data: { communityId, checkpointId, version: 1, approvedBy: mentorId },
            },
          ]),
    ]);
  }
  await appendEvents(api, learningPathStream(pathId), learningPathEventCatalogue, [
    { type: 'LearningPathModulesOrdered', data: { communityId, pathId, moduleIds, orderedBy: mentorId } },
    {
      type: 'LearningPathPublished',
      data: { communityId, pathId, version: 1, moduleIds, publishedBy: mentorId },
    },
  ]);
  return { communityId, pathId, moduleIds, checkpointIds };
}

export const ATTEMPT_FIELDS = `id communityId pathId moduleId checkpointId userId attemptNumber score maxScore
  passMark passed feedback { questionId points maxPoints outcome } clientTime submittedAt`;
export const SUBMIT = `mutation ($checkpointId: ID!, $answers: [CheckpointAnswerInput!]!, $clientTime: String!, $key: String) {
  submitCheckpointAttempt(checkpointId: $checkpointId, answers: $answers, clientTime: $clientTime, idempotencyKey: $key) {
    ${ATTEMPT_FIELDS} } }`;
export const GRADE = `mutation ($attemptId: ID!, $grades: [ReflectionGradeInput!]!, $feedback: String) {
  gradeCheckpointReflection(attemptId: $attemptId, grades: $grades, feedback: $feedback) { ${ATTEMPT_FIELDS} } }`;
export const PROGRESS_FIELDS = `communityId pathId userId modulesDone completedModuleIds checkpointsPassed attempts
  currentStreakDays longestStreakDays lastActiveDay checkpoints { checkpointId attempts bestScore maxScore passed passedAt }`;
export const COMPLETE = `mutation ($moduleId: ID!, $clientTime: String!) {
  completeLearningModule(moduleId: $moduleId, clientTime: $clientTime) { ${PROGRESS_FIELDS} } }`;
export const LEARNER_PROGRESS = `query ($communityId: ID!, $userId: ID!, $pathId: ID!) {
  learnerProgress(communityId: $communityId, userId: $userId, pathId: $pathId) { ${PROGRESS_FIELDS} } }`;
export const TRUST_FIELDS = 'score at components { name weight value count points }';
export const MEMBER_TRUST = `query ($communityId: ID!, $userId: ID!) {
  memberTrust(communityId: $communityId, userId: $userId) { ${TRUST_FIELDS} } }`;

export interface AttemptView {
  id: string;
  attemptNumber: number;
  score: number;
  maxScore: number;
  passed: boolean | null;
  feedback: { questionId: string; points: number; maxPoints: number; outcome: string }[];
  clientTime: string;
  submittedAt: string;
}

export interface ProgressView {
  modulesDone: number;
  completedModuleIds: string[];
  checkpointsPassed: number;
  attempts: number;
  currentStreakDays: number;
  longestStreakDays: number;
  lastActiveDay: string | null;
  checkpoints: { checkpointId: string; attempts: number; passed: boolean }[];
}

export interface TrustView {
  score: number;
  at: string;
  components: { name: string; weight: number; value: number; count: number; points: number }[];
}

/** Events in a learner's attempts stream: refusals must store nothing. */
export const attemptEvents = async (api: IdentityApp, checkpointId: string, userId: string) =>
  (await readStreamOrEmpty(api.runtime.store, checkpointAttemptsStream(checkpointId, userId))).length;

export const progressEvents = async (api: IdentityApp, pathId: string, userId: string) =>
  readStreamOrEmpty(api.runtime.store, learningProgressStream(pathId, userId));

/** A minute before now, `days` days ago, on the clock of a device in UTC−5, as it would send it. */
export function daysAgo(days: number): string {
  const instant = Date.now() - days * 86_400_000 - 60_000;
  return `${new Date(instant - 5 * 3_600_000).toISOString().slice(0, 19)}-05:00`;
}
