/**
 * The video ladder, as pure data and arithmetic: the transcoding workflow (Temporal's sandbox, no
 * Node built-ins) plans renditions with it, the ffmpeg adapter encodes by it.
 */

/** One rung of the ladder: the short side of the picture and what it may cost. */
export interface VideoRung {
  /** `720p`: the rendition's name in the manifest and in HLS names. */
  name: string;
  /** Lines of the picture's short side (its height when landscape). */
  height: number;
  /** Peak video bitrate (capped CRF: simple scenes take less). */
  maxVideoKbps: number;
  audioKbps: number;
}

/** The H.264 ladder (the messaging app's MediaConvert plan: 1080p, 720p, 480p, 360p). */
export const VIDEO_LADDER: readonly VideoRung[] = [
  { name: '1080p', height: 1080, maxVideoKbps: 5_000, audioKbps: 128 },
  { name: '720p', height: 720, maxVideoKbps: 2_800, audioKbps: 128 },
  { name: '480p', height: 480, maxVideoKbps: 1_400, audioKbps: 96 },
  { name: '360p', height: 360, maxVideoKbps: 800, audioKbps: 96 },
];

/**
 * The rungs a source gets: every rung up to its own short side, never above (upscaling only costs
 * bytes). A source smaller than the lowest rung gets one rendition at its own size.
 */
export function ladderFor(source: { width: number | null; height: number | null }): VideoRung[] {
  const shortSide = Math.min(source.width ?? 0, source.height ?? 0);
  if (shortSide <= 0) return [];
  const fitting = VIDEO_LADDER.filter((rung) => rung.height <= shortSide);
  if (fitting.length > 0) return fitting;
  const lowest = VIDEO_LADDER[VIDEO_LADDER.length - 1];
  const height = shortSide - (shortSide % 2);
  return lowest ? [{ ...lowest, name: `${height}p`, height }] : [];
}

/** Every two seconds, so 6 s HLS segments (or 2 s, 4 s ones) can be cut without re-encoding. */
export const KEYFRAME_INTERVAL_SECONDS = 2;
