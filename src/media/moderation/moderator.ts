import type { MediaKind, MediaProbe } from '../types.ts';

/** Which checker decided: recorded on the asset (MediaModerated.checker). */
export type ModerationChecker = 'openai' | 'local-rules';

/** What a checker is shown. The still is made only if a checker asks for it (it costs an ffmpeg run). */
export interface ModerationSubject {
  kind: MediaKind;
  fileName: string;
  contentType: string;
  /** Null for plain files, which are not probed. */
  probe: MediaProbe | null;
  /** A small JPEG of the media (the poster frame of a video, the image itself); null for audio and files. */
  still: () => Promise<Buffer | null>;
}

export interface ModerationVerdict {
  checker: ModerationChecker;
  decision: 'allowed' | 'rejected';
  /** Why, for the uploader; empty when allowed. */
  reasons: string[];
}

/** A pluggable content check. Throws `ModerationUnavailable` when it cannot decide right now. */
export interface MediaModerator {
  readonly checker: ModerationChecker;
  moderate(subject: ModerationSubject, signal?: AbortSignal): Promise<ModerationVerdict>;
}

/** The checker could not answer (network, quota, bad key): `retryable` says whether waiting helps. */
export class ModerationUnavailable extends Error {
  override readonly name = 'ModerationUnavailable';
  readonly code = 'MODERATION_UNAVAILABLE';
  constructor(
    message: string,
    readonly retryable: boolean,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/**
 * Checkers in turn, the first rejection deciding: local rules first (cheap, and they bound what
 * ffmpeg will be asked to do), then the content checker. When all allow, the last one decided.
 */
export function chainModerators(first: MediaModerator, ...rest: MediaModerator[]): MediaModerator {
  const all = [first, ...rest];
  const last = all[all.length - 1] ?? first;
  return {
    checker: last.checker,
    async moderate(subject, signal) {
      let verdict: ModerationVerdict | undefined;
      for (const moderator of all) {
        verdict = await moderator.moderate(subject, signal);
        if (verdict.decision === 'rejected') return verdict;
      }
      return verdict ?? { checker: first.checker, decision: 'allowed', reasons: [] };
    },
  };
}
