/** The kinds of asset the media contract knows; each is processed differently. */
export type MediaKind = 'video' | 'image' | 'audio' | 'file';

/**
 * What ffprobe (or, for stills, sharp) found in a file. Dimensions are as displayed: a phone video
 * stored landscape with a 90° rotation reports its portrait size.
 */
export interface MediaProbe {
  /** The container, as ffprobe names it (`mov,mp4,m4a,3gp,3g2,mj2`, `wav`, `png_pipe`, ...). */
  formatName: string;
  durationSeconds: number | null;
  width: number | null;
  height: number | null;
  videoCodec: string | null;
  audioCodec: string | null;
  /** Bits per second over the whole file. */
  bitrate: number | null;
  frameRate: number | null;
  audioChannels: number | null;
}

/** Called as a tool works: `percent` in [0, 100], or null when the length of the work is unknown. */
export type ProgressListener = (progress: { percent: number | null; processedSeconds: number }) => void;
