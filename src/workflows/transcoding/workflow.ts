import {
  ActivityCancellationType,
  CancellationScope,
  defineQuery,
  defineSignal,
  isCancellation,
  log,
  patched,
  proxyActivities,
  setHandler,
  workflowInfo,
} from '@temporalio/workflow';
import type { AudioFormat } from '../../media/audio.ts';
import { ladderFor } from '../../media/ladder.ts';
import { COMMAND_ATTEMPT_TIMEOUT_MS } from '../command-timeout.ts';
import type { TranscodingActivities } from './activities.ts';
import { describeFailure, failureType, StageFailure } from './failures.ts';
import { DELETE_MEDIA_SIGNAL, TRANSCODING_PROGRESS_QUERY } from './ids.ts';
import {
  NON_RETRYABLE_MEDIA_FAILURES,
  resolveSettings,
  retryPolicy,
  type TranscodingSettings,
} from './settings.ts';
import type {
  AssetFacts,
  Manifest,
  MediaProbe,
  ProcessingStep,
  SagaRef,
  TranscodeMediaInput,
  TranscodeOutcome,
  TranscodingProgress,
} from './types.ts';

/** Sent by the process manager on MediaDeleted (with the event id; a repeat changes nothing). */
export const deleteMediaSignal = defineSignal<[{ eventId: string }]>(DELETE_MEDIA_SIGNAL);
export const transcodingProgressQuery = defineQuery<TranscodingProgress>(TRANSCODING_PROGRESS_QUERY);

/**
 * The transcoding saga, started by MediaUploaded: start → probe → moderation → the kind's
 * renditions (video: the MP4 ladder in parallel, then HLS, then thumbnails; image: WebP/AVIF;
 * audio: AAC and Opus; file: nothing) → ready with the manifest. Any failure removes what was
 * stored and records why, at the stage it happened. `deleteMedia` cancels the work in flight
 * (ffmpeg is killed), removes the outputs and ends the saga.
 */
export async function transcodeMedia(input: TranscodeMediaInput): Promise<TranscodeOutcome> {
  const { workflowId } = workflowInfo();
  const saga = new TranscodingSaga(
    {
      sagaId: workflowId,
      assetId: input.assetId,
      correlationId: input.correlationId ?? workflowId,
      causationId: input.causationId ?? workflowId,
    },
    resolveSettings(input.settings),
  );
  setHandler(deleteMediaSignal, () => saga.delete());
  setHandler(transcodingProgressQuery, () => saga.progress);
  return saga.run();
}

/**
 * Started by MediaDeleted beside the signal: removes every object of the asset (original,
 * renditions, a direct upload's incoming object), retried until the storage answers. `deleteMedia`
 * tries the same at once, but a failure there is only logged; this is what makes the removal
 * durable, which matters most with presigned URLs: the storage serves those bytes itself, with no
 * check of the asset's status. Harmless while the saga still runs: it cleans up after its
 * cancelled work too.
 */
export async function purgeMediaOutputs(
  input: Pick<TranscodeMediaInput, 'assetId' | 'settings'>,
): Promise<void> {
  const settings = resolveSettings(input.settings);
  const { commands } = activitiesFor(settings);
  // Purges started before this change removed the renditions alone; they replay as they ran.
  if (patched(PURGE_WHOLE_ASSET)) await commands.deleteAssetObjects(input.assetId);
  else await commands.deleteMediaOutputs(input.assetId);
}

const PURGE_WHOLE_ASSET = 'purge-whole-asset';

/** Activities by how they are retried and how long they may take. */
function activitiesFor(settings: TranscodingSettings) {
  return {
    commands: proxyActivities<TranscodingActivities>({
      startToCloseTimeout: COMMAND_ATTEMPT_TIMEOUT_MS,
      retry: retryPolicy(settings.commands),
    }),
    inspection: proxyActivities<TranscodingActivities>({
      ...(settings.media.taskQueue ? { taskQueue: settings.media.taskQueue } : {}),
      startToCloseTimeout: settings.inspection.timeoutMs,
      heartbeatTimeout: settings.media.heartbeatTimeoutMs,
      retry: retryPolicy(settings.inspection, NON_RETRYABLE_MEDIA_FAILURES),
    }),
  };
}

