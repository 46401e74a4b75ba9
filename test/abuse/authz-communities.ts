import { randomUUID } from 'node:crypto';
import { answersOf, questionsOf } from '../api/communities/sovereignty-support.ts';
import { freshEmail, registerUser, signIn } from '../api/support/identity-operations.ts';
import type { AuthzFixture, RoleName } from './authz-fixture.ts';
import type { Call, Cell, MatrixRow } from './authz-matrix.ts';

/**
 * The communities context's rows of the authorisation matrix. Community roles come from the
 * community, never from the platform (a platform moderator or admin is a stranger to it), so the
 * fixture's communities give the matrix's people community roles:
 * - the `user` actor owns them;
 * - the `approver` is a community moderator;
 * - the `creator` is a mentor (so their `graphql:write` key acts as a mentor);
 * - the `brandEditor` is a plain member;
 * - everyone else (the platform moderator, admin, auditor, other keys) is not a member.
 * They are request-to-join, so a stranger learns they exist (FORBIDDEN NOT_A_MEMBER, not NOT_FOUND).
 */

const OWNER: readonly RoleName[] = ['user'];
const MODERATORS: readonly RoleName[] = ['user', 'approver'];
const MENTORS: readonly RoleName[] = ['user', 'approver', 'creator', 'key:graphql:write'];
const MEMBERS: readonly RoleName[] = [...MENTORS, 'brandEditor'];
const PEOPLE: readonly RoleName[] = [
  'user',
  'creator',
  'brandEditor',
  'approver',
  'moderator',
  'admin',
  'auditor',
  'key:graphql:write',
];
/** Whatever only members may know of is NOT_FOUND to someone who cannot see it. */
const CONCEALED = [
  'NOT_FOUND/COMMUNITY_NOT_FOUND',
  'NOT_FOUND/POST_NOT_FOUND',
  'NOT_FOUND/THREAD_NOT_FOUND',
  'NOT_FOUND/PATH_NOT_FOUND',
  'NOT_FOUND/MODULE_NOT_FOUND',
  'NOT_FOUND/CHECKPOINT_NOT_FOUND',
  'NOT_FOUND/ATTEMPT_NOT_FOUND',
] as const;

const vars = (variables: Record<string, unknown>): Call => ({ variables });

function propFor<T>(fx: AuthzFixture, cell: Cell, name: string, make: () => Promise<T>): Promise<T> {
  return cell.expected === 'allow' ? make() : fx.shared(name, make);
}

interface Signed {
  id: string;
  token: string;
}

/** A signed-in person none of the actors is (a requester, an invitee, a member to ban). */
async function signedInStranger(fx: AuthzFixture): Promise<Signed> {
  const { id, email } = await registerUser(fx.api, freshEmail(), 'Matrix community stranger');
  return { id, token: (await signIn(fx.api, email)).accessToken };
}

async function gql<T>(fx: AuthzFixture, token: string, field: string, query: string, variables = {}) {
  return fx.gqlOk<T>(query, variables, token, field);
}

/** Invites `person` (as the owner) and accepts as them, then gives them `role`. */
async function seat(fx: AuthzFixture, communityId: string, person: Signed, role?: 'MODERATOR' | 'MENTOR') {
  const owner = fx.people.user.token;
  await gql(fx, owner, 'inviteToCommunity', INVITE, { c: communityId, u: person.id });
  await gql(fx, person.token, 'acceptCommunityInvitation', ACCEPT, { c: communityId });
  if (role) await gql(fx, owner, 'setCommunityRole', SET_ROLE, { c: communityId, u: person.id, r: role });
}

