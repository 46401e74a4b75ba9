import {
  ActivityFailure,
  ApplicationFailure,
  condition,
  defineQuery,
  defineSignal,
  log,
  patched,
  proxyActivities,
  setHandler,
  TimeoutFailure,
  workflowInfo,
} from '@temporalio/workflow';
import type {
  ContentMetadata,
  DeliveryFailure,
  PublishFailureStage,
  PublishStep,
} from '../../domain/content/content-values.ts';
import { COMMAND_ATTEMPT_TIMEOUT_MS } from '../command-timeout.ts';
import type { PublishingActivities } from './activities.ts';
import {
  type CompensationFailure,
  CompensationStack,
  describeFailure,
  failureType,
} from './compensations.ts';
import { unpublishedDelivery } from './deliveries.ts';
import { deliveryFailureOf, statusIn } from './delivery-failures.ts';
import { CANCEL_PUBLICATION_SIGNAL, PROGRESS_QUERY } from './ids.ts';
import {
  applySignalOnce,
  type ChannelProgress,
  initialProgress,
  type PublicationProgress,
  type SagaState,
  withChannel,
  withChannels,
  withCompensationFailures,
  withFailure,
  withState,
  withStep,
} from './progress.ts';
import { type PublishingSettings, resolveSettings, retryPolicy } from './settings.ts';
import type {
  PublicationPlan,
  PublishContentInput,
  PublishOutcome,
  PublishResult,
  SagaRef,
  WebhookChannel,
} from './types.ts';

/** Carries the id of the ContentPublishCancelled event: a repeated delivery is ignored. */
export const cancelPublicationSignal = defineSignal<[{ eventId: string }]>(CANCEL_PUBLICATION_SIGNAL);
export const progressQuery = defineQuery<PublicationProgress>(PROGRESS_QUERY);

/**
 * The publishing saga, started by ContentPublishRequested: wait until `publishAt` (a durable
 * timer the cancel signal ends), then validate → compliance → metadata → each channel → notify →
 * complete, each step recorded on the content. A channel that fails for good unwinds what was
 * done, last first, and the publication fails at the `channels` stage; a compensation that fails
 * is recorded, logged, and fails this run so it is seen.
 */
export async function publishContent(input: PublishContentInput): Promise<PublishResult> {
  const { workflowId } = workflowInfo();
  const saga = new PublicationSaga(
    {
      sagaId: workflowId,
      contentId: input.contentId,
      publicationId: input.publicationId,
      correlationId: input.correlationId ?? workflowId,
      causationId: input.causationId ?? workflowId,
    },
    input.publishAt,
    resolveSettings(input.settings),
  );
  setHandler(progressQuery, () => saga.progress);
  setHandler(cancelPublicationSignal, ({ eventId }) => saga.cancel(eventId));
  return saga.run();
}

/** Activities by how they are retried. */
function activitiesFor(settings: PublishingSettings) {
  return {
    commands: proxyActivities<PublishingActivities>({
      startToCloseTimeout: COMMAND_ATTEMPT_TIMEOUT_MS,
      retry: retryPolicy(settings.commands),
    }),
    ai: proxyActivities<PublishingActivities>({
      startToCloseTimeout: '5 minutes',
      heartbeatTimeout: '30 seconds',
      retry: retryPolicy(settings.ai),
    }),
    delivery: proxyActivities<PublishingActivities>({
      // The HTTP timeout ends the attempt first; heartbeats notice a worker that died sooner.
      startToCloseTimeout: settings.delivery.requestTimeoutMs + 10_000,
      heartbeatTimeout: settings.delivery.heartbeatTimeoutMs,
      retry: retryPolicy(settings.delivery),
    }),
  };
}

export type SagaActivities = ReturnType<typeof activitiesFor>;

/** A step's verdict that ends the publication (not an error of the saga itself). */
class StageFailure extends Error {
  constructor(
    readonly stage: PublishFailureStage,
    readonly reasons: string[],
  ) {
    super(reasons.join('; '));
  }
}

