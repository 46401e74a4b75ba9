import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkpointStream } from '../../../src/domain/communities/streams.ts';
import { eventsIn } from '../social/graph-support.ts';
import { errorCodes, fieldOf, type IdentityApp, startIdentityApp } from '../support/identity-app.ts';
import { registerAndSignIn, type TestUser } from '../support/identity-operations.ts';
import { addMember, createCommunity } from './community-support.ts';
import {
  APPROVE_CHECKPOINT,
  CHECKPOINT,
  type CheckpointView,
  CREATE_PATH,
  DRAFT_MODULE,
  GENERATE_CHECKPOINT,
  LEARNING_MODULE,
  type ModuleView,
  type PathView,
} from './learning-support.ts';

const BODY = [
  'Plants make their own food through photosynthesis in their leaves.',
  'Chlorophyll is the green pigment that captures energy from sunlight.',
  'The roots take up water from the soil and carry minerals to the stem.',
  'Carbon dioxide enters each leaf through tiny pores called stomata.',
].join(' ');

/** generateCheckpoint with no model configured: the app's default, local provider. */
describe('generateCheckpoint with the local provider', () => {
  let api: IdentityApp;
  let owner: TestUser;
  let learner: TestUser;
  let communityId: string;

  beforeAll(async () => {
    api = await startIdentityApp();
    [owner, learner] = await Promise.all([
      registerAndSignIn(api, 'Owner'),
      registerAndSignIn(api, 'Learner'),
    ]);
    communityId = (await createCommunity(api, owner)).id;
    await addMember(api, owner, communityId, learner);
  }, 120_000);
  afterAll(async () => {
    await api?.close();
  });

  it('drafts honest questions from the module’s own sentences, says so, and waits for a mentor', async () => {
    const path = fieldOf<PathView>(
      await api.gql(CREATE_PATH, { input: { communityId, title: 'Plants' } }, owner.accessToken),
      'createLearningPath',
    );
    const module = fieldOf<ModuleView>(
      await api.gql(
        DRAFT_MODULE,
        { input: { pathId: path.id, title: 'Feeding', body: BODY } },
        owner.accessToken,
      ),
      'draftLearningModule',
    );
    expect(
      errorCodes(await api.gql(GENERATE_CHECKPOINT, { moduleId: module.id }, learner.accessToken)),
    ).toEqual(['FORBIDDEN/MISSING_PERMISSION']);
    const generated = fieldOf<CheckpointView>(
      await api.gql(GENERATE_CHECKPOINT, { moduleId: module.id, count: 4 }, owner.accessToken),
      'generateCheckpoint',
    );
    expect(generated).toMatchObject({
      source: 'GENERATED',
      approvedVersion: null,
      generator: { provider: 'local' },
    });
    expect(generated.generator?.label).toMatch(/locally.*no AI model/);
    const body = BODY.toLowerCase();
    const blanks = generated.questions.filter((question) => question.type !== 'REFLECTION');
    expect(blanks.length).toBeGreaterThanOrEqual(2);
    for (const question of blanks) {
      expect(question.prompt).toContain('_____');
      const answer =
        question.acceptedAnswers?.[0] ?? question.options?.find((option) => option.correct)?.text ?? '';
      expect(body).toContain(answer);
    }
    expect(generated.questions.at(-1)?.type).toBe('REFLECTION');

    const approved = fieldOf<CheckpointView>(
      await api.gql(APPROVE_CHECKPOINT, { checkpointId: generated.id, version: 1 }, owner.accessToken),
      'approveCheckpoint',
    );
    expect(approved.approvedBy).toBe(owner.id);
    // The module is not published yet: its checkpoint is still nothing to a learner.
    expect(errorCodes(await api.gql(CHECKPOINT, { id: generated.id }, learner.accessToken))).toEqual([
      'NOT_FOUND/CHECKPOINT_NOT_FOUND',
    ]);
  });

  it('binds an idempotency key to its module: a retry finds the first draft, another module is refused', async () => {
    const { pathId } = await modulePair();
    const [first, second] = await Promise.all([draftModule(pathId, 'Feeding'), draftModule(pathId, 'Roots')]);
    const key = `generate-${randomUUID()}`;
    const generate = (moduleId: string, count = 3) =>
      api.gql(GENERATE_CHECKPOINT, { moduleId, count, key }, owner.accessToken);
    const made = fieldOf<CheckpointView>(await generate(first), 'generateCheckpoint');
    expect(made.moduleId).toBe(first);
    const again = fieldOf<CheckpointView>(await generate(first), 'generateCheckpoint');
    expect(again.id).toBe(made.id);
    // The key used again for another module (or another question count) asks for something else.
    expect(errorCodes(await generate(second))).toEqual(['CONFLICT/IDEMPOTENCY_KEY_REUSED']);
    expect(errorCodes(await generate(first, 4))).toEqual(['CONFLICT/IDEMPOTENCY_KEY_REUSED']);
    expect(await eventsIn(api, checkpointStream(made.id))).toBe(1);
    const secondsCheckpoints = fieldOf<{ checkpoints: unknown[] }>(
      await api.gql(LEARNING_MODULE, { id: second }, owner.accessToken),
      'learningModule',
    ).checkpoints;
    expect(secondsCheckpoints).toEqual([]);
  });

  const modulePair = async () => {
    const path = fieldOf<PathView>(
      await api.gql(CREATE_PATH, { input: { communityId, title: 'Two' } }, owner.accessToken),
      'createLearningPath',
    );
    return { pathId: path.id };
  };
  const draftModule = async (pathId: string, title: string) =>
    fieldOf<ModuleView>(
      await api.gql(DRAFT_MODULE, { input: { pathId, title, body: BODY } }, owner.accessToken),
      'draftLearningModule',
    ).id;
});