/** A request-to-join community of the `user`'s with the cast seated (see the file's comment). */
async function community(fx: AuthzFixture): Promise<string> {
  const { people } = fx;
  const created = await gql<{ id: string }>(fx, people.user.token, 'createCommunity', CREATE, {
    input: {
      name: `Matrix ${randomUUID().slice(0, 8)}`,
      description: 'Matrix community',
      language: 'en',
      region: 'EU',
      visibility: 'REQUEST_TO_JOIN',
    },
  });
  const as = (p: { id: string; token: string }) => ({ id: p.id, token: p.token });
  await seat(fx, created.id, as(people.approver), 'MODERATOR');
  await seat(fx, created.id, as(people.creator), 'MENTOR');
  await seat(fx, created.id, as(people.editor));
  return created.id;
}

/** A community of a stranger's, who invites `invitee` to it: nobody else has a record there. */
async function invitationFor(fx: AuthzFixture, invitee: { id: string }): Promise<string> {
  const keeper = await signedInStranger(fx);
  const created = await gql<{ id: string }>(fx, keeper.token, 'createCommunity', CREATE, {
    input: {
      name: `Matrix ${randomUUID().slice(0, 8)}`,
      language: 'en',
      region: 'EU',
      visibility: 'REQUEST_TO_JOIN',
    },
  });
  await gql(fx, keeper.token, 'inviteToCommunity', INVITE, { c: created.id, u: invitee.id });
  return created.id;
}

const main = (fx: AuthzFixture) => fx.shared('community', () => community(fx));

/** A member who is none of the actors: a target to ban, the author of a reply to mark helpful. */
async function newcomer(fx: AuthzFixture): Promise<Signed> {
  const person = await signedInStranger(fx);
  await seat(fx, await main(fx), person);
  return person;
}

async function thread(fx: AuthzFixture, token = fx.people.editor.token): Promise<string> {
  const started = await gql<{ id: string }>(fx, token, 'startCommunityThread', THREAD, {
    c: await main(fx),
    t: 'Matrix thread',
    b: 'Matrix body',
  });
  return started.id;
}

/** A reply by a newcomer in the brand editor's thread: the editor may mark it, as the thread's author. */
async function newcomerReply(fx: AuthzFixture): Promise<string> {
  const parent = await fx.shared('community-thread', () => thread(fx));
  const author = await fx.shared('community-newcomer', () => newcomer(fx));
  const reply = await gql<{ id: string }>(fx, author.token, 'replyInCommunity', REPLY, {
    p: parent,
    b: 'Matrix reply',
  });
  return reply.id;
}

const mentor = (fx: AuthzFixture) => fx.people.creator.token;

async function path(fx: AuthzFixture): Promise<string> {
  const created = await gql<{ id: string }>(fx, mentor(fx), 'createLearningPath', CREATE_PATH, {
    input: { communityId: await main(fx), title: 'Matrix path' },
  });
  return created.id;
}

async function draftModule(fx: AuthzFixture, pathId?: string): Promise<{ id: string; version: number }> {
  return gql(fx, mentor(fx), 'draftLearningModule', DRAFT_MODULE, {
    input: {
      pathId: pathId ?? (await fx.shared('community-path', () => path(fx))),
      title: 'Matrix',
      body: 'Oats.',
    },
  });
}

/** A path with one published module, published itself: learners see it. */
async function publishedModule(fx: AuthzFixture): Promise<{ pathId: string; moduleId: string }> {
  const pathId = await path(fx);
  const module = await draftModule(fx, pathId);
  await gql(fx, mentor(fx), 'publishLearningModule', PUBLISH_MODULE, { m: module.id, v: module.version });
  await gql(fx, mentor(fx), 'orderLearningPathModules', ORDER, { p: pathId, m: [module.id] });
  await gql(fx, mentor(fx), 'publishLearningPath', PUBLISH_PATH, { p: pathId });
  return { pathId, moduleId: module.id };
}

async function draftCheckpoint(fx: AuthzFixture, moduleId: string): Promise<{ id: string; version: number }> {
  return gql(fx, mentor(fx), 'draftCheckpoint', DRAFT_CHECKPOINT, {
    input: { moduleId, questions: questionsOf('matrix'), passMark: 50, maxAttempts: 20, cooldownSeconds: 0 },
  });
}