/** The publication was cancelled (the signal, or the domain refusing because it was). */
class Cancelled extends Error {
  constructor() {
    super('The publication was cancelled');
  }
}

/**
 * Runs that started before channel failures were recorded replay without that step (Temporal
 * patching), so a worker upgraded mid-publication does not trip over its own history.
 */
const RECORD_CHANNEL_FAILURE = 'record-channel-failure';

/** Refusals meaning someone else ended the publication meanwhile (a cancel raced the saga). */
const ENDED_ELSEWHERE = ['PUBLICATION_ENDED', 'STALE_PUBLICATION'];
const endedElsewhere = (error: unknown) => ENDED_ELSEWHERE.includes(failureType(error) ?? '');

class PublicationSaga {
  progress: PublicationProgress;
  private cancelled = false;
  private currentStep: PublishStep = 'validate';
  private readonly compensations = new CompensationStack();
  private readonly acts: SagaActivities;

  constructor(
    private readonly ref: SagaRef,
    private readonly publishAt: string | null,
    private readonly settings: PublishingSettings,
  ) {
    this.progress = initialProgress({
      contentId: ref.contentId,
      publicationId: ref.publicationId,
      publishAt,
    });
    this.acts = activitiesFor(settings);
  }

  cancel(eventId: string): void {
    const { progress, applied } = applySignalOnce(this.progress, eventId);
    this.progress = progress;
    if (applied) this.cancelled = true;
  }

  async run(): Promise<PublishResult> {
    if (!(await this.waitUntilDue())) return this.end('cancelled');
    try {
      await this.acts.commands.startPublication(this.ref);
    } catch (error) {
      if (endedElsewhere(error)) return this.end(this.cancelled ? 'cancelled' : 'ended');
      throw error;
    }
    this.progress = withState(this.progress, 'running');
    try {
      const plan = await this.step('validate', () => this.validate());
      await this.step('compliance', () => this.review(plan));
      const metadata = await this.step('metadata', () => this.generateMetadata(plan));
      await this.step('channels', () => this.publishEverywhere(plan, metadata));
      await this.step('notify', () => this.acts.commands.notifyStakeholders(this.ref, 'published'));
      await this.acts.commands.completePublication(this.ref);
      return this.end('published');
    } catch (error) {
      return this.fail(error);
    }
  }

  /** The durable timer: false when the cancel signal ended it. */
  private async waitUntilDue(): Promise<boolean> {
    const due = this.publishAt ? Date.parse(this.publishAt) - Date.now() : 0;
    if (due > 0) await condition(() => this.cancelled, due);
    return !this.cancelled;
  }

  private async validate(): Promise<PublicationPlan> {
    const verdict = await this.acts.commands.validatePublication(this.ref);
    if ('reasons' in verdict) throw new StageFailure('validate', verdict.reasons);
    this.progress = withChannels(this.progress, verdict.plan.channels);
    return verdict.plan;
  }

  private async review(plan: PublicationPlan): Promise<void> {
    const verdict = await this.acts.ai.reviewCompliance(this.ref, plan);
    if (!verdict.ok) throw new StageFailure('compliance', verdict.reasons);
  }

  private async generateMetadata(plan: PublicationPlan): Promise<ContentMetadata> {
    this.checkCancelled();
    // Pushed first: reverting metadata that was never recorded changes nothing.
    this.compensations.push('revert metadata', () => this.acts.commands.revertMetadata(this.ref));
    return this.acts.ai.generateMetadata(this.ref, plan);
  }

