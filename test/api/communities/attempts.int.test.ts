import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readStreamOrEmpty } from '../../../src/commands/load-aggregate.ts';
import { checkpointAttemptsStream } from '../../../src/domain/communities/streams.ts';
import { errorCodes, fieldOf, type IdentityApp, startIdentityApp } from '../support/identity-app.ts';
import { registerAndSignIn, type TestUser } from '../support/identity-operations.ts';
import { addMember, createCommunity } from './community-support.ts';
import {
  type AttemptView,
  attemptEvents,
  daysAgo,
  GRADE,
  LEARNER_PROGRESS,
  type ProgressView,
  publishedPath,
  QUESTIONS,
  REFLECTION,
  RIGHT,
  SUBMIT,
  WRONG,
} from './progress-support.ts';

let api: IdentityApp;
let owner: TestUser;
let mentor: TestUser;
let learner: TestUser;
let outsider: TestUser;
let communityId: string;

beforeAll(async () => {
  api = await startIdentityApp();
  [owner, mentor, learner, outsider] = await Promise.all([
    registerAndSignIn(api, 'Olu Owner'),
    registerAndSignIn(api, 'Mina Mentor'),
    registerAndSignIn(api, 'Lea Learner'),
    registerAndSignIn(api, 'Otto Outsider'),
  ]);
  communityId = (await createCommunity(api, owner)).id;
  await addMember(api, owner, communityId, mentor, 'MENTOR');
  await addMember(api, owner, communityId, learner);
});

afterAll(async () => {
  await api?.close();
});

const submit = (
  user: TestUser,
  checkpointId: string,
  answers: unknown[],
  clientTime = new Date().toISOString(),
  key?: string,
) => api.gql(SUBMIT, { checkpointId, answers, clientTime, key }, user.accessToken);