/** An approved checkpoint (a single choice and a reflection) of a published module. */
async function approvedCheckpoint(fx: AuthzFixture): Promise<string> {
  const { moduleId } = await fx.shared('community-published', () => publishedModule(fx));
  const checkpoint = await draftCheckpoint(fx, moduleId);
  await gql(fx, mentor(fx), 'approveCheckpoint', APPROVE, { c: checkpoint.id, v: checkpoint.version });
  return checkpoint.id;
}

/**
 * The brand editor's attempt, its reflection waiting for a mentor: at a checkpoint of its own, as
 * a learner with an ungraded attempt may not try that checkpoint again.
 */
async function pendingAttempt(fx: AuthzFixture): Promise<string> {
  const checkpointId = await approvedCheckpoint(fx);
  const attempt = await gql<{ id: string }>(fx, fx.people.editor.token, 'submitCheckpointAttempt', ATTEMPT, {
    c: checkpointId,
    a: answersOf('matrix'),
    t: new Date().toISOString(),
  });
  return attempt.id;
}

const CREATE = `mutation ($input: CreateCommunityInput!) { createCommunity(input: $input) { id } }`;
const INVITE = `mutation ($c: ID!, $u: ID!) { inviteToCommunity(communityId: $c, userId: $u) { id } }`;
const ACCEPT = `mutation ($c: ID!) { acceptCommunityInvitation(communityId: $c) { id } }`;
const SET_ROLE = `mutation ($c: ID!, $u: ID!, $r: CommunityRole!) { setCommunityRole(communityId: $c, userId: $u, role: $r) { id } }`;
const THREAD = `mutation ($c: ID!, $t: String!, $b: String!) { startCommunityThread(communityId: $c, title: $t, body: $b) { id } }`;
const REPLY = `mutation ($p: ID!, $b: String!) { replyInCommunity(parentId: $p, body: $b) { id } }`;
const CREATE_PATH = `mutation ($input: CreateLearningPathInput!) { createLearningPath(input: $input) { id } }`;
const DRAFT_MODULE = `mutation ($input: DraftLearningModuleInput!) { draftLearningModule(input: $input) { id version } }`;
const PUBLISH_MODULE = `mutation ($m: ID!, $v: Int!) { publishLearningModule(moduleId: $m, version: $v) { id } }`;
const ORDER = `mutation ($p: ID!, $m: [ID!]!) { orderLearningPathModules(pathId: $p, moduleIds: $m) { id } }`;
const PUBLISH_PATH = `mutation ($p: ID!) { publishLearningPath(pathId: $p) { id } }`;
const DRAFT_CHECKPOINT = `mutation ($input: DraftCheckpointInput!) { draftCheckpoint(input: $input) { id version } }`;
const APPROVE = `mutation ($c: ID!, $v: Int!) { approveCheckpoint(checkpointId: $c, version: $v) { id } }`;
const ATTEMPT = `mutation ($c: ID!, $a: [CheckpointAnswerInput!]!, $t: String!) { submitCheckpointAttempt(checkpointId: $c, answers: $a, clientTime: $t) { id } }`;

/** A row whose only argument is the community (and what `extra` adds). */
const inCommunity = (fx: AuthzFixture, extra: Record<string, unknown> = {}) =>
  main(fx).then((c) => vars({ c, ...extra }));