  /** One channel after the other, in the publication's order, so the undo order is plain. */
  private async publishEverywhere(plan: PublicationPlan, metadata: ContentMetadata): Promise<void> {
    const publishedAt = new Date().toISOString();
    for (const channel of plan.channels) {
      this.checkCancelled();
      this.setChannel(channel.channelId, { state: 'publishing' });
      try {
        const location =
          channel.kind === 'webhook'
            ? await this.publishToWebhook(channel, plan, metadata, publishedAt)
            : await this.publishToFeed(channel.channelId, plan);
        this.setChannel(channel.channelId, { state: 'published', location });
      } catch (error) {
        this.setChannel(channel.channelId, { state: 'failed', error: describeFailure(error) });
        if (endedElsewhere(error)) throw new Cancelled();
        await this.recordChannelFailed(channel.channelId, channelFailureOf(error));
        const where = channel.kind === 'webhook' ? `Webhook channel ${channel.url}` : 'Feed channel';
        throw new StageFailure('channels', [`${where}: ${describeFailure(error)}`]);
      }
    }
  }

  /** The channel's final state on the content: what its members see as `failed`, and why. */
  private async recordChannelFailed(channelId: string, failure: DeliveryFailure): Promise<void> {
    if (!patched(RECORD_CHANNEL_FAILURE)) return;
    try {
      await this.acts.commands.recordChannelFailed(this.ref, channelId, failure);
    } catch (error) {
      if (endedElsewhere(error)) throw new Cancelled();
      throw error;
    }
  }

  private async publishToWebhook(
    channel: WebhookChannel,
    plan: PublicationPlan,
    metadata: ContentMetadata,
    publishedAt: string,
  ): Promise<string> {
    const { contentId, publicationId } = this.ref;
    const receipt = await this.acts.delivery.deliverWebhook(
      this.ref,
      channel,
      {
        type: 'content.published',
        contentId,
        publicationId,
        brandId: plan.brandId,
        title: plan.title,
        fields: plan.fields,
        metadata,
        publishedAt,
      },
      this.settings.delivery.requestTimeoutMs,
    );
    // The receiver has it now, recorded or not: from here on, failing means telling it to take it down.
    this.compensations.push(`unpublish webhook channel ${channel.channelId}`, () =>
      this.unpublishWebhook(channel, plan),
    );
    await this.acts.commands.recordChannelPublished(this.ref, channel.channelId, receipt.location);
    return receipt.location;
  }

  private async publishToFeed(channelId: string, plan: PublicationPlan): Promise<string> {
    this.compensations.push(`unpublish feed channel ${channelId}`, async () => {
      await this.acts.commands.recordChannelUnpublished(this.ref, channelId);
      this.setChannel(channelId, { state: 'unpublished' });
    });
    return this.acts.commands.publishToFeed(this.ref, plan, channelId);
  }

  private async unpublishWebhook(channel: WebhookChannel, plan: PublicationPlan): Promise<void> {
    this.setChannel(channel.channelId, { state: 'unpublishing' });
    try {
      await this.acts.delivery.deliverWebhook(
        this.ref,
        channel,
        unpublishedDelivery(this.ref, plan.brandId),
        this.settings.delivery.requestTimeoutMs,
      );
      await this.acts.commands.recordChannelUnpublished(this.ref, channel.channelId);
      this.setChannel(channel.channelId, { state: 'unpublished' });
    } catch (error) {
      this.setChannel(channel.channelId, { state: 'unpublish_failed', error: describeFailure(error) });
      throw error;
    }
  }

  /** Records a step's start and its outcome; the detail of a failure is its reasons. */
  private async step<T>(step: PublishStep, work: () => Promise<T>): Promise<T> {
    this.currentStep = step;
    await this.record(step, 'started');
    let result: T;
    try {
      result = await work();
    } catch (error) {
      const detail = error instanceof StageFailure ? error.reasons.join('\n') : describeFailure(error);
      await this.record(step, 'failed', detail);
      throw error;
    }
    await this.record(step, 'completed');
    return result;
  }

  private async record(step: PublishStep, outcome: 'started' | 'completed' | 'failed', detail?: string) {
    await this.acts.commands.recordPublishStep(this.ref, step, outcome, detail ?? null);
    this.progress = withStep(this.progress, {
      step,
      outcome,
      detail: detail ?? null,
      at: new Date().toISOString(),
    });
  }

