import type { MediaKind } from '../types.ts';
import type { MediaModerator, ModerationSubject, ModerationVerdict } from './moderator.ts';

/** What the platform accepts without looking at the content: codecs, length, size. */
export interface LocalModerationRules {
  videoCodecs: readonly string[];
  /** Audio in videos and audio files; `pcm_*` matches every PCM variant. */
  audioCodecs: readonly string[];
  /** As sharp names them. */
  imageFormats: readonly string[];
  maxDurationSeconds: { video: number; audio: number };
  /** Compared long side to long side, so portrait video counts the same as landscape. */
  maxVideoSize: { longSide: number; shortSide: number };
  maxImagePixels: number;
}

export const DEFAULT_LOCAL_RULES: LocalModerationRules = {
  videoCodecs: ['h264', 'hevc', 'vp8', 'vp9', 'av1', 'mpeg4', 'prores', 'mjpeg'],
  audioCodecs: ['aac', 'mp3', 'opus', 'vorbis', 'flac', 'alac', 'amr_nb', 'amr_wb', 'pcm_*'],
  imageFormats: ['jpeg', 'png', 'webp', 'gif', 'avif', 'heif', 'tiff'],
  // An hour of video is ~600 HLS segments per rung: the whole manifest still fits one event (1 MiB).
  maxDurationSeconds: { video: 3_600, audio: 3 * 3_600 },
  maxVideoSize: { longSide: 3_840, shortSide: 2_160 },
  maxImagePixels: 100_000_000,
};

export type LocalModerationRulesInput = Partial<
  Omit<LocalModerationRules, 'maxDurationSeconds' | 'maxVideoSize'>
> & {
  maxDurationSeconds?: Partial<LocalModerationRules['maxDurationSeconds']>;
  maxVideoSize?: Partial<LocalModerationRules['maxVideoSize']>;
};

export function resolveLocalRules(input: LocalModerationRulesInput = {}): LocalModerationRules {
  return {
    ...DEFAULT_LOCAL_RULES,
    ...input,
    maxDurationSeconds: { ...DEFAULT_LOCAL_RULES.maxDurationSeconds, ...input.maxDurationSeconds },
    maxVideoSize: { ...DEFAULT_LOCAL_RULES.maxVideoSize, ...input.maxVideoSize },
  };
}

/** The default checker: explicit rules on what ffprobe found, every broken rule a reason. */
export function localRulesModerator(input: LocalModerationRulesInput = {}): MediaModerator {
  const rules = resolveLocalRules(input);
  return {
    checker: 'local-rules',
    async moderate(subject) {
      return verdict(brokenRules(rules, subject));
    },
  };
}

export function brokenRules(
  rules: LocalModerationRules,
  subject: Pick<ModerationSubject, 'kind' | 'probe'>,
): string[] {
  const { kind, probe } = subject;
  if (kind === 'file' || !probe) return [];
  const reasons: string[] = [];
  const noun = NOUNS[kind];
  if (kind === 'image') {
    if (!rules.imageFormats.includes(probe.formatName)) {
      reasons.push(
        `${noun} format ${probe.formatName} is not accepted (accepted: ${rules.imageFormats.join(', ')})`,
      );
    }
    const pixels = (probe.width ?? 0) * (probe.height ?? 0);
    if (pixels > rules.maxImagePixels) {
      reasons.push(
        `The image is ${probe.width}x${probe.height} (${megapixels(pixels)} MP); at most ${megapixels(rules.maxImagePixels)} MP is accepted`,
      );
    }
    return reasons;
  }
  if (kind === 'video') {
    if (!probe.videoCodec) reasons.push('The video has no picture');
    else if (!accepts(rules.videoCodecs, probe.videoCodec)) {
      reasons.push(
        `Video codec ${probe.videoCodec} is not accepted (accepted: ${rules.videoCodecs.join(', ')})`,
      );
    }
    const longSide = Math.max(probe.width ?? 0, probe.height ?? 0);
    const shortSide = Math.min(probe.width ?? 0, probe.height ?? 0);
    const { maxVideoSize } = rules;
    if (longSide > maxVideoSize.longSide || shortSide > maxVideoSize.shortSide) {
      reasons.push(
        `The video is ${probe.width}x${probe.height}; at most ${maxVideoSize.longSide}x${maxVideoSize.shortSide} is accepted`,
      );
    }
  }
  if (kind === 'audio' && !probe.audioCodec) reasons.push('The audio file has no sound track');
  if (probe.audioCodec && !accepts(rules.audioCodecs, probe.audioCodec)) {
    reasons.push(
      `Audio codec ${probe.audioCodec} is not accepted (accepted: ${rules.audioCodecs.join(', ')})`,
    );
  }
  const maxDuration = rules.maxDurationSeconds[kind];
  if (probe.durationSeconds !== null && probe.durationSeconds > maxDuration) {
    reasons.push(`${noun} lasts ${clock(probe.durationSeconds)}; at most ${clock(maxDuration)} is accepted`);
  }
  return reasons;
}

const NOUNS: Record<Exclude<MediaKind, 'file'>, string> = {
  video: 'The video',
  audio: 'The recording',
  image: 'The image',
};

const accepts = (allowed: readonly string[], codec: string) =>
  allowed.some((entry) => (entry.endsWith('*') ? codec.startsWith(entry.slice(0, -1)) : entry === codec));

const verdict = (reasons: string[]): ModerationVerdict => ({
  checker: 'local-rules',
  decision: reasons.length === 0 ? 'allowed' : 'rejected',
  reasons,
});

const megapixels = (pixels: number) => Math.round(pixels / 100_000) / 10;

/** 3725 → "1 h 2 min 5 s". */
function clock(seconds: number): string {
  const whole = Math.round(seconds);
  const parts = [
    [Math.floor(whole / 3600), 'h'],
    [Math.floor((whole % 3600) / 60), 'min'],
    [whole % 60, 's'],
  ] as const;
  return (
    parts
      .filter(([value]) => value > 0)
      .map(([value, unit]) => `${value} ${unit}`)
      .join(' ') || '0 s'
  );
}