export const COMMUNITY_ROWS: readonly MatrixRow[] = [
  // ---- communities and membership ----
  {
    mutation: 'createCommunity',
    rule: 'any person, who owns it',
    allowed: PEOPLE,
    document: CREATE,
    call: async () =>
      vars({
        input: {
          name: `Matrix ${randomUUID().slice(0, 8)}`,
          language: 'en',
          region: 'EU',
          visibility: 'PUBLIC',
        },
      }),
  },
  {
    mutation: 'updateCommunitySettings',
    rule: 'the owner (community.edit_settings)',
    allowed: OWNER,
    concealedAs: CONCEALED,
    document: `mutation ($c: ID!) { updateCommunitySettings(communityId: $c, input: { region: "EU" }) { id } }`,
    call: (fx) => inCommunity(fx),
  },
  {
    // Each allowed cell joins a community of its own (joining twice decides nothing anyway).
    mutation: 'joinCommunity',
    rule: 'any person (public: joins; request-to-join: asks)',
    allowed: PEOPLE,
    document: `mutation ($c: ID!) { joinCommunity(communityId: $c) { id } }`,
    call: async (fx, cell) => vars({ c: await propFor(fx, cell, 'community', () => community(fx)) }),
  },
  ...(['approveJoinRequest', 'declineJoinRequest'] as const).map(
    (mutation): MatrixRow => ({
      mutation,
      rule: 'the owner and moderators (community.approve_requests)',
      allowed: MODERATORS,
      concealedAs: CONCEALED,
      document: `mutation ($c: ID!, $u: ID!) { ${mutation}(communityId: $c, userId: $u) { id } }`,
      call: async (fx, cell) => {
        const requester = await propFor(fx, cell, `community-requester-${mutation}`, async () => {
          const person = await signedInStranger(fx);
          await gql(
            fx,
            person.token,
            'joinCommunity',
            `mutation ($c: ID!) { joinCommunity(communityId: $c) { id } }`,
            {
              c: await main(fx),
            },
          );
          return person;
        });
        return inCommunity(fx, { u: requester.id });
      },
    }),
  ),
  {
    mutation: 'inviteToCommunity',
    rule: 'the owner and moderators (community.invite)',
    allowed: MODERATORS,
    concealedAs: CONCEALED,
    document: INVITE,
    call: async (fx, cell) =>
      inCommunity(fx, { u: (await propFor(fx, cell, 'community-invitee', () => fx.stranger())).id }),
  },
  ...(['acceptCommunityInvitation', 'declineCommunityInvitation'] as const).map(
    (mutation): MatrixRow => ({
      // The platform moderator is invited, to a community none of the other actors is in.
      mutation,
      rule: 'the invitee',
      allowed: ['moderator'],
      concealedAs: [...CONCEALED, 'NOT_FOUND/INVITATION_NOT_FOUND'],
      document: `mutation ($c: ID!) { ${mutation}(communityId: $c)${mutation === 'acceptCommunityInvitation' ? ' { id }' : ''} }`,
      call: async (fx, cell) => {
        const c = await propFor(fx, cell, `community-invitation-${mutation}`, () =>
          invitationFor(fx, fx.people.moderator),
        );
        return vars({ c });
      },
    }),
  ),
  {
    // Each allowed cell leaves a community of its own; the owner cannot leave (erase it instead).
    mutation: 'leaveCommunity',
    rule: 'any member but the owner, for themself',
    allowed: ['approver', 'creator', 'key:graphql:write', 'brandEditor'],
    concealedAs: [...CONCEALED, 'CONFLICT/OWNER_CANNOT_LEAVE'],
    document: `mutation ($c: ID!) { leaveCommunity(communityId: $c) }`,
    call: async (fx, cell) => vars({ c: await propFor(fx, cell, 'community', () => community(fx)) }),
  },
  {
    mutation: 'banFromCommunity',
    rule: 'the owner and moderators (community.ban)',
    allowed: MODERATORS,
    concealedAs: CONCEALED,
    document: `mutation ($c: ID!, $u: ID!) { banFromCommunity(communityId: $c, userId: $u, reason: "Matrix") { id } }`,
    call: async (fx, cell) =>
      inCommunity(fx, { u: (await propFor(fx, cell, 'community-bannable', () => newcomer(fx))).id }),
  },
  {
    mutation: 'unbanFromCommunity',
    rule: 'the owner and moderators (community.ban)',
    allowed: MODERATORS,
    concealedAs: CONCEALED,
    document: `mutation ($c: ID!, $u: ID!) { unbanFromCommunity(communityId: $c, userId: $u) { id } }`,
    call: async (fx, cell) => {
      const banned = await propFor(fx, cell, 'community-banned', async () => {
        const person = await newcomer(fx);
        await gql(
          fx,
          fx.people.user.token,
          'banFromCommunity',
          `mutation ($c: ID!, $u: ID!) { banFromCommunity(communityId: $c, userId: $u, reason: "Matrix") { id } }`,
          { c: await main(fx), u: person.id },
        );
        return person;
      });
      return inCommunity(fx, { u: banned.id });
    },
  },
  {
    mutation: 'setCommunityRole',
    rule: 'the owner (community.assign_roles)',
    allowed: OWNER,
    concealedAs: CONCEALED,
    document: `mutation ($c: ID!, $u: ID!) { setCommunityRole(communityId: $c, userId: $u, role: MENTOR) { id } }`,
    call: async (fx) =>
      inCommunity(fx, { u: (await fx.shared('community-newcomer', () => newcomer(fx))).id }),
  },
  {
    // Each allowed cell erases a community of its own.
    mutation: 'eraseCommunity',
    rule: 'the owner (community.erase); platform admins may not',
    allowed: OWNER,
    concealedAs: CONCEALED,
    document: `mutation ($c: ID!) { eraseCommunity(communityId: $c, reason: "Matrix") { communityId } }`,
    call: async (fx, cell) => vars({ c: await propFor(fx, cell, 'community', () => community(fx)) }),
  },

  // ---- discussions ----
  {
    mutation: 'startCommunityThread',
    rule: 'members (discussion.start_thread; trust minimum 0 here)',
    allowed: MEMBERS,
    concealedAs: CONCEALED,
    document: THREAD,
    call: (fx) => inCommunity(fx, { t: 'Matrix thread', b: 'Matrix body' }),
  },
  {
    mutation: 'replyInCommunity',
    rule: 'members (discussion.reply)',
    allowed: MEMBERS,
    concealedAs: CONCEALED,
    document: REPLY,
    call: async (fx) => vars({ p: await fx.shared('community-thread', () => thread(fx)), b: 'Matrix reply' }),
  },
  {
    mutation: 'editCommunityPost',
    rule: "the post's author",
    allowed: ['brandEditor'],
    concealedAs: CONCEALED,
    document: `mutation ($p: ID!) { editCommunityPost(postId: $p, title: "Edited", body: "Edited body") { id } }`,
    call: async (fx) => vars({ p: await fx.shared('community-thread', () => thread(fx)) }),
  },
  {
    mutation: 'deleteCommunityPost',
    rule: "the post's author",
    allowed: ['brandEditor'],
    concealedAs: CONCEALED,
    document: `mutation ($p: ID!) { deleteCommunityPost(postId: $p) { id } }`,
    call: async (fx, cell) =>
      vars({ p: await propFor(fx, cell, 'community-thread-deletable', () => thread(fx)) }),
  },
  {
    mutation: 'removeCommunityPost',
    rule: 'the owner and moderators (discussion.remove_post)',
    allowed: MODERATORS,
    concealedAs: CONCEALED,
    document: `mutation ($p: ID!) { removeCommunityPost(postId: $p, reason: "Off topic") { id } }`,
    call: async (fx, cell) =>
      vars({ p: await propFor(fx, cell, 'community-thread-removable', () => thread(fx)) }),
  },
  ...(['pinCommunityThread', 'unpinCommunityThread'] as const).map(
    (mutation): MatrixRow => ({
      mutation,
      rule: 'the owner and moderators (discussion.pin)',
      allowed: MODERATORS,
      concealedAs: CONCEALED,
      document: `mutation ($t: ID!) { ${mutation}(threadId: $t) { id } }`,
      call: async (fx) => vars({ t: await fx.shared('community-thread', () => thread(fx)) }),
    }),
  ),
  {
    // Once per reply: each allowed cell marks a reply of its own.
    mutation: 'markCommunityPostHelpful',
    rule: "mentors, moderators and the thread's author (never the reply's own author)",
    allowed: [...MENTORS, 'brandEditor'],
    concealedAs: CONCEALED,
    document: `mutation ($p: ID!) { markCommunityPostHelpful(postId: $p) { id } }`,
    call: async (fx, cell) =>
      vars({ p: await propFor(fx, cell, 'community-reply', () => newcomerReply(fx)) }),
  },

  // ---- learning paths, modules and checkpoints (learning.publish: mentors and up) ----
  {
    mutation: 'createLearningPath',
    rule: 'mentors, moderators and the owner (learning.publish)',
    allowed: MENTORS,
    concealedAs: CONCEALED,
    document: CREATE_PATH,
    call: async (fx) => vars({ input: { communityId: await main(fx), title: 'Matrix path' } }),
  },
  {
    mutation: 'updateLearningPath',
    rule: 'mentors, moderators and the owner (learning.publish)',
    allowed: MENTORS,
    concealedAs: CONCEALED,
    document: `mutation ($p: ID!) { updateLearningPath(input: { pathId: $p, title: "Renamed" }) { id } }`,
    call: async (fx) => vars({ p: await fx.shared('community-path', () => path(fx)) }),
  },
  {
    mutation: 'orderLearningPathModules',
    rule: 'mentors, moderators and the owner (learning.publish)',
    allowed: MENTORS,
    concealedAs: CONCEALED,
    document: ORDER,
    call: async (fx) => {
      const { pathId, moduleId } = await fx.shared('community-published', () => publishedModule(fx));
      return vars({ p: pathId, m: [moduleId] });
    },
  },
  {
    mutation: 'publishLearningPath',
    rule: 'mentors, moderators and the owner (learning.publish)',
    allowed: MENTORS,
    concealedAs: CONCEALED,
    document: PUBLISH_PATH,
    call: async (fx) =>
      vars({ p: (await fx.shared('community-published', () => publishedModule(fx))).pathId }),
  },
  {
    mutation: 'draftLearningModule',
    rule: 'mentors, moderators and the owner (learning.publish)',
    allowed: MENTORS,
    concealedAs: CONCEALED,
    document: DRAFT_MODULE,
    call: async (fx) =>
      vars({
        input: { pathId: await fx.shared('community-path', () => path(fx)), title: 'Matrix', body: 'Oats.' },
      }),
  },
  {
    // Revising names the version it starts from: each allowed cell revises a module of its own.
    mutation: 'reviseLearningModule',
    rule: 'mentors, moderators and the owner (learning.publish)',
    allowed: MENTORS,
    concealedAs: CONCEALED,
    document: `mutation ($m: ID!, $v: Int!) { reviseLearningModule(input: { moduleId: $m, baseVersion: $v, title: "Matrix", body: "More oats." }) { id } }`,
    call: async (fx, cell) => {
      const module = await propFor(fx, cell, 'community-module', () => draftModule(fx));
      return vars({ m: module.id, v: module.version });
    },
  },
  {
    mutation: 'publishLearningModule',
    rule: 'mentors, moderators and the owner (learning.publish)',
    allowed: MENTORS,
    concealedAs: CONCEALED,
    document: PUBLISH_MODULE,
    call: async (fx) => {
      const module = await fx.shared('community-module', () => draftModule(fx));
      return vars({ m: module.id, v: module.version });
    },
  },
  {
    mutation: 'draftCheckpoint',
    rule: 'mentors, moderators and the owner (learning.publish)',
    allowed: MENTORS,
    concealedAs: CONCEALED,
    document: DRAFT_CHECKPOINT,
    call: async (fx) => {
      const module = await fx.shared('community-module', () => draftModule(fx));
      return vars({
        input: {
          moduleId: module.id,
          questions: questionsOf('matrix'),
          passMark: 50,
          maxAttempts: 3,
          cooldownSeconds: 0,
        },
      });
    },
  },
  {
    mutation: 'reviseCheckpoint',
    rule: 'mentors, moderators and the owner (learning.publish)',
    allowed: MENTORS,
    concealedAs: CONCEALED,
    document: `mutation ($input: ReviseCheckpointInput!) { reviseCheckpoint(input: $input) { id } }`,
    call: async (fx, cell) => {
      const checkpoint = await propFor(fx, cell, 'community-draft-checkpoint', async () =>
        draftCheckpoint(fx, (await fx.shared('community-module', () => draftModule(fx))).id),
      );
      return vars({
        input: {
          checkpointId: checkpoint.id,
          baseVersion: checkpoint.version,
          questions: questionsOf('matrix, revised'),
          passMark: 60,
          maxAttempts: 3,
          cooldownSeconds: 0,
        },
      });
    },
  },
  {
    mutation: 'generateCheckpoint',
    rule: 'mentors, moderators and the owner (learning.publish); the local provider drafts it',
    allowed: MENTORS,
    concealedAs: CONCEALED,
    document: `mutation ($m: ID!) { generateCheckpoint(moduleId: $m) { id } }`,
    call: async (fx) =>
      vars({ m: (await fx.shared('community-published', () => publishedModule(fx))).moduleId }),
  },
  {
    mutation: 'approveCheckpoint',
    rule: 'mentors, moderators and the owner (learning.publish)',
    allowed: MENTORS,
    concealedAs: CONCEALED,
    document: APPROVE,
    call: async (fx) => {
      const checkpoint = await fx.shared('community-draft-checkpoint', async () =>
        draftCheckpoint(fx, (await fx.shared('community-module', () => draftModule(fx))).id),
      );
      return vars({ c: checkpoint.id, v: checkpoint.version });
    },
  },

  // ---- progress and attempts ----
  {
    mutation: 'completeLearningModule',
    rule: 'members, of a published module (learning.take)',
    allowed: MEMBERS,
    concealedAs: CONCEALED,
    document: `mutation ($m: ID!, $t: String!) { completeLearningModule(moduleId: $m, clientTime: $t) { modulesDone } }`,
    call: async (fx) =>
      vars({
        m: (await fx.shared('community-published', () => publishedModule(fx))).moduleId,
        t: new Date().toISOString(),
      }),
  },
  {
    mutation: 'recordModuleProgress',
    rule: 'members, of a published module (learning.take)',
    allowed: MEMBERS,
    concealedAs: CONCEALED,
    document: `mutation ($m: ID!, $t: String!) {
      recordModuleProgress(input: { moduleId: $m, percent: 50, clientTime: $t }) { percent } }`,
    call: async (fx) =>
      vars({
        m: (await fx.shared('community-published', () => publishedModule(fx))).moduleId,
        t: new Date().toISOString(),
      }),
  },
  {
    mutation: 'submitCheckpointAttempt',
    rule: 'members, of an approved checkpoint they can see (learning.take)',
    allowed: MEMBERS,
    concealedAs: CONCEALED,
    document: ATTEMPT,
    // A checkpoint of its own per allowed cell: the creator and their key are one learner, whose
    // reflection awaits grading after the first attempt.
    call: async (fx, cell) =>
      vars({
        c: await propFor(fx, cell, 'community-checkpoint', () => approvedCheckpoint(fx)),
        a: answersOf('matrix'),
        t: new Date().toISOString(),
      }),
  },
  {
    // Grading is once per attempt: each allowed cell grades an attempt of its own.
    mutation: 'gradeCheckpointReflection',
    rule: 'mentors, moderators and the owner (checkpoint.grade)',
    allowed: MENTORS,
    concealedAs: CONCEALED,
    document: `mutation ($a: ID!) { gradeCheckpointReflection(attemptId: $a, grades: [{ questionId: "q2", points: 2 }], feedback: "Good") { id } }`,
    call: async (fx, cell) =>
      vars({ a: await propFor(fx, cell, 'community-attempt', () => pendingAttempt(fx)) }),
  },
];
