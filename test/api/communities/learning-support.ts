import { fieldOf, type IdentityApp } from '../support/identity-app.ts';
import type { TestUser } from '../support/identity-operations.ts';

/** The learning GraphQL operations, in one place (progress and attempt tests import them too). */
export const PATH_FIELDS = 'id communityId title description createdBy publishedVersion isPublished';
export const MODULE_FIELDS = `id pathId communityId version title body editedBy publishedVersion latestVersion textMode
  media { assetId kind status url thumbnailUrl }`;
export const QUESTION_FIELDS = 'id type prompt points options { id text correct } acceptedAnswers guidance';
export const CHECKPOINT_FIELDS = `id moduleId pathId communityId version approvedVersion latestVersion approved passMark
  maxAttempts cooldownSeconds source generator { provider model label } draftedBy approvedBy totalPoints
  questions { ${QUESTION_FIELDS} }`;

export const CREATE_PATH = `mutation ($input: CreateLearningPathInput!) { createLearningPath(input: $input) { ${PATH_FIELDS} } }`;
export const UPDATE_PATH = `mutation ($input: UpdateLearningPathInput!) { updateLearningPath(input: $input) { ${PATH_FIELDS} } }`;
export const ORDER_MODULES = `mutation ($pathId: ID!, $moduleIds: [ID!]!) {
  orderLearningPathModules(pathId: $pathId, moduleIds: $moduleIds) { ${PATH_FIELDS} modules { id } } }`;
export const PUBLISH_PATH = `mutation ($pathId: ID!) { publishLearningPath(pathId: $pathId) { ${PATH_FIELDS} } }`;
export const DRAFT_MODULE = `mutation ($input: DraftLearningModuleInput!) { draftLearningModule(input: $input) { ${MODULE_FIELDS} } }`;
export const REVISE_MODULE = `mutation ($input: ReviseLearningModuleInput!) { reviseLearningModule(input: $input) { ${MODULE_FIELDS} } }`;
export const PUBLISH_MODULE = `mutation ($moduleId: ID!, $version: Int!) {
  publishLearningModule(moduleId: $moduleId, version: $version) { ${MODULE_FIELDS} } }`;
export const DRAFT_CHECKPOINT = `mutation ($input: DraftCheckpointInput!) { draftCheckpoint(input: $input) { ${CHECKPOINT_FIELDS} } }`;
export const REVISE_CHECKPOINT = `mutation ($input: ReviseCheckpointInput!) { reviseCheckpoint(input: $input) { ${CHECKPOINT_FIELDS} } }`;
export const GENERATE_CHECKPOINT = `mutation ($moduleId: ID!, $count: Int, $key: String) {
  generateCheckpoint(moduleId: $moduleId, questionCount: $count, idempotencyKey: $key) { ${CHECKPOINT_FIELDS} } }`;
export const APPROVE_CHECKPOINT = `mutation ($checkpointId: ID!, $version: Int!) {
  approveCheckpoint(checkpointId: $checkpointId, version: $version) { ${CHECKPOINT_FIELDS} } }`;
export const LEARNING_PATH = `query ($id: ID!, $textMode: Boolean) { learningPath(id: $id, textMode: $textMode) {
  ${PATH_FIELDS} modules { ${MODULE_FIELDS} } } }`;
export const LEARNING_MODULE = `query ($id: ID!, $version: Int, $textMode: Boolean) {
  learningModule(id: $id, version: $version, textMode: $textMode) { ${MODULE_FIELDS} checkpoints { id version } } }`;
export const MODULE_VERSIONS = `query ($id: ID!, $first: Int, $after: String) { learningModule(id: $id) {
  versions(first: $first, after: $after) { nodes { version title editedBy editedAt published changes }
  pageInfo { hasNextPage endCursor } } } }`;
export const CHECKPOINT = `query ($id: ID!, $version: Int) { checkpoint(id: $id, version: $version) { ${CHECKPOINT_FIELDS} } }`;
export const COMMUNITY_PATHS = `query ($id: ID!, $first: Int, $after: String) { community(id: $id) {
  learningPaths(first: $first, after: $after) { nodes { id title isPublished } pageInfo { hasNextPage endCursor } } } }`;