describe('submitting checkpoint attempts', () => {
  it('scores the answers, passes at the pass mark and counts in the learner’s progress', async () => {
    const path = await publishedPath(api, communityId, mentor.id);
    const checkpointId = path.checkpointIds[0] as string;
    const attempt = fieldOf<AttemptView>(
      await submit(learner, checkpointId, RIGHT),
      'submitCheckpointAttempt',
    );
    expect(attempt).toMatchObject({ attemptNumber: 1, score: 4, maxScore: 4, passed: true });
    expect(attempt.feedback.map((entry) => entry.outcome)).toEqual(['CORRECT', 'CORRECT']);
    const progress = fieldOf<ProgressView>(
      await api.gql(
        LEARNER_PROGRESS,
        { communityId, userId: learner.id, pathId: path.pathId },
        learner.accessToken,
      ),
      'learnerProgress',
    );
    expect(progress).toMatchObject({ checkpointsPassed: 1, attempts: 1 });
    expect(progress.checkpoints).toEqual([
      { checkpointId, attempts: 1, bestScore: 4, maxScore: 4, passed: true, passedAt: expect.any(String) },
    ]);
  });

  it('answers a retry with the same idempotency key with the same attempt, stored once', async () => {
    const path = await publishedPath(api, communityId, mentor.id);
    const checkpointId = path.checkpointIds[0] as string;
    const clientTime = new Date().toISOString();
    const first = fieldOf<AttemptView>(
      await submit(learner, checkpointId, WRONG, clientTime, 'attempt-key-1'),
      'submitCheckpointAttempt',
    );
    const again = fieldOf<AttemptView>(
      await submit(learner, checkpointId, WRONG, clientTime, 'attempt-key-1'),
      'submitCheckpointAttempt',
    );
    expect(again.id).toBe(first.id);
    expect(await attemptEvents(api, checkpointId, learner.id)).toBe(1);
  });

  it('refuses an attempt past the limit and stores nothing', async () => {
    const path = await publishedPath(api, communityId, mentor.id, 1, { maxAttempts: 1 });
    const checkpointId = path.checkpointIds[0] as string;
    expect(
      fieldOf<AttemptView>(await submit(learner, checkpointId, WRONG), 'submitCheckpointAttempt').passed,
    ).toBe(false);
    const refused = await submit(learner, checkpointId, RIGHT);
    expect(errorCodes(refused)).toEqual(['FORBIDDEN/ATTEMPTS_EXHAUSTED']);
    expect(refused.errors?.[0]?.extensions).toMatchObject({ maxAttempts: 1 });
    expect(await attemptEvents(api, checkpointId, learner.id)).toBe(1);
  });

  it('refuses an attempt within the cool-down, saying when to retry, and stores nothing', async () => {
    const path = await publishedPath(api, communityId, mentor.id, 1, { cooldownSeconds: 3600 });
    const checkpointId = path.checkpointIds[0] as string;
    const first = fieldOf<AttemptView>(await submit(learner, checkpointId, WRONG), 'submitCheckpointAttempt');
    const refused = await submit(learner, checkpointId, RIGHT);
    expect(errorCodes(refused)).toEqual(['CONFLICT/COOLDOWN']);
    const retryAfter = refused.errors?.[0]?.extensions?.retryAfter as string;
    expect(Date.parse(retryAfter) - Date.parse(first.submittedAt)).toBe(3_600_000);
    expect(refused.errors?.[0]?.extensions?.retryAfterSeconds).toBeGreaterThan(3590);
    expect(await attemptEvents(api, checkpointId, learner.id)).toBe(1);
  });

  it('keeps a late offline submission’s client time as sent, beside the server’s', async () => {
    const path = await publishedPath(api, communityId, mentor.id);
    const checkpointId = path.checkpointIds[0] as string;
    const clientTime = daysAgo(3);
    const attempt = fieldOf<AttemptView>(
      await submit(learner, checkpointId, RIGHT, clientTime),
      'submitCheckpointAttempt',
    );
    expect(attempt.clientTime).toBe(clientTime);
    expect(Date.now() - Date.parse(attempt.submittedAt)).toBeLessThan(60_000);
    const [stored] = await readStreamOrEmpty(
      api.runtime.store,
      checkpointAttemptsStream(checkpointId, learner.id),
    );
    expect(stored?.data).toMatchObject({ clientTime });
    expect(stored?.metadata).toMatchObject({ communityId });
    const progress = fieldOf<ProgressView>(
      await api.gql(
        LEARNER_PROGRESS,
        { communityId, userId: learner.id, pathId: path.pathId },
        learner.accessToken,
      ),
      'learnerProgress',
    );
    expect(progress.lastActiveDay).toBe(clientTime.slice(0, 10));
  });

  it('refuses answers that do not fit, an unapproved checkpoint, and non-members; nothing stored', async () => {
    const path = await publishedPath(api, communityId, mentor.id);
    const checkpointId = path.checkpointIds[0] as string;
    expect(errorCodes(await submit(learner, checkpointId, [{ questionId: 'nope', text: 'x' }]))).toEqual([
      'VALIDATION/UNKNOWN_QUESTION',
    ]);
    expect(
      errorCodes(await submit(learner, checkpointId, [{ questionId: 'gas', choices: ['co2', 'he'] }])),
    ).toEqual(['VALIDATION/ONE_CHOICE_ONLY']);
    // To a non-member the checkpoint does not exist, as for a made-up id.
    expect(errorCodes(await submit(outsider, checkpointId, RIGHT))).toEqual([
      'NOT_FOUND/CHECKPOINT_NOT_FOUND',
    ]);
    expect(await attemptEvents(api, checkpointId, learner.id)).toBe(0);
    const draft = await publishedPath(api, communityId, mentor.id, 1, { approved: false });
    const draftCheckpoint = draft.checkpointIds[0] as string;
    expect(errorCodes(await submit(learner, draftCheckpoint, RIGHT))).toEqual([
      'NOT_FOUND/CHECKPOINT_NOT_FOUND',
    ]);
    expect(await attemptEvents(api, draftCheckpoint, learner.id)).toBe(0);
  });
});

