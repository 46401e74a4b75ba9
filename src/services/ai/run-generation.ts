import { z } from 'zod';
import { AiProviderError } from '../../ai/errors.ts';
import {
  type AiInputOf,
  type AiKind,
  type AiLabel,
  type AiOutputOf,
  type AiProvider,
  type AiResult,
  type AiUsage,
  aiInputSchemas,
  aiOutputSchemas,
  callProvider,
} from '../../ai/provider.ts';
import { uuidv5 } from '../../commands/event-ids.ts';
import { loadAggregate } from '../../commands/load-aggregate.ts';
import { requireRequester } from '../../domain/ai/generation-decider.ts';
import type { AiGenerationEvent, AiGenerationEventOf } from '../../domain/ai/generation-events.ts';
import { aiGenerationStream } from '../../domain/ai/streams.ts';
import { conflict, DomainError } from '../../domain/shared/domain-error.ts';
import {
  envelope,
  execute,
  nowFrom,
  type RequestContext,
  type ServiceDeps,
} from '../shared/command-context.ts';
import { aiGenerations } from './aggregates.ts';
import { asProviderError, generationError } from './generation-errors.ts';

/** What AI use cases need: the command pipeline and the provider. */
export interface AiDeps extends ServiceDeps {
  ai: AiProvider;
}

export interface GenerationRequest<Kind extends AiKind> {
  /** Chosen by the caller (a client, or a saga from its workflow id): retrying with it is safe. */
  requestId: string;
  kind: Kind;
  input: AiInputOf<Kind>;
  brandId?: string | null;
  contentId?: string | null;
  context: RequestContext;
  signal?: AbortSignal;
}

export interface AiGeneration<Kind extends AiKind> {
  requestId: string;
  kind: Kind;
  output: AiOutputOf<Kind>;
  provider: string;
  model: string;
  /** `local-template` when the local templates wrote it: show it as such. */
  label: AiLabel;
  usage: AiUsage;
  durationMs: number;
  attempts: number;
  /** True when the request had already completed and the recorded output was returned. */
  replayed: boolean;
}

/** Names the command ids of a request's steps, so a retried request appends nothing twice. */
const AI_GENERATION_NAMESPACE = '5b0c8f5e-8d7a-4d0e-9a7c-3f1e2b6d4c9a';
const commandId = (requestId: string, step: 'request' | 'complete' | 'fail') =>
  uuidv5(`${requestId}:${step}`, AI_GENERATION_NAMESPACE);

const requestIdSchema = z.uuid();
const reference = z.string().trim().min(1).max(200).nullable();

/**
 * One AI generation, recorded: AIGenerationRequested, the provider's call, then AIGenerationCompleted
 * (with the validated output, tokens, duration and attempts) or AIGenerationFailed. Returns the
 * output, or throws the failure as a DomainError (see `generationError`).
 *
 * Safe to retry with the same `requestId`: every step's command id derives from it, a completed
 * request returns its recorded output without calling the provider again, and a failed one throws
 * its recorded failure (a new attempt needs a new request id). A request interrupted between
 * Requested and its outcome calls the provider again when retried.
 */
export async function runGeneration<Kind extends AiKind>(
  deps: AiDeps,
  request: GenerationRequest<Kind>,
): Promise<AiGeneration<Kind>> {
  const { kind, context } = request;
  const requestId = requestIdSchema.parse(request.requestId);
  const schema: z.ZodType<AiInputOf<Kind>> = aiInputSchemas[kind];
  const input = schema.parse(request.input);
  const stream = aiGenerationStream(requestId);

  const loaded = await loadAggregate(deps, aiGenerations, stream);
  const earlier = finishedOutcome(
    loaded.events.map((e) => e.event),
    request,
    input,
  );
  if (earlier) return earlier;

  const requested = await execute(
    deps,
    aiGenerations,
    stream,
    envelope(context, commandId(requestId, 'request'), nowFrom(deps), {
      type: 'RequestGeneration' as const,
      requestId,
      kind,
      brandId: reference.parse(request.brandId ?? null),
      contentId: reference.parse(request.contentId ?? null),
      provider: deps.ai.name,
      model: deps.ai.model,
    }),
  );
  checkSameRequest(requested.events, request);

  const started = performance.now();
  let result: AiResult<AiOutputOf<Kind>>;
  try {
    result = await callProvider(deps.ai, kind, input, request.signal ? { signal: request.signal } : {});
  } catch (error) {
    const failure = asProviderError(error);
    return recordFailure(deps, request, input, failure, Math.round(performance.now() - started));
  }
  return recordCompletion(deps, request, input, result);
}

