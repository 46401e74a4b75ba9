import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import {
  checkpointAttemptsStream,
  checkpointStream,
  learningModuleStream,
  learningPathStream,
  learningProgressStream,
} from '../../../src/domain/communities/streams.ts';
import { communityReadAccess } from '../../../src/services/communities/read-access.ts';
import { eventsIn } from '../social/graph-support.ts';
import {
  errorCodes,
  fieldOf,
  type GraphQLResponse,
  type IdentityApp,
  startIdentityApp,
} from '../support/identity-app.ts';
import { registerAndSignIn, type TestUser } from '../support/identity-operations.ts';
import { addMember, createCommunity } from './community-support.ts';
import {
  APPROVE_CHECKPOINT,
  approvedCheckpoint,
  DRAFT_CHECKPOINT,
  DRAFT_MODULE,
  GENERATE_CHECKPOINT,
  ORDER_MODULES,
  PUBLISH_MODULE,
  PUBLISH_PATH,
  publishedModule,
  REVISE_CHECKPOINT,
  REVISE_MODULE,
  SAMPLE_QUESTIONS,
  UPDATE_PATH,
} from './learning-support.ts';
import { type AttemptView, COMPLETE, GRADE, SUBMIT } from './progress-support.ts';

/**
 * Who may not see a community is told its learning objects do not exist, exactly as for ids nobody
 * made (so ids cannot be probed), and the Community fields of learning and progress judge from the
 * community they hang off rather than asking the database again.
 */
let api: IdentityApp;
let owner: TestUser;
let mentor: TestUser;
let learner: TestUser;
let outsider: TestUser;
let hidden: {
  communityId: string;
  pathId: string;
  moduleId: string;
  checkpointId: string;
  attemptId: string;
};
let visible: { communityId: string; pathId: string };

beforeAll(async () => {
  api = await startIdentityApp();
  [owner, mentor, learner, outsider] = await Promise.all([
    registerAndSignIn(api, 'Olu Owner'),
    registerAndSignIn(api, 'Mina Mentor'),
    registerAndSignIn(api, 'Lea Learner'),
    registerAndSignIn(api, 'Otto Outsider'),
  ]);
  const communityId = (await createCommunity(api, owner, { visibility: 'INVITE_ONLY' })).id;
  await addMember(api, owner, communityId, mentor, 'MENTOR');
  await addMember(api, owner, communityId, learner);
  const { pathId, moduleId } = await publishedModule(api, mentor, communityId);
  const checkpointId = (await approvedCheckpoint(api, mentor, moduleId)).id;
  const attempt = fieldOf<AttemptView>(
    await api.gql(
      SUBMIT,
      { checkpointId, answers: [{ questionId: 'q1', choices: ['a'] }], clientTime: new Date().toISOString() },
      learner.accessToken,
    ),
    'submitCheckpointAttempt',
  );
  hidden = { communityId, pathId, moduleId, checkpointId, attemptId: attempt.id };
  const publicId = (await createCommunity(api, owner)).id;
  visible = { communityId: publicId, pathId: (await publishedModule(api, owner, publicId)).pathId };
}, 120_000);

afterAll(async () => {
  await api?.close();
});

/** Everything a caller is told (codes, reasons, messages, details) but the request's own id. */
const refusal = (response: GraphQLResponse) =>
  (response.errors ?? []).map(({ message, extensions }) => {
    const { requestId: _, ...told } = extensions ?? {};
    return { message, told };
  });

const QUERIES = {
  learningPath: ['query ($id: ID!) { learningPath(id: $id) { id } }', 'PATH_NOT_FOUND'],
  learningModule: ['query ($id: ID!) { learningModule(id: $id) { id } }', 'MODULE_NOT_FOUND'],
  checkpoint: ['query ($id: ID!) { checkpoint(id: $id) { id } }', 'CHECKPOINT_NOT_FOUND'],
  checkpointAttempt: ['query ($id: ID!) { checkpointAttempt(id: $id) { id } }', 'ATTEMPT_NOT_FOUND'],
} as const;

