import { createHash, randomUUID } from 'node:crypto';
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { OpenAiProvider } from '../../../src/ai/openai-provider.ts';
import { learningPathStream } from '../../../src/domain/communities/streams.ts';
import {
  type OpenAiTestServer,
  startOpenAiTestServer,
  structuredOutputOf,
} from '../../support/openai-test-server.ts';
import { eventsIn } from '../social/graph-support.ts';
import { errorCodes, fieldOf, type IdentityApp, startIdentityApp } from '../support/identity-app.ts';
import { registerAndSignIn, type TestUser } from '../support/identity-operations.ts';
import { mediaAsset } from '../videos/support.ts';
import { addMember, createCommunity } from './community-support.ts';
import {
  APPROVE_CHECKPOINT,
  CHECKPOINT,
  type CheckpointView,
  COMMUNITY_PATHS,
  CREATE_PATH,
  DRAFT_CHECKPOINT,
  DRAFT_MODULE,
  GENERATE_CHECKPOINT,
  LEARNING_MODULE,
  LEARNING_PATH,
  MODULE_VERSIONS,
  type ModuleView,
  ORDER_MODULES,
  type PathView,
  PUBLISH_MODULE,
  PUBLISH_PATH,
  publishedModule,
  REVISE_CHECKPOINT,
  REVISE_MODULE,
  SAMPLE_QUESTIONS,
  UPDATE_PATH,
} from './learning-support.ts';

/**
 * Learning content over GraphQL. The app's AI provider is OpenAI's client against the OpenAI test
 * server, so generateCheckpoint is exercised over HTTP with structured output (the local
 * provider's drafting is tested in test/ai/checkpoint-generation.int.test.ts).
 */