async function recordCompletion<Kind extends AiKind>(
  deps: AiDeps,
  request: GenerationRequest<Kind>,
  input: AiInputOf<Kind>,
  result: AiResult<AiOutputOf<Kind>>,
): Promise<AiGeneration<Kind>> {
  const { requestId, context } = request;
  const stream = aiGenerationStream(requestId);
  try {
    const completed = await execute(
      deps,
      aiGenerations,
      stream,
      envelope(context, commandId(requestId, 'complete'), nowFrom(deps), {
        type: 'CompleteGeneration' as const,
        provider: result.provider,
        model: result.model,
        label: result.label,
        promptTokens: result.usage.promptTokens,
        completionTokens: result.usage.completionTokens,
        totalTokens: result.usage.totalTokens,
        durationMs: result.durationMs,
        attempts: result.attempts,
        output: result.output,
      }),
    );
    const event = completed.events.find((e) => e.type === 'AIGenerationCompleted');
    if (event?.type === 'AIGenerationCompleted') {
      return fromCompletion(event.data, request, input, completed.replayed);
    }
  } catch (error) {
    if (!finishedMeanwhile(error)) throw error;
  }
  return settledElsewhere(deps, request, input);
}

async function recordFailure<Kind extends AiKind>(
  deps: AiDeps,
  request: GenerationRequest<Kind>,
  input: AiInputOf<Kind>,
  failure: AiProviderError,
  durationMs: number,
): Promise<never> {
  const { requestId, context } = request;
  deps.log.warn(
    {
      requestId,
      kind: request.kind,
      code: failure.code,
      attempts: failure.attempts,
      correlationId: context.correlationId,
    },
    'AI generation failed',
  );
  try {
    await execute(
      deps,
      aiGenerations,
      aiGenerationStream(requestId),
      envelope(context, commandId(requestId, 'fail'), nowFrom(deps), {
        type: 'FailGeneration' as const,
        provider: deps.ai.name,
        model: deps.ai.model,
        errorCode: failure.code,
        message: failure.message.slice(0, 2000),
        durationMs,
        attempts: failure.attempts,
      }),
    );
  } catch (error) {
    if (!finishedMeanwhile(error)) throw error;
    // Another run of the same request finished first: its outcome is the request's outcome.
    await settledElsewhere(deps, request, input);
  }
  throw generationError(failure);
}

const finishedMeanwhile = (error: unknown) =>
  error instanceof DomainError && error.reason === 'AI_GENERATION_FINISHED';

/** A concurrent run of the same request recorded the outcome first: that one stands. */
async function settledElsewhere<Kind extends AiKind>(
  deps: AiDeps,
  request: GenerationRequest<Kind>,
  input: AiInputOf<Kind>,
): Promise<AiGeneration<Kind>> {
  const loaded = await loadAggregate(deps, aiGenerations, aiGenerationStream(request.requestId));
  const outcome = finishedOutcome(
    loaded.events.map((e) => e.event),
    request,
    input,
  );
  if (!outcome) throw new Error(`AI request ${request.requestId} has no outcome after finishing`);
  return outcome;
}

/**
 * The recorded outcome of a finished request (its output, or its failure thrown again); undefined
 * while it has none. A request id reused for another kind, or by someone else, is refused.
 */
function finishedOutcome<Kind extends AiKind>(
  events: readonly AiGenerationEvent[],
  request: GenerationRequest<Kind>,
  input: AiInputOf<Kind>,
): AiGeneration<Kind> | undefined {
  if (events.length === 0) return undefined;
  checkSameRequest(events, request);
  for (const event of events) {
    if (event.type === 'AIGenerationCompleted') return fromCompletion(event.data, request, input, true);
    if (event.type === 'AIGenerationFailed') {
      const { errorCode, message, attempts } = event.data;
      throw generationError(new AiProviderError(errorCode, message, { attempts }));
    }
  }
  return undefined;
}

function checkSameRequest<Kind extends AiKind>(
  events: readonly AiGenerationEvent[],
  request: GenerationRequest<Kind>,
): void {
  const requested = events.find((event) => event.type === 'AIGenerationRequested');
  if (requested?.type !== 'AIGenerationRequested') return;
  requireRequester(request.context.actor, requested.data.requestedBy);
  if (requested.data.kind !== request.kind) {
    throw conflict(
      'AI_REQUEST_ID_REUSED',
      `AI request ${request.requestId} was a ${requested.data.kind} request`,
    );
  }
}

function fromCompletion<Kind extends AiKind>(
  completion: AiGenerationEventOf<'AIGenerationCompleted'>['data'],
  request: GenerationRequest<Kind>,
  input: AiInputOf<Kind>,
  replayed: boolean,
): AiGeneration<Kind> {
  const schema: (input: AiInputOf<Kind>) => z.ZodType<AiOutputOf<Kind>> = aiOutputSchemas[request.kind];
  const output = schema(input).safeParse(completion.output);
  if (!output.success) {
    throw conflict('AI_REQUEST_ID_REUSED', `AI request ${request.requestId} was made with a different input`);
  }
  return {
    requestId: completion.requestId,
    kind: request.kind,
    output: output.data,
    provider: completion.provider,
    model: completion.model,
    label: completion.label,
    usage: {
      promptTokens: completion.promptTokens,
      completionTokens: completion.completionTokens,
      totalTokens: completion.totalTokens,
    },
    durationMs: completion.durationMs,
    attempts: completion.attempts,
    replayed,
  };
}