describe('an object in a community the caller may not see', () => {
  it('answers queries by id as for a made-up id, in an invite-only community and to a non-member', async () => {
    const ids = {
      learningPath: hidden.pathId,
      learningModule: hidden.moduleId,
      checkpoint: hidden.checkpointId,
      checkpointAttempt: hidden.attemptId,
    };
    for (const [field, [query, reason]] of Object.entries(QUERIES)) {
      const real = await api.gql(query, { id: ids[field as keyof typeof ids] }, outsider.accessToken);
      const madeUp = await api.gql(query, { id: randomUUID() }, outsider.accessToken);
      expect(errorCodes(real), field).toEqual([`NOT_FOUND/${reason}`]);
      expect(refusal(real), field).toEqual(refusal(madeUp));
    }
    // A public community's content is for its members: a passer-by, signed in or not, finds no path.
    const path = QUERIES.learningPath[0];
    const madeUp = await api.gql(path, { id: randomUUID() }, outsider.accessToken);
    for (const token of [outsider.accessToken, undefined]) {
      const real = await api.gql(path, { id: visible.pathId }, token);
      expect(refusal(real)).toEqual(refusal(madeUp));
    }
    // Members see them (the check above refuses the outsider, not everyone).
    expect(
      fieldOf<{ id: string }>(await api.gql(path, { id: hidden.pathId }, learner.accessToken), 'learningPath')
        .id,
    ).toBe(hidden.pathId);
  });

  it('answers mutations by id as for a made-up id and stores nothing', async () => {
    const now = new Date().toISOString();
    const rules = { passMark: 60, maxAttempts: 3, cooldownSeconds: 0 };
    const mutations: [string, string, (id: string) => Record<string, unknown>, string][] = [
      [UPDATE_PATH, hidden.pathId, (pathId) => ({ input: { pathId, title: 'Mine' } }), 'PATH_NOT_FOUND'],
      [ORDER_MODULES, hidden.pathId, (pathId) => ({ pathId, moduleIds: [] }), 'PATH_NOT_FOUND'],
      [PUBLISH_PATH, hidden.pathId, (pathId) => ({ pathId }), 'PATH_NOT_FOUND'],
      [
        DRAFT_MODULE,
        hidden.pathId,
        (pathId) => ({ input: { pathId, title: 'T', body: 'B' } }),
        'PATH_NOT_FOUND',
      ],
      [
        REVISE_MODULE,
        hidden.moduleId,
        (moduleId) => ({ input: { moduleId, baseVersion: 1, title: 'T', body: 'B' } }),
        'MODULE_NOT_FOUND',
      ],
      [PUBLISH_MODULE, hidden.moduleId, (moduleId) => ({ moduleId, version: 1 }), 'MODULE_NOT_FOUND'],
      [
        DRAFT_CHECKPOINT,
        hidden.moduleId,
        (moduleId) => ({ input: { moduleId, questions: SAMPLE_QUESTIONS, ...rules } }),
        'MODULE_NOT_FOUND',
      ],
      [GENERATE_CHECKPOINT, hidden.moduleId, (moduleId) => ({ moduleId }), 'MODULE_NOT_FOUND'],
      [COMPLETE, hidden.moduleId, (moduleId) => ({ moduleId, clientTime: now }), 'MODULE_NOT_FOUND'],
      [
        REVISE_CHECKPOINT,
        hidden.checkpointId,
        (checkpointId) => ({
          input: { checkpointId, baseVersion: 1, questions: SAMPLE_QUESTIONS, ...rules },
        }),
        'CHECKPOINT_NOT_FOUND',
      ],
      [
        APPROVE_CHECKPOINT,
        hidden.checkpointId,
        (checkpointId) => ({ checkpointId, version: 1 }),
        'CHECKPOINT_NOT_FOUND',
      ],
      [
        SUBMIT,
        hidden.checkpointId,
        (checkpointId) => ({ checkpointId, answers: [], clientTime: now }),
        'CHECKPOINT_NOT_FOUND',
      ],
      [GRADE, hidden.attemptId, (attemptId) => ({ attemptId, grades: [] }), 'ATTEMPT_NOT_FOUND'],
    ];
    const streams = [
      learningPathStream(hidden.pathId),
      learningModuleStream(hidden.moduleId),
      checkpointStream(hidden.checkpointId),
      checkpointAttemptsStream(hidden.checkpointId, learner.id),
      checkpointAttemptsStream(hidden.checkpointId, outsider.id),
      learningProgressStream(hidden.pathId, outsider.id),
    ];
    const before = await Promise.all(streams.map((stream) => eventsIn(api, stream)));
    for (const [mutation, id, variables, reason] of mutations) {
      const real = await api.gql(mutation, variables(id), outsider.accessToken);
      const madeUp = await api.gql(mutation, variables(randomUUID()), outsider.accessToken);
      expect(errorCodes(real), mutation).toEqual([`NOT_FOUND/${reason}`]);
      expect(refusal(real), mutation).toEqual(refusal(madeUp));
    }
    expect(await Promise.all(streams.map((stream) => eventsIn(api, stream)))).toEqual(before);
  });
});

