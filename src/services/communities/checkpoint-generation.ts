import { z } from 'zod';
import type { DraftedQuestion } from '../../ai/checkpoint-generation.ts';
import type { AiResult } from '../../ai/provider.ts';
import { refuseOtherInput } from '../../commands/idempotency.ts';
import { loadAggregate } from '../../commands/load-aggregate.ts';
import { checkpointAggregate } from '../../domain/communities/checkpoint-decider.ts';
import {
  type CheckpointGenerator,
  type CheckpointQuestion,
  checkpointRulesSchema,
  validateQuestions,
} from '../../domain/communities/checkpoint-values.ts';
import { latestVersion } from '../../domain/communities/module-state.ts';
import { checkpointStream } from '../../domain/communities/streams.ts';
import { conflict } from '../../domain/shared/domain-error.ts';
import { asProviderError, generationError } from '../ai/generation-errors.ts';
import { commandIdFor, envelope, nowFrom, type RequestContext } from '../shared/command-context.ts';
import { moduleForAuthoring } from './checkpoints.ts';
import type { CommunityDeps } from './deps.ts';
import { draftedModule } from './modules.ts';
import { idempotencyKey, issue, learningId } from './paths-input.ts';

export const DEFAULT_GENERATED_QUESTIONS = 5;
/** A generated draft's rules until a mentor revises them: a fair default, not a policy. */
export const DEFAULT_GENERATED_RULES = { passMark: 60, maxAttempts: 3, cooldownSeconds: 600 };

export const generateCheckpointInput = z.object({
  moduleId: learningId,
  questionCount: z.number().int().min(1).max(10).nullish(),
  idempotencyKey,
});

/**
 * A checkpoint drafted by the AI provider from the module's latest text, for a mentor to review,
 * revise and approve: nobody takes it before. The provider's questions are made into the domain's
 * (ids q1…, options a…, one point each, a reflection three) and each is validated as a mentor's
 * would be; one a model got wrong (no correct option, two correct in a single choice) is dropped
 * rather than failing the rest, and if none is left nothing is stored (CONFLICT NOTHING_GENERATED).
 * The draft names the provider and model, so the approving mentor knows what wrote it. With an
 * idempotency key a retry finds the first draft without asking the provider again.
 */
export async function generateCheckpoint(deps: CommunityDeps, context: RequestContext, raw: unknown) {
  const input = generateCheckpointInput.parse(raw);
  const { module } = await moduleForAuthoring(deps, context, input.moduleId);
  // The key names the checkpoint and binds the module and question count it was first used with.
  const checkpointId = commandIdFor(context, 'generateCheckpoint', input);
  const { state, events } = await loadAggregate(deps, checkpointAggregate, checkpointStream(checkpointId));
  // A replay answers the first draft only for the input it was made from; the key used again for
  // another module or question count is refused, as every keyed command refuses it.
  refuseOtherInput(events, envelope(context, checkpointId, nowFrom(deps), null));
  if (state.status !== 'none') return checkpointId;
  const content = latestVersion(await draftedModule(deps, module.moduleId));
  if (content.body === null) throw conflict('MODULE_ERASED', 'The module’s text is gone');
  const language = await communityLanguage(deps, module.communityId);
  let result: AiResult<{ questions: DraftedQuestion[] }>;
  try {
    result = await deps.ai.generateCheckpoint({
      title: content.title,
      body: content.body,
      language,
      questionCount: input.questionCount ?? DEFAULT_GENERATED_QUESTIONS,
    });
  } catch (error) {
    throw generationError(asProviderError(error));
  }
  const questions = result.output.questions.map(toCheckpointQuestion).filter(isValid);
  deps.log.info(
    {
      moduleId: module.moduleId,
      checkpointId,
      provider: result.provider,
      model: result.model,
      drafted: result.output.questions.length,
      kept: questions.length,
      durationMs: result.durationMs,
    },
    'Checkpoint generated',
  );
  if (questions.length === 0) {
    throw conflict('NOTHING_GENERATED', 'The AI provider drafted no usable question from this module', {
      provider: result.provider,
    });
  }
  await issue(deps, context, checkpointAggregate, checkpointStream(checkpointId), checkpointId, {
    type: 'DraftCheckpoint',
    communityId: module.communityId,
    pathId: module.pathId,
    moduleId: module.moduleId,
    checkpointId,
    questions,
    ...checkpointRulesSchema.parse(DEFAULT_GENERATED_RULES),
    generator: generatorOf(result),
  });
  return checkpointId;
}

function generatorOf(result: AiResult<unknown>): CheckpointGenerator {
  return {
    provider: result.provider,
    model: result.model,
    label:
      result.label === 'local-template'
        ? 'Drafted locally from the module’s own sentences (no AI model); review before approving'
        : `Drafted by the AI model ${result.model}; review before approving`,
  };
}

const OPTION_IDS = 'abcdefghij';

function toCheckpointQuestion(drafted: DraftedQuestion, index: number): CheckpointQuestion {
  const base = { id: `q${index + 1}`, prompt: drafted.prompt.trim(), points: 1 };
  switch (drafted.type) {
    case 'single_choice':
    case 'multiple_choice':
      return {
        ...base,
        type: drafted.type,
        options: drafted.options.map((option, position) => ({
          id: OPTION_IDS[position] ?? `o${position}`,
          text: option.text.trim(),
          correct: option.correct,
        })),
      };
    case 'short_answer':
      return { ...base, type: 'short_answer', acceptedAnswers: drafted.acceptedAnswers.map((a) => a.trim()) };
    case 'reflection':
      return { ...base, type: 'reflection', points: 3, guidance: drafted.guidance?.trim() || null };
  }
}

function isValid(question: CheckpointQuestion): boolean {
  try {
    validateQuestions([question]);
    return true;
  } catch {
    return false;
  }
}

/** The community's language from the read model (questions are written in it); English if unknown. */
async function communityLanguage(deps: CommunityDeps, communityId: string): Promise<string> {
  const { rows } = await deps.pool.query<{ language: string }>(
    'select language from community_communities where community_id = $1',
    [communityId],
  );
  return rows[0]?.language ?? 'en';
}
