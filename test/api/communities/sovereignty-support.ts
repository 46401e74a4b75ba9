import { fieldOf, type IdentityApp } from '../support/identity-app.ts';

/**
 * A community with something of every kind in it, made through the GraphQL API by the people the
 * permissions table lets make it: its owner, a mentor who writes a path with one module and an
 * approved checkpoint, and a learner who opens a thread, is answered, completes the module and
 * attempts the checkpoint. Every text is unique to the scene (`marker`), so a test can look for it.
 */

export interface Person {
  id: string;
  accessToken: string;
}

export interface CommunityScene {
  communityId: string;
  pathId: string;
  moduleId: string;
  checkpointId: string;
  threadId: string;
  replyId: string;
  attemptId: string;
  /** Appears in every text of the scene: description, rules, module, questions, posts, answers. */
  marker: string;
}

export const CREATE_COMMUNITY = `mutation ($input: CreateCommunityInput!) { createCommunity(input: $input) { id } }`;
export const JOIN_COMMUNITY = `mutation ($c: ID!) { joinCommunity(communityId: $c) { id } }`;
export const SET_ROLE = `mutation ($c: ID!, $u: ID!, $r: CommunityRole!) {
  setCommunityRole(communityId: $c, userId: $u, role: $r) { id } }`;
export const CREATE_PATH = `mutation ($input: CreateLearningPathInput!) { createLearningPath(input: $input) { id } }`;
export const DRAFT_MODULE = `mutation ($input: DraftLearningModuleInput!) { draftLearningModule(input: $input) { id version } }`;
export const PUBLISH_MODULE = `mutation ($m: ID!, $v: Int!) { publishLearningModule(moduleId: $m, version: $v) { id } }`;
export const ORDER_MODULES = `mutation ($p: ID!, $m: [ID!]!) { orderLearningPathModules(pathId: $p, moduleIds: $m) { id } }`;
export const PUBLISH_PATH = `mutation ($p: ID!) { publishLearningPath(pathId: $p) { id } }`;
export const DRAFT_CHECKPOINT = `mutation ($input: DraftCheckpointInput!) { draftCheckpoint(input: $input) { id version } }`;
export const APPROVE_CHECKPOINT = `mutation ($c: ID!, $v: Int!) { approveCheckpoint(checkpointId: $c, version: $v) { id } }`;
export const START_THREAD = `mutation ($c: ID!, $t: String!, $b: String!) {
  startCommunityThread(communityId: $c, title: $t, body: $b) { id } }`;
export const REPLY = `mutation ($p: ID!, $b: String!) { replyInCommunity(parentId: $p, body: $b) { id } }`;
export const COMPLETE_MODULE = `mutation ($m: ID!, $t: String!) { completeLearningModule(moduleId: $m, clientTime: $t) { modulesDone } }`;
export const SUBMIT_ATTEMPT = `mutation ($c: ID!, $a: [CheckpointAnswerInput!]!, $t: String!) {
  submitCheckpointAttempt(checkpointId: $c, answers: $a, clientTime: $t) { id score passed } }`;
export const ERASE_COMMUNITY = `mutation ($c: ID!, $r: String!) {
  eraseCommunity(communityId: $c, reason: $r) { communityId erasedBy reason erasedAt position people keysDestroyedNow alreadyErased } }`;

/** One single-choice question (option `a` right) and a reflection a mentor grades. */
export const questionsOf = (marker: string) => [
  {
    id: 'q1',
    type: 'SINGLE_CHOICE',
    prompt: `Which grain is oat milk made from (${marker})?`,
    options: [
      { id: 'a', text: 'Oats', correct: true },
      { id: 'b', text: 'Rice', correct: false },
    ],
  },
  { id: 'q2', type: 'REFLECTION', prompt: `What surprised you (${marker})?`, points: 2 },
];

export const answersOf = (marker: string) => [
  { questionId: 'q1', choices: ['a'] },
  { questionId: 'q2', text: `The foam, honestly (${marker})` },
];

async function ok<T>(api: IdentityApp, person: Person, query: string, variables: Record<string, unknown>) {
  const field = /\{\s*(\w+)\s*\(/.exec(query.replace(/^mutation[^{]*/, ''))?.[1];
  if (!field) throw new Error(`no field in ${query}`);
  return fieldOf<T>(await api.gql(query, variables, person.accessToken), field);
}

/** A public community owned by `owner`; the others join it. */
export async function communityWith(
  api: IdentityApp,
  owner: Person,
  members: readonly Person[],
  marker: string,
  visibility = 'PUBLIC',
): Promise<string> {
  const { id } = await ok<{ id: string }>(api, owner, CREATE_COMMUNITY, {
    input: {
      name: `Oat club ${marker.slice(0, 8)}`,
      description: `Oat drinks and how to make them (${marker})`,
      language: 'en',
      region: 'EU',
      visibility,
      rules: `Be kind about oats (${marker})`,
    },
  });
  for (const member of members) await ok(api, member, JOIN_COMMUNITY, { c: id });
  return id;
}

export async function communityScene(
  api: IdentityApp,
  people: { owner: Person; mentor: Person; learner: Person },
  marker: string,
): Promise<CommunityScene> {
  const { owner, mentor, learner } = people;
  const communityId = await communityWith(api, owner, [mentor, learner], marker);
  await ok(api, owner, SET_ROLE, { c: communityId, u: mentor.id, r: 'MENTOR' });

  const path = await ok<{ id: string }>(api, mentor, CREATE_PATH, {
    input: { communityId, title: 'Oat milk at home', description: `A path about oats (${marker})` },
  });
  const module = await ok<{ id: string; version: number }>(api, mentor, DRAFT_MODULE, {
    input: { pathId: path.id, title: 'Soaking', body: `Soak the oats for twenty minutes (${marker}).` },
  });
  await ok(api, mentor, PUBLISH_MODULE, { m: module.id, v: module.version });
  await ok(api, mentor, ORDER_MODULES, { p: path.id, m: [module.id] });
  await ok(api, mentor, PUBLISH_PATH, { p: path.id });
  const checkpoint = await ok<{ id: string; version: number }>(api, mentor, DRAFT_CHECKPOINT, {
    input: {
      moduleId: module.id,
      questions: questionsOf(marker),
      passMark: 50,
      maxAttempts: 5,
      cooldownSeconds: 0,
    },
  });
  await ok(api, mentor, APPROVE_CHECKPOINT, { c: checkpoint.id, v: checkpoint.version });

  const thread = await ok<{ id: string }>(api, learner, START_THREAD, {
    c: communityId,
    t: `Too thin? (${marker})`,
    b: `My oat milk is watery (${marker})`,
  });
  const reply = await ok<{ id: string }>(api, mentor, REPLY, {
    p: thread.id,
    b: `Use less water (${marker})`,
  });
  const clientTime = new Date().toISOString();
  await ok(api, learner, COMPLETE_MODULE, { m: module.id, t: clientTime });
  const attempt = await ok<{ id: string }>(api, learner, SUBMIT_ATTEMPT, {
    c: checkpoint.id,
    a: answersOf(marker),
    t: clientTime,
  });
  return {
    communityId,
    pathId: path.id,
    moduleId: module.id,
    checkpointId: checkpoint.id,
    threadId: thread.id,
    replyId: reply.id,
    attemptId: attempt.id,
    marker,
  };
}
