/**
 * Why media work failed, by code: the saga decides from the code whether trying again can help.
 * - `INVALID_MEDIA`: the file is not media we can read, or not the kind it claims; never retried.
 * - `TRANSCODE_FAILED`: ffmpeg or sharp gave up on a file they could open; retried a few times.
 * - `TOOL_MISSING`: ffmpeg/ffprobe is not installed on this worker; retried (another worker may have it).
 * - `CANCELLED`: the caller's AbortSignal stopped the work.
 */
export type MediaErrorCode = 'INVALID_MEDIA' | 'TRANSCODE_FAILED' | 'TOOL_MISSING' | 'CANCELLED';

export class MediaError extends Error {
  override readonly name = 'MediaError';
  readonly details: Record<string, unknown>;

  constructor(
    readonly code: MediaErrorCode,
    /** A sentence a person can act on, without paths or internals. */
    readonly reason: string,
    options: { cause?: unknown; details?: Record<string, unknown> } = {},
  ) {
    super(reason, options.cause === undefined ? undefined : { cause: options.cause });
    this.details = options.details ?? {};
  }

  get retryable(): boolean {
    return this.code === 'TRANSCODE_FAILED' || this.code === 'TOOL_MISSING';
  }
}

export const invalidMedia = (reason: string, details?: Record<string, unknown>) =>
  new MediaError('INVALID_MEDIA', reason, details ? { details } : {});