export interface PathView {
  id: string;
  communityId: string;
  title: string;
  description: string | null;
  createdBy: string;
  publishedVersion: number;
  isPublished: boolean;
  modules?: ModuleView[];
}
export interface ModuleView {
  id: string;
  pathId: string;
  version: number;
  title: string;
  body: string | null;
  editedBy: string;
  publishedVersion: number | null;
  latestVersion: number | null;
  textMode: boolean;
  media: { assetId: string; kind: string; status: string; url: string | null; thumbnailUrl: string | null }[];
  checkpoints?: { id: string; version: number }[];
}
export interface QuestionView {
  id: string;
  type: string;
  prompt: string;
  points: number;
  options: { id: string; text: string; correct: boolean | null }[] | null;
  acceptedAnswers: string[] | null;
  guidance: string | null;
}
export interface CheckpointView {
  id: string;
  moduleId: string;
  version: number;
  approvedVersion: number | null;
  latestVersion: number | null;
  approved: boolean;
  passMark: number;
  source: 'MENTOR' | 'GENERATED';
  generator: { provider: string; model: string; label: string } | null;
  draftedBy: string;
  approvedBy: string | null;
  totalPoints: number;
  questions: QuestionView[];
}

/** A valid checkpoint's questions, one of each type. */
export const SAMPLE_QUESTIONS = [
  {
    id: 'q1',
    type: 'SINGLE_CHOICE',
    prompt: 'What do leaves capture?',
    options: [
      { id: 'a', text: 'Sunlight', correct: true },
      { id: 'b', text: 'Sound', correct: false },
    ],
  },
  {
    id: 'q2',
    type: 'MULTIPLE_CHOICE',
    prompt: 'What does photosynthesis use?',
    points: 2,
    options: [
      { id: 'a', text: 'Water', correct: true },
      { id: 'b', text: 'Carbon dioxide', correct: true },
      { id: 'c', text: 'Salt', correct: false },
    ],
  },
  { id: 'q3', type: 'SHORT_ANSWER', prompt: 'Name the green pigment.', acceptedAnswers: ['chlorophyll'] },
  {
    id: 'q4',
    type: 'REFLECTION',
    prompt: 'Where do you see this at home?',
    points: 3,
    guidance: 'A concrete place.',
  },
];

/** A path with one module, both published by `publisher`: what a learner can take. */
export async function publishedModule(api: IdentityApp, publisher: TestUser, communityId: string) {
  const path = fieldOf<PathView>(
    await api.gql(CREATE_PATH, { input: { communityId, title: 'Plants' } }, publisher.accessToken),
    'createLearningPath',
  );
  const module = fieldOf<ModuleView>(
    await api.gql(
      DRAFT_MODULE,
      { input: { pathId: path.id, title: 'Light', body: 'Plants make sugar from light in their leaves.' } },
      publisher.accessToken,
    ),
    'draftLearningModule',
  );
  fieldOf(
    await api.gql(PUBLISH_MODULE, { moduleId: module.id, version: 1 }, publisher.accessToken),
    'publishLearningModule',
  );
  fieldOf(await api.gql(PUBLISH_PATH, { pathId: path.id }, publisher.accessToken), 'publishLearningPath');
  return { pathId: path.id, moduleId: module.id };
}

/** An approved checkpoint of SAMPLE_QUESTIONS on a published module. */
export async function approvedCheckpoint(api: IdentityApp, publisher: TestUser, moduleId: string) {
  const drafted = fieldOf<CheckpointView>(
    await api.gql(
      DRAFT_CHECKPOINT,
      { input: { moduleId, questions: SAMPLE_QUESTIONS, passMark: 60, maxAttempts: 3, cooldownSeconds: 0 } },
      publisher.accessToken,
    ),
    'draftCheckpoint',
  );
  return fieldOf<CheckpointView>(
    await api.gql(APPROVE_CHECKPOINT, { checkpointId: drafted.id, version: 1 }, publisher.accessToken),
    'approveCheckpoint',
  );
}
