import { ApplicationFailure, activityInfo, cancellationSignal, heartbeat } from '@temporalio/activity';
import { AiProviderError } from '../../ai/errors.ts';
import type { AiKind } from '../../ai/provider.ts';
import { WebhookError } from '../../channels/webhook-channel.ts';
import { uuidv5 } from '../../commands/event-ids.ts';
import { loadAggregate } from '../../commands/load-aggregate.ts';
import { aiGenerationStream } from '../../domain/ai/streams.ts';
import { brandAggregate } from '../../domain/brands/brand-decider.ts';
import type { Brand } from '../../domain/brands/brand-state.ts';
import { brandStream } from '../../domain/brands/streams.ts';
import type { ContentSagaCommand } from '../../domain/content/content-commands.ts';
import { contentAggregate } from '../../domain/content/content-decider.ts';
import type { Content } from '../../domain/content/content-state.ts';
import { contentStream } from '../../domain/content/streams.ts';
import type { Actor } from '../../domain/shared/decider.ts';
import { notFound } from '../../domain/shared/domain-error.ts';
import { aiGenerations } from '../../services/ai/aggregates.ts';
import {
  type AiGeneration,
  type GenerationRequest,
  runGeneration,
} from '../../services/ai/run-generation.ts';
import type { PublishingDeps } from '../../services/publishing-deps.ts';
import { execute, nowFrom } from '../../services/shared/command-context.ts';
import { commonActivityFailure } from '../activity-failures.ts';
import { PUBLISHING_PROCESS } from './ids.ts';
import type { SagaRef } from './types.ts';

/** Names every id the publishing saga derives (command ids, AI request ids, idempotency keys). */
const PUBLISHING_NAMESPACE = 'd16ec8a2-eb40-4e80-bc03-181dd91f02f3';

export const SAGA_ACTOR: Actor = { kind: 'system', process: PUBLISHING_PROCESS };

/** The same saga step always gets the same id: a retried activity's command appends nothing new. */
export const sagaId = (saga: string, step: string) => uuidv5(`${saga}:${step}`, PUBLISHING_NAMESPACE);

/** Issues one of the saga's commands on the content's stream, as `system:publishing`. */
export function issue(deps: PublishingDeps, ref: SagaRef, step: string, command: ContentSagaCommand) {
  return execute(deps, contentAggregate, contentStream(ref.contentId), {
    commandId: sagaId(ref.sagaId, step),
    correlationId: ref.correlationId,
    causationId: ref.causationId,
    actor: SAGA_ACTOR,
    now: nowFrom(deps),
    command,
  });
}

/**
 * Runs an activity's body and turns what it throws into what Temporal should do about it: a domain
 * refusal will be refused again (non-retryable, typed by its reason so the workflow can tell
 * PUBLICATION_ENDED from the rest), so will invalid input or a misconfigured AI provider; a busy
 * provider, a lost write race, a 5xx or a timeout are retried by the activity's retry policy;
 * anything else (the database is away) is retried too.
 */
export async function asActivity<T>(work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    throw activityFailure(error);
  }
}

function activityFailure(error: unknown): unknown {
  const common = commonActivityFailure(error);
  if (common) return common;
  if (error instanceof WebhookError) {
    const delay = error.retryAfterMs && Math.min(error.retryAfterMs, 600_000);
    return ApplicationFailure.create({
      message: error.message,
      type: error.code,
      nonRetryable: !error.retryable,
      details: [{ status: error.status ?? null }],
      ...(delay ? { nextRetryDelay: delay } : {}),
    });
  }
  if (error instanceof AiProviderError) {
    return ApplicationFailure.create({ message: error.message, type: error.code, nonRetryable: true });
  }
  return error;
}

/**
 * Runs long work while telling Temporal the activity is alive (only when the activity has a
 * heartbeat timeout, as Temporal asks), and hands it the activity's cancellation signal.
 */
export async function withHeartbeat<T>(work: (signal: AbortSignal) => Promise<T>): Promise<T> {
  const { heartbeatTimeoutMs } = activityInfo();
  if (!heartbeatTimeoutMs) return work(cancellationSignal());
  heartbeat();
  const timer = setInterval(() => heartbeat(), Math.max(100, Math.floor(heartbeatTimeoutMs / 3)));
  try {
    return await work(cancellationSignal());
  } finally {
    clearInterval(timer);
  }
}

/**
 * One AI generation per saga step, recorded as AIGeneration events. The request id derives from
 * the saga, the step and the attempt: a retry after a recorded failure needs a new id (a failed
 * request stays failed), while a retry after a completed generation (the worker died before the
 * activity reported back) finds it and reuses its output instead of generating twice.
 */
export async function generateOnce<Kind extends AiKind>(
  deps: PublishingDeps,
  ref: SagaRef,
  step: string,
  request: Omit<GenerationRequest<Kind>, 'requestId' | 'context' | 'signal'>,
  signal: AbortSignal,
): Promise<AiGeneration<Kind>> {
  const context = { actor: SAGA_ACTOR, correlationId: ref.correlationId };
  const requestIdOf = (attempt: number) => sagaId(ref.sagaId, `ai:${step}:${attempt}`);
  const { attempt } = activityInfo();
  for (let earlier = 1; earlier < attempt; earlier++) {
    const requestId = requestIdOf(earlier);
    const { state } = await loadAggregate(deps, aiGenerations, aiGenerationStream(requestId));
    if (state.status === 'completed') return runGeneration(deps, { ...request, requestId, context });
  }
  return runGeneration(deps, { ...request, requestId: requestIdOf(attempt), context, signal });
}

/** The content as it stands now; saga activities only run for content that exists. */
export async function loadContent(deps: PublishingDeps, contentId: string): Promise<Content> {
  const { state } = await loadAggregate(deps, contentAggregate, contentStream(contentId));
  if (state.status === 'none') throw notFound('CONTENT_NOT_FOUND', `No content ${contentId}`);
  return state;
}

export async function loadBrand(deps: PublishingDeps, brandId: string): Promise<Brand | undefined> {
  const { state } = await loadAggregate(deps, brandAggregate, brandStream(brandId));
  return state.status === 'none' ? undefined : state;
}

/** Reasons and details are stored in events that hold at most 2,000 characters each. */
export const NOTE_LIMIT = 2_000;

export const note = (text: string) =>
  text.length <= NOTE_LIMIT ? text : `${text.slice(0, NOTE_LIMIT - 1)}…`;