describe('mentors grading reflections', () => {
  it('a mentor grades a reflection and the attempt passes', async () => {
    const path = await publishedPath(api, communityId, mentor.id, 1, {
      questions: [...QUESTIONS, REFLECTION],
    });
    const checkpointId = path.checkpointIds[0] as string;
    const answers = [...RIGHT, { questionId: 'why', text: 'Leaves breathe in what we breathe out.' }];
    const attempt = fieldOf<AttemptView>(
      await submit(learner, checkpointId, answers),
      'submitCheckpointAttempt',
    );
    expect(attempt).toMatchObject({ score: 4, maxScore: 8, passed: null });
    expect(attempt.feedback.at(-1)).toMatchObject({ questionId: 'why', outcome: 'AWAITING_GRADING' });

    // Another attempt waits for the grading.
    expect(errorCodes(await submit(learner, checkpointId, RIGHT))).toEqual([
      'CONFLICT/ATTEMPT_AWAITING_GRADING',
    ]);
    // A member without the grading permission, and the learner themself, are refused.
    expect(
      errorCodes(
        await api.gql(
          GRADE,
          { attemptId: attempt.id, grades: [{ questionId: 'why', points: 4 }] },
          learner.accessToken,
        ),
      ),
    ).toEqual(['FORBIDDEN/MISSING_PERMISSION']);
    expect(
      errorCodes(
        await api.gql(
          GRADE,
          { attemptId: attempt.id, grades: [{ questionId: 'why', points: 9 }] },
          mentor.accessToken,
        ),
      ),
    ).toEqual(['VALIDATION/POINTS_OUT_OF_RANGE']);
    expect(await attemptEvents(api, checkpointId, learner.id)).toBe(1);

    // The mentor finds it in the grading queue, with the learner's words; a plain member cannot see it.
    const queue = fieldOf<{ attemptsAwaitingGrading: { nodes: { id: string; answers: unknown[] }[] } }>(
      await api.gql(
        `query ($id: ID!) { community(id: $id) { attemptsAwaitingGrading(first: 100) {
          nodes { id answers { questionId choices text } } } } }`,
        { id: communityId },
        mentor.accessToken,
      ),
      'community',
    ).attemptsAwaitingGrading.nodes;
    expect(queue.find((node) => node.id === attempt.id)?.answers).toContainEqual({
      questionId: 'why',
      choices: null,
      text: 'Leaves breathe in what we breathe out.',
    });
    const ATTEMPT = 'query ($id: ID!) { checkpointAttempt(id: $id) { id passed answers { questionId } } }';
    expect(
      fieldOf<{ id: string }>(
        await api.gql(ATTEMPT, { id: attempt.id }, learner.accessToken),
        'checkpointAttempt',
      ).id,
    ).toBe(attempt.id);
    const peer = await registerAndSignIn(api, 'Pia Peer');
    await addMember(api, owner, communityId, peer);
    expect(errorCodes(await api.gql(ATTEMPT, { id: attempt.id }, peer.accessToken))).toEqual([
      'NOT_FOUND/ATTEMPT_NOT_FOUND',
    ]);
    expect(errorCodes(await api.gql(ATTEMPT, { id: attempt.id }, outsider.accessToken))).toEqual([
      'NOT_FOUND/ATTEMPT_NOT_FOUND',
    ]);

    const graded = fieldOf<AttemptView>(
      await api.gql(
        GRADE,
        {
          attemptId: attempt.id,
          grades: [{ questionId: 'why', points: 3 }],
          feedback: 'A real observation.',
        },
        mentor.accessToken,
      ),
      'gradeCheckpointReflection',
    );
    expect(graded).toMatchObject({ id: attempt.id, score: 7, passed: true });
    expect(graded.feedback.at(-1)).toMatchObject({ questionId: 'why', points: 3, outcome: 'GRADED' });
    const progress = fieldOf<ProgressView>(
      await api.gql(
        LEARNER_PROGRESS,
        { communityId, userId: learner.id, pathId: path.pathId },
        learner.accessToken,
      ),
      'learnerProgress',
    );
    expect(progress.checkpointsPassed).toBe(1);
    expect(
      errorCodes(
        await api.gql(
          GRADE,
          { attemptId: attempt.id, grades: [{ questionId: 'why', points: 4 }] },
          mentor.accessToken,
        ),
      ),
    ).toEqual(['CONFLICT/ALREADY_GRADED']);
  });
});