describe('learning and progress fields of a Community', () => {
  const FIELDS = `learningPaths(first: 5) { nodes { id } }
    myTrust { score }
    leaderboard(first: 5) { nodes { userId score } }
    progressAggregates(first: 5) { nodes { pathId } }
    attemptsAwaitingGrading(first: 5) { nodes { id } }`;
  const list = (fields: string) => `query { myCommunities(first: 20) { nodes { id ${fields} } } }`;

  it('judge access from the community they hang off: no access check per community', async () => {
    const reader = await registerAndSignIn(api, 'Many Communities');
    const communities = 5;
    for (let index = 0; index < communities; index++) await createCommunity(api, reader);
    // The SQL of the read side's access check, as it would be sent.
    let accessCheck = '';
    await communityReadAccess(
      {
        query: async (text: string) => {
          accessCheck = text;
          return { rows: [] };
        },
      } as never,
      randomUUID(),
      reader.id,
    );
    expect(accessCheck).toContain('community_members');

    const statements = vi.spyOn(api.runtime.pool, 'query');
    let bare: number;
    let withFields: number;
    try {
      fieldOf(await api.gql(list(''), {}, reader.accessToken), 'myCommunities');
      bare = statements.mock.calls.length;
      statements.mockClear();
      const listed = fieldOf<{ nodes: { id: string }[] }>(
        await api.gql(list(FIELDS), {}, reader.accessToken),
        'myCommunities',
      );
      withFields = statements.mock.calls.length;
      expect(listed.nodes).toHaveLength(communities);
      const sent = statements.mock.calls.map(([text]) => (typeof text === 'string' ? text : ''));
      expect(sent).not.toContain(accessCheck);
    } finally {
      statements.mockRestore();
    }
    // Each of the five fields reads its own data once per community, and nothing else.
    expect(withFields - bare).toBeLessThanOrEqual(5 * communities);
  });

  it('still refuse, from that standing, a member without the right, a non-member and an anonymous caller', async () => {
    const query = `query ($id: ID!) { community(id: $id) { attemptsAwaitingGrading(first: 5) { nodes { id } } } }`;
    expect(errorCodes(await api.gql(query, { id: hidden.communityId }, learner.accessToken))).toEqual([
      'FORBIDDEN/MISSING_PERMISSION',
    ]);
    const trust = `query ($id: ID!) { community(id: $id) { myTrust { score } } }`;
    expect(errorCodes(await api.gql(trust, { id: visible.communityId }, outsider.accessToken))).toEqual([
      'FORBIDDEN/NOT_A_MEMBER',
    ]);
    expect(errorCodes(await api.gql(trust, { id: visible.communityId }))).toEqual([
      'FORBIDDEN/SIGN_IN_REQUIRED',
    ]);
  });
});
