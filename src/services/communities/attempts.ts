import { z } from 'zod';
import { uuidv5 } from '../../commands/event-ids.ts';
import type { AttemptCommand } from '../../domain/communities/attempt-commands.ts';
import { attemptAggregate } from '../../domain/communities/attempt-decider.ts';
import type { AttemptEventOf } from '../../domain/communities/attempt-events.ts';
import { MAX_ANSWER_TEXT } from '../../domain/communities/attempt-scoring.ts';
import { MAX_QUESTIONS } from '../../domain/communities/checkpoint-values.ts';
import { can } from '../../domain/communities/policy.ts';
import { COMMUNITY_NAMESPACE, checkpointAttemptsStream } from '../../domain/communities/streams.ts';
import { commandIdFor, envelope, execute, nowFrom, type RequestContext } from '../shared/command-context.ts';
import { requireCommunityPermission } from './access.ts';
import type { CommunityDeps } from './deps.ts';
import { attemptableCheckpoint, clientTimeInput, communityUuid, idempotencyKey } from './progress-facts.ts';
import { attemptNotFound, checkpointNotFound, unseenAsMissing } from './unseen-as-missing.ts';

const answer = z.object({
  questionId: z.string().min(1).max(40),
  choices: z.array(z.string().min(1).max(40)).max(20).nullish(),
  text: z.string().max(MAX_ANSWER_TEXT).nullish(),
});

export const submitAttemptInput = z.object({
  checkpointId: communityUuid,
  answers: z.array(answer).max(MAX_QUESTIONS),
  clientTime: clientTimeInput,
  idempotencyKey,
});

export const gradeReflectionInput = z.object({
  attemptId: communityUuid,
  grades: z
    .array(z.object({ questionId: z.string().min(1).max(40), points: z.number().min(0).max(100) }))
    .max(MAX_QUESTIONS),
  feedback: z.string().trim().max(5_000).nullish(),
  idempotencyKey,
});

export type SubmittedAttempt = AttemptEventOf<'CheckpointAttemptSubmitted'>['data'];
export type GradedAttempt = AttemptEventOf<'CheckpointAttemptGraded'>['data'];

/**
 * A learner submits answers to an approved checkpoint of a module they can see, in a community
 * where they may take checkpoints (`learning.take`). The attempt's id derives from the command id,
 * so a retry with the same idempotency key is the same attempt (answered again, appended once).
 * Refusals (limit, cool-down, bad answers) store nothing. Answers the attempt as recorded.
 */
export async function submitCheckpointAttempt(
  deps: CommunityDeps,
  context: RequestContext,
  raw: unknown,
): Promise<SubmittedAttempt> {
  const parsed = submitAttemptInput.parse(raw);
  const checkpoint = await attemptableCheckpoint(deps, parsed.checkpointId);
  if (checkpoint === null) throw checkpointNotFound();
  const { userId } = await unseenAsMissing(
    requireCommunityPermission(deps, checkpoint.communityId, context.actor, 'learning.take'),
    checkpointNotFound,
  );
  const commandId = commandIdFor(context, `submitCheckpointAttempt:${parsed.checkpointId}`, parsed);
  const answers = parsed.answers.map(({ questionId, choices, text }) => ({
    questionId,
    choices: choices ?? null,
    text: text ?? null,
  }));
  const command: AttemptCommand = {
    type: 'SubmitCheckpointAttempt',
    checkpointId: parsed.checkpointId,
    userId,
    checkpoint: {
      communityId: checkpoint.communityId.toLowerCase(),
      pathId: checkpoint.pathId.toLowerCase(),
      moduleId: checkpoint.moduleId.toLowerCase(),
      checkpointId: checkpoint.checkpointId.toLowerCase(),
      version: checkpoint.approvedVersion,
      questions: checkpoint.questions,
      passMark: checkpoint.passMark,
      maxAttempts: checkpoint.maxAttempts,
      cooldownSeconds: checkpoint.cooldownSeconds,
    },
    attemptId: uuidv5(`attempt:${commandId}`, COMMUNITY_NAMESPACE),
    answers,
    answersJson: JSON.stringify(answers),
    clientTime: parsed.clientTime,
  };
  const result = await execute(
    deps,
    attemptAggregate,
    checkpointAttemptsStream(parsed.checkpointId, userId),
    envelope(context, commandId, nowFrom(deps), command),
  );
  const submitted = result.events.find((event) => event.type === 'CheckpointAttemptSubmitted');
  if (!submitted) throw attemptNotFound();
  return submitted.data as SubmittedAttempt;
}

/**
 * A mentor (anyone holding `checkpoint.grade` in the attempt's community) grades the reflections
 * of an attempt awaiting grading. The attempt is found through the `community_progress` read
 * model (attempt → checkpoint and learner, which name its stream); the decision is taken on the
 * stream. An attempt in a community the grader cannot see reads as none.
 */
export async function gradeCheckpointReflection(
  deps: CommunityDeps,
  context: RequestContext,
  raw: unknown,
): Promise<GradedAttempt> {
  const parsed = gradeReflectionInput.parse(raw);
  const { rows } = await deps.pool.query<{ community_id: string; checkpoint_id: string; user_id: string }>(
    'select community_id, checkpoint_id, user_id from community_attempts where attempt_id = $1::uuid',
    [parsed.attemptId],
  );
  const attempt = rows[0];
  if (!attempt) throw attemptNotFound();
  const grader = await unseenAsMissing(
    requireCommunityPermission(deps, attempt.community_id, context.actor, 'community.read'),
    attemptNotFound,
  );
  const commandId = commandIdFor(context, `gradeCheckpointReflection:${parsed.attemptId}`, parsed);
  const result = await execute(
    deps,
    attemptAggregate,
    checkpointAttemptsStream(attempt.checkpoint_id, attempt.user_id),
    envelope(context, commandId, nowFrom(deps), {
      type: 'GradeCheckpointReflection',
      checkpointId: attempt.checkpoint_id,
      userId: attempt.user_id,
      attemptId: parsed.attemptId,
      graderId: grader.userId,
      graderMayGrade: can(grader.role, 'checkpoint.grade'),
      grades: parsed.grades,
      feedback: parsed.feedback || null,
    } satisfies AttemptCommand),
  );
  const graded = result.events.find((event) => event.type === 'CheckpointAttemptGraded');
  if (!graded) throw attemptNotFound();
  return graded.data as GradedAttempt;
}
