import type { RetryPolicy } from '@temporalio/workflow';

/**
 * How patient the transcoding saga is, per kind of activity. Travels in the workflow's input (a
 * run keeps the settings it started with; tests make heartbeats and retries fast); anything left
 * out takes the defaults. Pure data: imported by workflow code.
 */
export interface RetrySettings {
  /** 0 = unlimited. */
  maximumAttempts: number;
  initialIntervalMs: number;
  backoffCoefficient: number;
  maximumIntervalMs: number;
}

export interface MediaWorkSettings extends RetrySettings {
  /**
   * A worker that stops heartbeating (it died) loses the work after this, and another worker takes
   * it. Also bounds how soon a cancelled ffmpeg is killed: the cancellation arrives with a heartbeat.
   */
  heartbeatTimeoutMs: number;
  /** One attempt may take `minTimeoutMs + timeoutPerMediaSecondMs × duration`. */
  minTimeoutMs: number;
  timeoutPerMediaSecondMs: number;
  /**
   * The task queue of ffprobe/ffmpeg/sharp work, when it should go to workers of its own (their
   * activity slots sized to their cores) instead of the saga's queue, where it would hold the
   * slots that short command activities of every saga need. Unset: the workflow's own queue.
   */
  taskQueue?: string;
}

export interface TranscodingSettings {
  /** Commands and reads against the event store: retried until the store answers. */
  commands: RetrySettings;
  /** ffprobe and the moderation checker. */
  inspection: RetrySettings & { timeoutMs: number };
  /** ffmpeg and sharp: renditions, HLS, thumbnails, images, audio. */
  media: MediaWorkSettings;
}

export type TranscodingSettingsInput = {
  [Part in keyof TranscodingSettings]?: Partial<TranscodingSettings[Part]>;
};

export const DEFAULT_TRANSCODING_SETTINGS: TranscodingSettings = {
  commands: {
    maximumAttempts: 0,
    initialIntervalMs: 1_000,
    backoffCoefficient: 2,
    maximumIntervalMs: 60_000,
  },
  inspection: {
    maximumAttempts: 5,
    initialIntervalMs: 2_000,
    backoffCoefficient: 2,
    maximumIntervalMs: 60_000,
    timeoutMs: 120_000,
  },
  // Three attempts: a killed worker or a starved machine gets another go, a file that breaks
  // ffmpeg every time fails the asset within minutes.
  media: {
    maximumAttempts: 3,
    initialIntervalMs: 2_000,
    backoffCoefficient: 2,
    maximumIntervalMs: 30_000,
    heartbeatTimeoutMs: 10_000,
    minTimeoutMs: 10 * 60_000,
    timeoutPerMediaSecondMs: 10_000,
  },
};

export function resolveSettings(input: TranscodingSettingsInput = {}): TranscodingSettings {
  return {
    commands: { ...DEFAULT_TRANSCODING_SETTINGS.commands, ...input.commands },
    inspection: { ...DEFAULT_TRANSCODING_SETTINGS.inspection, ...input.inspection },
    media: { ...DEFAULT_TRANSCODING_SETTINGS.media, ...input.media },
  };
}

/** Failures of these types will fail again: they are never retried. */
export const NON_RETRYABLE_MEDIA_FAILURES = ['INVALID_MEDIA'];

export function retryPolicy(settings: RetrySettings, nonRetryableErrorTypes: string[] = []): RetryPolicy {
  return {
    // Temporal refuses 0; unlimited is the field left out.
    ...(settings.maximumAttempts > 0 ? { maximumAttempts: settings.maximumAttempts } : {}),
    initialInterval: settings.initialIntervalMs,
    backoffCoefficient: settings.backoffCoefficient,
    maximumInterval: settings.maximumIntervalMs,
    ...(nonRetryableErrorTypes.length > 0 ? { nonRetryableErrorTypes } : {}),
  };
}