  private checkCancelled(): void {
    if (this.cancelled) throw new Cancelled();
  }

  /**
   * Undo, then say why: the publication fails at the stage that failed (anything unexpected after
   * compliance counts as `channels`, which leaves the content approved so it can be published
   * again), and the stakeholders hear of it. A cancel that raced the saga just ends it.
   */
  private async fail(error: unknown): Promise<PublishResult> {
    const cancelled = error instanceof Cancelled || endedElsewhere(error);
    const stage = error instanceof StageFailure ? error.stage : stageOf(this.currentStep);
    const reasons = error instanceof StageFailure ? error.reasons : [describeFailure(error)];
    const compensationFailures = await this.compensate();
    if (cancelled) return this.end('cancelled', [], compensationFailures);
    this.progress = withFailure(this.progress, stage, reasons);
    try {
      await this.acts.commands.failPublication(this.ref, stage, reasons);
    } catch (failure) {
      if (!endedElsewhere(failure)) throw failure;
      return this.end(this.cancelled ? 'cancelled' : 'ended', reasons, compensationFailures);
    }
    await this.acts.commands.notifyStakeholders(this.ref, 'failed');
    return this.end('failed', reasons, compensationFailures);
  }

  /** Unwinds the stack, recording the compensation and any compensation that failed. */
  private async compensate(): Promise<CompensationFailure[]> {
    if (this.compensations.size === 0) return [];
    this.progress = withState(this.progress, 'compensating');
    await this.record('compensate', 'started');
    const failures = await this.compensations.unwind();
    if (failures.length === 0) {
      await this.record('compensate', 'completed');
      return failures;
    }
    const detail = failures.map((failure) => `${failure.name}: ${failure.error}`).join('\n');
    log.error('Compensation failed: the content may still be on a channel', { ...this.ref, failures });
    await this.record('compensate', 'failed', detail);
    this.progress = withCompensationFailures(
      this.progress,
      failures.map((failure) => `${failure.name}: ${failure.error}`),
    );
    return failures;
  }

  private end(
    outcome: PublishOutcome,
    reasons: string[] = [],
    compensationFailures: CompensationFailure[] = [],
  ): PublishResult {
    this.progress = withState(this.progress, stateOf(outcome));
    const failures = compensationFailures.map((failure) => `${failure.name}: ${failure.error}`);
    if (failures.length > 0) {
      // Recorded on the content already; failing the run makes it visible to whoever operates Temporal.
      throw ApplicationFailure.create({
        message: `Publication ${outcome}, but compensating failed: ${failures.join('; ')}`,
        type: 'CompensationFailed',
        nonRetryable: true,
        details: [{ outcome, reasons, compensationFailures: failures }],
      });
    }
    return { outcome, reasons, compensationFailures: failures };
  }

  private setChannel(channelId: string, changes: Partial<Omit<ChannelProgress, 'channelId' | 'kind'>>) {
    this.progress = withChannel(this.progress, channelId, changes);
  }
}

/** Why a channel failed, as the content records it (see deliveryFailureOf). */
function channelFailureOf(error: unknown): DeliveryFailure {
  const cause = error instanceof ActivityFailure ? error.cause : error;
  if (cause instanceof TimeoutFailure) return deliveryFailureOf({ timedOut: true });
  if (cause instanceof ApplicationFailure) {
    return deliveryFailureOf({ type: cause.type, status: statusIn(cause.details) });
  }
  return deliveryFailureOf({});
}

function stageOf(step: PublishStep): PublishFailureStage {
  return step === 'validate' || step === 'compliance' ? step : 'channels';
}

function stateOf(outcome: PublishOutcome): SagaState {
  switch (outcome) {
    case 'published':
      return 'published';
    case 'failed':
      return 'failed';
    case 'cancelled':
    case 'ended':
      return 'cancelled';
  }
}