/**
 * ffmpeg and sharp work: heartbeats notice a dead worker (the work moves to another), the time
 * allowed grows with the media's length, and a cancelled activity is waited for until its ffmpeg
 * is gone, so nothing writes after the clean-up.
 */
function mediaActivities(settings: TranscodingSettings, durationSeconds: number | null) {
  const { media } = settings;
  return proxyActivities<TranscodingActivities>({
    ...(media.taskQueue ? { taskQueue: media.taskQueue } : {}),
    startToCloseTimeout: media.minTimeoutMs + Math.ceil(durationSeconds ?? 0) * media.timeoutPerMediaSecondMs,
    heartbeatTimeout: media.heartbeatTimeoutMs,
    retry: retryPolicy(media, NON_RETRYABLE_MEDIA_FAILURES),
    cancellationType: ActivityCancellationType.WAIT_CANCELLATION_COMPLETED,
  });
}

type Stage = ProcessingStep | 'start' | 'ready';

class TranscodingSaga {
  progress: TranscodingProgress;
  /** Everything the saga does runs in here, so `deleteMedia` can cancel it as a whole. */
  private readonly work = new CancellationScope();
  private deleted = false;
  private stage: Stage = 'start';
  private readonly acts: ReturnType<typeof activitiesFor>;

  constructor(
    private readonly ref: SagaRef,
    private readonly settings: TranscodingSettings,
  ) {
    this.acts = activitiesFor(settings);
    this.progress = { assetId: ref.assetId, state: 'running', step: 'start', renditionsDone: [] };
  }

  delete(): void {
    if (this.deleted) return;
    this.deleted = true;
    this.work.cancel();
  }

  async run(): Promise<TranscodeOutcome> {
    let outcome: TranscodeOutcome;
    try {
      outcome = await this.work.run(() => this.process());
    } catch (error) {
      if (this.deleted) return this.endDeleted();
      return this.fail(error);
    }
    // Deleted as the last step finished: what was just made goes too.
    if (this.deleted) return this.endDeleted();
    return this.end(outcome);
  }

  private async process(): Promise<TranscodeOutcome> {
    const started = await this.acts.commands.startMediaProcessing(this.ref);
    if ('skip' in started) return { outcome: 'skipped', reason: started.skip };
    const asset = started.start;
    const probe =
      asset.kind === 'file'
        ? null
        : await this.step('probe', () => this.acts.inspection.probeMedia(this.ref, asset));
    const verdict = await this.step('moderation', () =>
      this.acts.inspection.moderateMedia(this.ref, asset, probe),
    );
    if (verdict.decision === 'rejected') {
      const reasons = verdict.reasons.length > 0 ? verdict.reasons.join('; ') : 'no reason given';
      throw new StageFailure('moderation', `Moderation (${verdict.checker}) rejected the upload: ${reasons}`);
    }
    const manifest = await this.produce(asset, probe);
    this.stage = 'ready';
    await this.acts.commands.markMediaReady(this.ref, manifest);
    return { outcome: 'ready', renditions: manifest.renditions.length };
  }

