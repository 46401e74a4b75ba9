import type { ChannelKind } from '../../domain/brands/brand-values.ts';
import type {
  PublishFailureStage,
  PublishStep,
  PublishStepOutcome,
} from '../../domain/content/content-values.ts';

/**
 * What the `progress` query answers: the saga's own view of where it is, updated as it goes
 * (the recorded events say the same, once the read models have caught up). Pure bookkeeping,
 * imported by the workflow.
 */
export type SagaState = 'scheduled' | 'running' | 'compensating' | 'published' | 'failed' | 'cancelled';

export type ChannelState =
  | 'pending'
  | 'publishing'
  | 'published'
  | 'failed'
  | 'unpublishing'
  | 'unpublished'
  | 'unpublish_failed';

export interface StepProgress {
  step: PublishStep;
  outcome: PublishStepOutcome;
  detail: string | null;
  at: string;
}

export interface ChannelProgress {
  channelId: string;
  kind: ChannelKind;
  state: ChannelState;
  location: string | null;
  error: string | null;
}

export interface PublicationProgress {
  contentId: string;
  publicationId: string;
  publishAt: string | null;
  state: SagaState;
  steps: StepProgress[];
  channels: ChannelProgress[];
  failure: { stage: PublishFailureStage; reasons: string[] } | null;
  compensationFailures: string[];
  /** Ids of the cancel signals applied (a repeated signal is ignored). */
  signals: string[];
}

export function initialProgress(input: {
  contentId: string;
  publicationId: string;
  publishAt: string | null;
}): PublicationProgress {
  return {
    ...input,
    state: input.publishAt ? 'scheduled' : 'running',
    steps: [],
    channels: [],
    failure: null,
    compensationFailures: [],
    signals: [],
  };
}

export const withState = (progress: PublicationProgress, state: SagaState): PublicationProgress => ({
  ...progress,
  state,
});

export const withStep = (progress: PublicationProgress, step: StepProgress): PublicationProgress => ({
  ...progress,
  steps: [...progress.steps, step],
});

export function withChannels(
  progress: PublicationProgress,
  channels: readonly { channelId: string; kind: ChannelKind }[],
): PublicationProgress {
  return {
    ...progress,
    channels: channels.map(({ channelId, kind }) => ({
      channelId,
      kind,
      state: 'pending',
      location: null,
      error: null,
    })),
  };
}

export function withChannel(
  progress: PublicationProgress,
  channelId: string,
  changes: Partial<Omit<ChannelProgress, 'channelId' | 'kind'>>,
): PublicationProgress {
  return {
    ...progress,
    channels: progress.channels.map((channel) =>
      channel.channelId === channelId ? { ...channel, ...changes } : channel,
    ),
  };
}

export const withFailure = (
  progress: PublicationProgress,
  stage: PublishFailureStage,
  reasons: string[],
): PublicationProgress => ({ ...progress, failure: { stage, reasons } });

export const withCompensationFailures = (
  progress: PublicationProgress,
  failures: string[],
): PublicationProgress => ({
  ...progress,
  compensationFailures: [...progress.compensationFailures, ...failures],
});

/** Applies a signal once: a repeat (the process manager delivers at least once) changes nothing. */
export function applySignalOnce(
  progress: PublicationProgress,
  eventId: string,
): { progress: PublicationProgress; applied: boolean } {
  if (progress.signals.includes(eventId)) return { progress, applied: false };
  return { progress: { ...progress, signals: [...progress.signals, eventId] }, applied: true };
}