describe('community learning', () => {
  let api: IdentityApp;
  let openai: OpenAiTestServer;
  let owner: TestUser;
  let mentor: TestUser;
  let learner: TestUser;
  let stranger: TestUser;
  let communityId: string;

  beforeAll(async () => {
    openai = await startOpenAiTestServer();
    api = await startIdentityApp({
      ai: new OpenAiProvider({ apiKey: 'test', baseUrl: openai.baseUrl, maxAttempts: 1 }),
    });
    [owner, mentor, learner, stranger] = await Promise.all([
      registerAndSignIn(api, 'Owner'),
      registerAndSignIn(api, 'Mentor'),
      registerAndSignIn(api, 'Learner'),
      registerAndSignIn(api, 'Stranger'),
    ]);
    communityId = (await createCommunity(api, owner)).id;
    await addMember(api, owner, communityId, mentor, 'MENTOR');
    await addMember(api, owner, communityId, learner);
  }, 120_000);
  afterAll(async () => {
    await api?.close();
    await openai?.close();
  });
  beforeEach(() => openai.reset());

  const as = (user: TestUser) => ({
    gql: (query: string, variables: Record<string, unknown>) => api.gql(query, variables, user.accessToken),
  });
  const createPath = async (title = 'Plants') =>
    fieldOf<PathView>(
      await as(mentor).gql(CREATE_PATH, { input: { communityId, title } }),
      'createLearningPath',
    );
  const draftModule = async (pathId: string, input: Record<string, unknown> = {}) =>
    fieldOf<ModuleView>(
      await as(mentor).gql(DRAFT_MODULE, {
        input: { pathId, title: 'Light', body: 'Leaves capture sunlight.', ...input },
      }),
      'draftLearningModule',
    );

  describe('paths and modules', () => {
    it('a mentor authors versions; learners see only what is published, at its published version', async () => {
      const path = await createPath();
      expect(path).toMatchObject({
        communityId,
        createdBy: mentor.id,
        publishedVersion: 0,
        isPublished: false,
      });
      const image = await mediaAsset(api, mentor.id, { kind: 'image' });
      const module = await draftModule(path.id, { mediaAssetIds: [image] });
      expect(module).toMatchObject({
        version: 1,
        latestVersion: 1,
        publishedVersion: null,
        editedBy: mentor.id,
      });
      expect(module.media).toEqual([
        expect.objectContaining({ assetId: image, kind: 'IMAGE', status: 'READY' }),
      ]);

      // Unpublished: the learner learns nothing of it.
      expect(errorCodes(await as(learner).gql(LEARNING_PATH, { id: path.id }))).toEqual([
        'NOT_FOUND/PATH_NOT_FOUND',
      ]);
      expect(errorCodes(await as(learner).gql(LEARNING_MODULE, { id: module.id }))).toEqual([
        'NOT_FOUND/MODULE_NOT_FOUND',
      ]);
      const listed = await as(learner).gql(COMMUNITY_PATHS, { id: communityId });
      expect(
        fieldOf<{ learningPaths: { nodes: { id: string }[] } }>(listed, 'community').learningPaths.nodes.map(
          (n) => n.id,
        ),
      ).not.toContain(path.id);

      // Publishing the path needs its modules published first.
      expect(errorCodes(await as(mentor).gql(PUBLISH_PATH, { pathId: path.id }))).toEqual([
        'CONFLICT/MODULE_NOT_PUBLISHED',
      ]);
      fieldOf(
        await as(mentor).gql(PUBLISH_MODULE, { moduleId: module.id, version: 1 }),
        'publishLearningModule',
      );
      const published = fieldOf<PathView>(
        await as(mentor).gql(PUBLISH_PATH, { pathId: path.id }),
        'publishLearningPath',
      );
      expect(published).toMatchObject({ publishedVersion: 1, isPublished: true });

      // The owner revises: version 2 is a draft; learners keep version 1 until it is published.
      const revised = fieldOf<ModuleView>(
        await as(owner).gql(REVISE_MODULE, {
          input: {
            moduleId: module.id,
            baseVersion: 1,
            title: 'Light',
            body: 'Leaves capture sunlight and CO2.',
            mediaAssetIds: [image],
          },
        }),
        'reviseLearningModule',
      );
      expect(revised).toMatchObject({ version: 2, editedBy: owner.id, publishedVersion: 1 });
      const seen = fieldOf<PathView>(await as(learner).gql(LEARNING_PATH, { id: path.id }), 'learningPath');
      expect(seen.modules).toEqual([
        expect.objectContaining({
          id: module.id,
          version: 1,
          body: 'Leaves capture sunlight.',
          latestVersion: null,
        }),
      ]);
      expect(errorCodes(await as(learner).gql(LEARNING_MODULE, { id: module.id, version: 2 }))).toEqual([
        'NOT_FOUND/VERSION_NOT_FOUND',
      ]);

      // Versions with their authors and what each changed, newest first; publishers only.
      const versions = fieldOf<{
        versions: { nodes: unknown[]; pageInfo: { hasNextPage: boolean; endCursor: string } };
      }>(await as(mentor).gql(MODULE_VERSIONS, { id: module.id, first: 1 }), 'learningModule').versions;
      expect(versions.nodes).toEqual([
        expect.objectContaining({ version: 2, editedBy: owner.id, published: false, changes: ['BODY'] }),
      ]);
      expect(versions.pageInfo.hasNextPage).toBe(true);
      const older = fieldOf<{ versions: { nodes: unknown[]; pageInfo: { hasNextPage: boolean } } }>(
        await as(mentor).gql(MODULE_VERSIONS, {
          id: module.id,
          first: 1,
          after: versions.pageInfo.endCursor,
        }),
        'learningModule',
      ).versions;
      expect(older.nodes).toEqual([
        expect.objectContaining({
          version: 1,
          editedBy: mentor.id,
          published: true,
          changes: ['TITLE', 'BODY', 'MEDIA'],
        }),
      ]);
      expect(older.pageInfo.hasNextPage).toBe(false);
      expect(errorCodes(await as(learner).gql(MODULE_VERSIONS, { id: module.id }))).toEqual([
        'FORBIDDEN/MISSING_PERMISSION',
      ]);

      // A stale revision is refused; publishing version 2 shows it to learners.
      const stale = await as(mentor).gql(REVISE_MODULE, {
        input: { moduleId: module.id, baseVersion: 1, title: 'Light', body: 'Something else.' },
      });
      expect(errorCodes(stale)).toEqual(['CONFLICT/STALE_VERSION']);
      fieldOf(
        await as(mentor).gql(PUBLISH_MODULE, { moduleId: module.id, version: 2 }),
        'publishLearningModule',
      );
      const now = fieldOf<ModuleView>(
        await as(learner).gql(LEARNING_MODULE, { id: module.id }),
        'learningModule',
      );
      expect(now).toMatchObject({ version: 2, body: 'Leaves capture sunlight and CO2.' });
    });

    it('text mode leaves media URLs out', async () => {
      const path = await createPath();
      const image = await mediaAsset(api, mentor.id, { kind: 'image' });
      const module = await draftModule(path.id, { mediaAssetIds: [image] });
      const full = fieldOf<ModuleView>(
        await as(mentor).gql(LEARNING_MODULE, { id: module.id }),
        'learningModule',
      );
      expect(full.media[0]?.url).toEqual(expect.any(String));
      const text = fieldOf<ModuleView>(
        await as(mentor).gql(LEARNING_MODULE, { id: module.id, textMode: true }),
        'learningModule',
      );
      expect(text).toMatchObject({ textMode: true, body: 'Leaves capture sunlight.' });
      expect(text.media).toEqual([
        expect.objectContaining({ assetId: image, kind: 'IMAGE', url: null, thumbnailUrl: null }),
      ]);
      const pathText = fieldOf<PathView>(
        await as(mentor).gql(LEARNING_PATH, { id: path.id, textMode: true }),
        'learningPath',
      );
      expect(pathText.modules?.[0]?.media[0]?.url).toBeNull();
    });

    it('a text-mode reader runs the documented persisted query by its hash over GET', async () => {
      const { moduleId } = await publishedModule(api, mentor, communityId);
      const query = `query ModuleText($id: ID!) {
        learningModule(id: $id, textMode: true) { id version title body media { kind fileName } } }`;
      const extensions = JSON.stringify({
        persistedQuery: { version: 1, sha256Hash: createHash('sha256').update(query).digest('hex') },
      });
      const variables = JSON.stringify({ id: moduleId });
      const get = (parameters: Record<string, string>) =>
        api.app
          .inject({
            method: 'GET',
            url: `/graphql?${new URLSearchParams(parameters)}`,
            headers: { authorization: `Bearer ${learner.accessToken}` },
          })
          .then((response) => response.json());
      expect((await get({ extensions, variables })).errors?.[0]?.extensions?.code).toBe(
        'PERSISTED_QUERY_NOT_FOUND',
      );
      expect(await get({ query, extensions, variables })).toMatchObject({
        data: { learningModule: { id: moduleId } },
      });
      expect(await get({ extensions, variables })).toEqual({
        data: {
          learningModule: {
            id: moduleId,
            version: 1,
            title: 'Light',
            body: 'Plants make sugar from light in their leaves.',
            media: [],
          },
        },
      });
    });

    it('reads a path of many modules with their media and checkpoints in a fixed number of statements', async () => {
      const path = await createPath();
      const image = await mediaAsset(api, mentor.id, { kind: 'image' });
      for (let index = 0; index < 6; index++) {
        const module = await draftModule(path.id, { title: `M${index}`, mediaAssetIds: [image] });
        fieldOf(
          await as(mentor).gql(DRAFT_CHECKPOINT, {
            input: {
              moduleId: module.id,
              questions: SAMPLE_QUESTIONS,
              passMark: 50,
              maxAttempts: 1,
              cooldownSeconds: 0,
            },
          }),
          'draftCheckpoint',
        );
      }
      const query = `query ($id: ID!) { learningPath(id: $id) { id modules { id media { assetId }
        checkpoints { id questions { id options { id correct } } } } } }`;
      const statements = vi.spyOn(api.runtime.pool, 'query');
      let read: PathView & { modules: (ModuleView & { checkpoints: CheckpointView[] })[] };
      try {
        read = fieldOf(await as(mentor).gql(query, { id: path.id }), 'learningPath');
        // Path, access, modules, versions, media, checkpoints, their versions: not 2 per module.
        expect(statements.mock.calls.length).toBeLessThan(10);
      } finally {
        statements.mockRestore();
      }
      expect(read.modules).toHaveLength(6);
      for (const module of read.modules) {
        expect(module.media).toEqual([{ assetId: image }]);
        expect(module.checkpoints).toHaveLength(1);
        expect(module.checkpoints[0]?.questions[0]?.options?.[0]?.correct).toBe(true);
      }
    });

    it('a retry with the same idempotency key finds the path it made', async () => {
      const input = { communityId, title: 'Once', idempotencyKey: `path-${randomUUID()}` };
      const first = fieldOf<PathView>(await as(mentor).gql(CREATE_PATH, { input }), 'createLearningPath');
      const again = fieldOf<PathView>(await as(mentor).gql(CREATE_PATH, { input }), 'createLearningPath');
      expect(again.id).toBe(first.id);
      expect(await eventsIn(api, learningPathStream(first.id))).toBe(1);
    });

    it('refuses non-publishers, strangers, other people’s media and unready media; nothing stored', async () => {
      const create = (user: TestUser) => as(user).gql(CREATE_PATH, { input: { communityId, title: 'Mine' } });
      expect(errorCodes(await create(learner))).toEqual(['FORBIDDEN/MISSING_PERMISSION']);
      expect(errorCodes(await create(stranger))).toEqual(['FORBIDDEN/NOT_A_MEMBER']);
      const path = await createPath();
      const publish = await as(learner).gql(PUBLISH_PATH, { pathId: path.id });
      expect(errorCodes(publish)).toEqual(['FORBIDDEN/MISSING_PERMISSION']);
      expect(
        errorCodes(await as(learner).gql(UPDATE_PATH, { input: { pathId: path.id, title: 'Hijacked' } })),
      ).toEqual(['FORBIDDEN/MISSING_PERMISSION']);
      const someoneElses = await mediaAsset(api, owner.id, { kind: 'image' });
      const processing = await mediaAsset(api, mentor.id, { kind: 'image', stage: 'processing' });
      const draft = (mediaAssetIds: string[]) =>
        as(mentor).gql(DRAFT_MODULE, { input: { pathId: path.id, title: 'T', body: 'B', mediaAssetIds } });
      expect(errorCodes(await draft([someoneElses]))).toEqual(['NOT_FOUND/MEDIA_NOT_FOUND']);
      expect(errorCodes(await draft([processing]))).toEqual(['FORBIDDEN/MEDIA_NOT_READY']);
      expect(
        errorCodes(await as(mentor).gql(DRAFT_MODULE, { input: { pathId: path.id, title: ' ', body: 'B' } })),
      ).toEqual(['VALIDATION/INVALID_TITLE']);
      expect(await eventsIn(api, learningPathStream(path.id))).toBe(1);
      const unchanged = fieldOf<PathView>(
        await as(mentor).gql(LEARNING_PATH, { id: path.id }),
        'learningPath',
      );
      expect(unchanged.modules).toEqual([]);
    });

    it('orders only the path’s own modules', async () => {
      const path = await createPath();
      const first = await draftModule(path.id, { title: 'One' });
      const second = await draftModule(path.id, { title: 'Two' });
      const elsewhere = await draftModule((await createPath('Other')).id);
      const reordered = fieldOf<PathView>(
        await as(mentor).gql(ORDER_MODULES, { pathId: path.id, moduleIds: [second.id, first.id] }),
        'orderLearningPathModules',
      );
      expect(reordered.modules?.map((m) => m.id)).toEqual([second.id, first.id]);
      const foreign = await as(mentor).gql(ORDER_MODULES, {
        pathId: path.id,
        moduleIds: [first.id, elsewhere.id],
      });
      expect(errorCodes(foreign)).toEqual(['NOT_FOUND/MODULE_NOT_FOUND']);
    });
  });

  describe('checkpoints', () => {
    const draft = (moduleId: string, questions: unknown[] = SAMPLE_QUESTIONS, user: TestUser = mentor) =>
      as(user).gql(DRAFT_CHECKPOINT, {
        input: { moduleId, questions, passMark: 60, maxAttempts: 3, cooldownSeconds: 300 },
      });

    it('a mentor drafts and approves; learners see the approved version without any answer', async () => {
      const { moduleId } = await publishedModule(api, mentor, communityId);
      const drafted = fieldOf<CheckpointView>(await draft(moduleId), 'draftCheckpoint');
      expect(drafted).toMatchObject({ version: 1, approvedVersion: null, source: 'MENTOR', totalPoints: 7 });
      expect(drafted.questions[0]?.options?.[0]?.correct).toBe(true);
      expect(drafted.questions[2]?.acceptedAnswers).toEqual(['chlorophyll']);
      expect(errorCodes(await as(learner).gql(CHECKPOINT, { id: drafted.id }))).toEqual([
        'NOT_FOUND/CHECKPOINT_NOT_FOUND',
      ]);

      const approved = fieldOf<CheckpointView>(
        await as(mentor).gql(APPROVE_CHECKPOINT, { checkpointId: drafted.id, version: 1 }),
        'approveCheckpoint',
      );
      expect(approved).toMatchObject({ approvedVersion: 1, approved: true, approvedBy: mentor.id });
      const seen = fieldOf<CheckpointView>(
        await as(learner).gql(CHECKPOINT, { id: drafted.id }),
        'checkpoint',
      );
      expect(seen).toMatchObject({ version: 1, latestVersion: null, passMark: 60 });
      for (const question of seen.questions) {
        expect(question.acceptedAnswers).toBeNull();
        for (const option of question.options ?? []) expect(option.correct).toBeNull();
      }
      expect(JSON.stringify(seen)).not.toContain('chlorophyll');

      // A revision waits for its own approval; learners keep version 1.
      const revised = fieldOf<CheckpointView>(
        await as(mentor).gql(REVISE_CHECKPOINT, {
          input: {
            checkpointId: drafted.id,
            baseVersion: 1,
            questions: SAMPLE_QUESTIONS.slice(0, 2),
            passMark: 50,
            maxAttempts: 3,
            cooldownSeconds: 300,
          },
        }),
        'reviseCheckpoint',
      );
      expect(revised).toMatchObject({ version: 2, approvedVersion: 1, approved: false });
      const stillV1 = fieldOf<CheckpointView>(
        await as(learner).gql(CHECKPOINT, { id: drafted.id }),
        'checkpoint',
      );
      expect(stillV1).toMatchObject({ version: 1, passMark: 60 });
      expect(
        errorCodes(await as(mentor).gql(APPROVE_CHECKPOINT, { checkpointId: drafted.id, version: 1 })),
      ).toEqual(['CONFLICT/STALE_VERSION']);
      const module = fieldOf<ModuleView>(
        await as(learner).gql(LEARNING_MODULE, { id: moduleId }),
        'learningModule',
      );
      expect(module.checkpoints).toEqual([{ id: drafted.id, version: 1 }]);
    });

    it('refuses a question with no correct answer, a learner drafting, and a module in another community', async () => {
      const { moduleId } = await publishedModule(api, mentor, communityId);
      const noneCorrect = [
        {
          id: 'q1',
          type: 'SINGLE_CHOICE',
          prompt: 'Pick',
          options: [
            { id: 'a', text: 'A', correct: false },
            { id: 'b', text: 'B', correct: false },
          ],
        },
      ];
      const refused = await draft(moduleId, noneCorrect);
      expect(errorCodes(refused)).toEqual(['VALIDATION/NO_CORRECT_ANSWER']);
      expect(refused.errors?.[0]?.extensions).toMatchObject({ questionId: 'q1' });
      expect(
        errorCodes(
          await draft(moduleId, [{ id: 'q1', type: 'SHORT_ANSWER', prompt: 'Say', acceptedAnswers: [] }]),
        ),
      ).toEqual(['VALIDATION/NO_CORRECT_ANSWER']);
      expect(errorCodes(await draft(moduleId, SAMPLE_QUESTIONS, learner))).toEqual([
        'FORBIDDEN/MISSING_PERMISSION',
      ]);
      const module = fieldOf<ModuleView>(
        await as(mentor).gql(LEARNING_MODULE, { id: moduleId }),
        'learningModule',
      );
      expect(module.checkpoints).toEqual([]);

      // A mentor here is a stranger in another community: to them its module does not exist.
      const otherOwner = await registerAndSignIn(api, 'Other owner');
      const other = await createCommunity(api, otherOwner);
      const elsewhere = await publishedModule(api, otherOwner, other.id);
      expect(errorCodes(await draft(elsewhere.moduleId))).toEqual(['NOT_FOUND/MODULE_NOT_FOUND']);
      expect(errorCodes(await as(mentor).gql(GENERATE_CHECKPOINT, { moduleId: elsewhere.moduleId }))).toEqual(
        ['NOT_FOUND/MODULE_NOT_FOUND'],
      );
      expect(openai.requests).toHaveLength(0);
    });

    it('generateCheckpoint drafts through OpenAI structured output, drops invalid questions, and waits for approval', async () => {
      const { moduleId } = await publishedModule(api, mentor, communityId);
      openai.script({
        kind: 'structured',
        byFormat: {
          checkpoint_questions: {
            questions: [
              {
                type: 'single_choice',
                prompt: 'Where is sugar made?',
                options: [
                  { text: 'Leaves', correct: true },
                  { text: 'Stones', correct: false },
                ],
                acceptedAnswers: [],
                guidance: null,
              },
              // No correct option: dropped, not stored.
              {
                type: 'single_choice',
                prompt: 'Broken question',
                options: [
                  { text: 'X', correct: false },
                  { text: 'Y', correct: false },
                ],
                acceptedAnswers: [],
                guidance: null,
              },
              {
                type: 'short_answer',
                prompt: 'From what?',
                options: [],
                acceptedAnswers: ['light'],
                guidance: null,
              },
            ],
          },
        },
      });
      const key = `gen-${randomUUID()}`;
      const generated = fieldOf<CheckpointView>(
        await as(mentor).gql(GENERATE_CHECKPOINT, { moduleId, count: 3, key }),
        'generateCheckpoint',
      );
      expect(generated).toMatchObject({ source: 'GENERATED', approvedVersion: null, draftedBy: mentor.id });
      expect(generated.generator).toMatchObject({ provider: 'openai-compatible' });
      expect(generated.generator?.label).toMatch(/AI model/);
      expect(generated.questions.map((q) => q.prompt)).toEqual(['Where is sugar made?', 'From what?']);
      const [request] = openai.requests;
      expect(request && structuredOutputOf(request)).toMatchObject({
        name: 'checkpoint_questions',
        strict: true,
      });
      expect(JSON.stringify(request?.body)).toContain('Plants make sugar from light in their leaves.');

      // A retry finds the draft without asking the model again.
      const again = fieldOf<CheckpointView>(
        await as(mentor).gql(GENERATE_CHECKPOINT, { moduleId, count: 3, key }),
        'generateCheckpoint',
      );
      expect(again.id).toBe(generated.id);
      expect(openai.requests).toHaveLength(1);

      expect(errorCodes(await as(learner).gql(CHECKPOINT, { id: generated.id }))).toEqual([
        'NOT_FOUND/CHECKPOINT_NOT_FOUND',
      ]);
      fieldOf(
        await as(mentor).gql(APPROVE_CHECKPOINT, { checkpointId: generated.id, version: 1 }),
        'approveCheckpoint',
      );
      const seen = fieldOf<CheckpointView>(
        await as(learner).gql(CHECKPOINT, { id: generated.id }),
        'checkpoint',
      );
      expect(seen.questions).toHaveLength(2);
    });

    it('a provider that cannot answer stores nothing and says so', async () => {
      const { moduleId } = await publishedModule(api, mentor, communityId);
      openai.script({ kind: 'error', status: 503 });
      const failed = await as(mentor).gql(GENERATE_CHECKPOINT, { moduleId });
      expect(errorCodes(failed)).toEqual(['RATE_LIMITED/AI_UNAVAILABLE']);
      const module = fieldOf<ModuleView>(
        await as(mentor).gql(LEARNING_MODULE, { id: moduleId }),
        'learningModule',
      );
      expect(module.checkpoints).toEqual([]);
    });
  });
});