  /** The renditions the asset's kind gets. */
  private async produce(asset: AssetFacts, probe: MediaProbe | null): Promise<Manifest> {
    if (asset.kind === 'file' || !probe) return { renditions: [], hlsMaster: null, poster: null };
    const media = mediaActivities(this.settings, probe.durationSeconds);
    switch (asset.kind) {
      case 'video': {
        const mp4s = await this.step('renditions', () =>
          this.allOrNothing(
            ladderFor(probe).map((rung) => async () => {
              const rendition = await media.transcodeVideoRendition(this.ref, asset, probe, rung.name);
              this.progress = {
                ...this.progress,
                renditionsDone: [...this.progress.renditionsDone, rung.name],
              };
              return rendition;
            }),
          ),
        );
        const hls = await this.step('hls', () => media.packageHlsRenditions(this.ref, mp4s));
        const thumbnails = await this.step('thumbnails', () =>
          media.generateThumbnails(this.ref, asset, probe),
        );
        return {
          renditions: [...mp4s, hls.master, ...hls.renditions, ...thumbnails],
          hlsMaster: hls.master.name,
          poster: thumbnails.find((still) => still.name === 'poster-jpeg')?.name ?? null,
        };
      }
      case 'image': {
        const images = await this.step('images', () =>
          media.transcodeImageRenditions(this.ref, asset, probe),
        );
        return { renditions: images, hlsMaster: null, poster: null };
      }
      case 'audio': {
        const formats: AudioFormat[] = ['aac', 'opus'];
        const audio = await this.step('audio', () =>
          this.allOrNothing(
            formats.map((format) => () => media.transcodeAudioRendition(this.ref, asset, probe, format)),
          ),
        );
        return { renditions: audio, hlsMaster: null, poster: null };
      }
    }
  }

  /** Records a step's start (0 %) and end (100 %) around it; the stage names a failure. */
  private async step<T>(step: ProcessingStep, work: () => Promise<T>): Promise<T> {
    this.stage = step;
    this.progress = { ...this.progress, step };
    await this.acts.commands.recordMediaProgress(this.ref, step, null, 0);
    const result = await work();
    await this.acts.commands.recordMediaProgress(this.ref, step, null, 100);
    return result;
  }

  /**
   * Runs the tasks side by side (the worker's activity slots bound how many run at once). The
   * first failure cancels the rest, and every task is waited for before the failure is passed on,
   * so no ffmpeg is still writing when the clean-up starts.
   */
  private async allOrNothing<T>(tasks: (() => Promise<T>)[]): Promise<T[]> {
    const siblings = new CancellationScope();
    const settled = await siblings.run(() =>
      Promise.allSettled(
        tasks.map((task) =>
          task().catch((error: unknown) => {
            siblings.cancel();
            throw error;
          }),
        ),
      ),
    );
    const failures = settled.flatMap((result) => (result.status === 'rejected' ? [result.reason] : []));
    const cause = failures.find((failure) => !isCancellation(failure)) ?? failures[0];
    if (failures.length > 0) throw cause;
    return settled.flatMap((result) => (result.status === 'fulfilled' ? [result.value] : []));
  }

  /**
   * Removes what was stored, then records the failure at its stage with a reason a person can
   * read. Runs shielded from cancellation (a cancelled workflow still cleans up after itself).
   */
  private async fail(error: unknown): Promise<TranscodeOutcome> {
    const stage = error instanceof StageFailure ? error.stage : this.stage;
    const reason =
      error instanceof StageFailure
        ? error.reason
        : isCancellation(error)
          ? 'Processing was cancelled'
          : describeFailure(error);
    log.warn('Media processing failed', { ...this.ref, stage, reason, type: failureType(error) ?? null });
    await CancellationScope.nonCancellable(async () => {
      await this.acts.commands.recordMediaProgress(this.ref, 'cleanup', null, 0);
      await this.acts.commands.deleteMediaOutputs(this.ref.assetId);
      await this.acts.commands.failMediaProcessing(this.ref, stage, reason);
      await this.acts.commands.recordMediaProgress(this.ref, 'cleanup', null, 100);
    });
    this.progress = { ...this.progress, state: 'failed' };
    return { outcome: 'failed', stage, reason };
  }

  /** The asset was deleted: its work was cancelled (and waited for); its outputs go. */
  private async endDeleted(): Promise<TranscodeOutcome> {
    await CancellationScope.nonCancellable(() => this.acts.commands.deleteMediaOutputs(this.ref.assetId));
    this.progress = { ...this.progress, state: 'deleted' };
    return { outcome: 'deleted' };
  }

  private end(outcome: TranscodeOutcome): TranscodeOutcome {
    this.progress = {
      ...this.progress,
      state: outcome.outcome === 'ready' ? 'ready' : 'skipped',
      step: null,
    };
    return outcome;
  }
}
