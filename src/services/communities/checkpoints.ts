import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import { type LoadDeps, loadAggregate } from '../../commands/load-aggregate.ts';
import { checkpointAggregate } from '../../domain/communities/checkpoint-decider.ts';
import type { DraftedCheckpoint } from '../../domain/communities/checkpoint-state.ts';
import { QUESTION_TYPES } from '../../domain/communities/checkpoint-values.ts';
import { checkpointStream } from '../../domain/communities/streams.ts';
import { commandIdFor, type RequestContext } from '../shared/command-context.ts';
import { moduleOnRecord } from './checkpoint-record.ts';
import type { CommunityDeps } from './deps.ts';
import { idempotencyKey, issue, learningId, requirePublisher, version } from './paths-input.ts';
import { checkpointNotFound, moduleNotFound, unseenAsMissing } from './unseen-as-missing.ts';

const shortText = z.string().max(5_000);
/**
 * A question as GraphQL sends it (type in capitals, the fields of every type optional), made into
 * the domain's shape; whether it is a valid question is the decider's call (validateQuestions),
 * with its reasons (NO_CORRECT_ANSWER, SEVERAL_CORRECT_ANSWERS…).
 */
const questionInput = z
  .object({
    id: z.string().max(100),
    type: z
      .string()
      .transform((value) => value.toLowerCase())
      .pipe(z.enum(QUESTION_TYPES)),
    prompt: shortText,
    points: z.number().int().nullish(),
    options: z
      .array(z.object({ id: z.string().max(100), text: shortText, correct: z.boolean() }))
      .max(50)
      .nullish(),
    acceptedAnswers: z.array(shortText).max(50).nullish(),
    guidance: shortText.nullish(),
  })
  .transform(({ id, type, prompt, points, options, acceptedAnswers, guidance }) => {
    const base = { id, type, prompt, points: points ?? 1 };
    if (type === 'single_choice' || type === 'multiple_choice') return { ...base, options: options ?? [] };
    if (type === 'short_answer') return { ...base, acceptedAnswers: acceptedAnswers ?? [] };
    return { ...base, guidance: guidance ?? null };
  });
export const questionsInput = z.array(questionInput).max(200);
const rules = {
  passMark: z.number().int(),
  maxAttempts: z.number().int(),
  cooldownSeconds: z.number().int(),
};

export const draftCheckpointInput = z.object({
  input: z.object({ moduleId: learningId, questions: questionsInput, ...rules, idempotencyKey }),
});
export const reviseCheckpointInput = z.object({
  input: z.object({ checkpointId: learningId, baseVersion: version, questions: questionsInput, ...rules }),
});
export const approveCheckpointInput = z.object({ checkpointId: learningId, version });

/** The checkpoint as its stream tells it; NOT_FOUND CHECKPOINT_NOT_FOUND when there is none. */
export async function draftedCheckpoint(deps: LoadDeps, checkpointId: string): Promise<DraftedCheckpoint> {
  const { state } = await loadAggregate(deps, checkpointAggregate, checkpointStream(checkpointId));
  if (state.status === 'none') throw checkpointNotFound();
  return state;
}

/** The module a checkpoint is for, and the caller's right to author in its community. */
export async function moduleForAuthoring(deps: CommunityDeps, context: RequestContext, moduleId: string) {
  const module = await moduleOnRecord(deps, moduleId);
  if (!module) throw moduleNotFound();
  // The module's own community, never one the caller names: a mentor elsewhere is refused there.
  // Whoever may not see that community is told the module does not exist, as for a made-up id.
  const publisher = await unseenAsMissing(
    requirePublisher(deps, module.communityId, context.actor),
    moduleNotFound,
  );
  return { module, publisher };
}

/** A mentor's own checkpoint for a module, version 1, awaiting approval. */
export async function draftCheckpoint(deps: CommunityDeps, context: RequestContext, raw: unknown) {
  const { input } = draftCheckpointInput.parse(raw);
  const { module } = await moduleForAuthoring(deps, context, input.moduleId);
  const checkpointId = commandIdFor(context, 'draftCheckpoint', input);
  await issue(deps, context, checkpointAggregate, checkpointStream(checkpointId), checkpointId, {
    type: 'DraftCheckpoint',
    communityId: module.communityId,
    pathId: module.pathId,
    moduleId: module.moduleId,
    checkpointId,
    questions: input.questions,
    passMark: input.passMark,
    maxAttempts: input.maxAttempts,
    cooldownSeconds: input.cooldownSeconds,
    generator: null,
  });
  return checkpointId;
}

/** The next version; learners keep taking the approved one until this one is approved. */
export async function reviseCheckpoint(deps: CommunityDeps, context: RequestContext, raw: unknown) {
  const { input } = reviseCheckpointInput.parse(raw);
  const checkpoint = await draftedCheckpoint(deps, input.checkpointId);
  await unseenAsMissing(requirePublisher(deps, checkpoint.communityId, context.actor), checkpointNotFound);
  await issue(deps, context, checkpointAggregate, checkpointStream(checkpoint.checkpointId), randomUUID(), {
    type: 'ReviseCheckpoint',
    baseVersion: input.baseVersion,
    questions: input.questions,
    passMark: input.passMark,
    maxAttempts: input.maxAttempts,
    cooldownSeconds: input.cooldownSeconds,
  });
  return checkpoint.checkpointId;
}

/** A mentor's approval of the latest version: what learners take from now on. */
export async function approveCheckpoint(deps: CommunityDeps, context: RequestContext, raw: unknown) {
  const parsed = approveCheckpointInput.parse(raw);
  const checkpoint = await draftedCheckpoint(deps, parsed.checkpointId);
  await unseenAsMissing(requirePublisher(deps, checkpoint.communityId, context.actor), checkpointNotFound);
  await issue(deps, context, checkpointAggregate, checkpointStream(checkpoint.checkpointId), randomUUID(), {
    type: 'ApproveCheckpoint',
    version: parsed.version,
  });
  return checkpoint.checkpointId;
}
