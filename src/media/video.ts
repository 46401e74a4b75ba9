import { MediaError } from './errors.ts';
import { KEYFRAME_INTERVAL_SECONDS, VIDEO_LADDER } from './ladder.ts';
import { probe } from './probe.ts';
import { DEFAULT_TOOLS, type MediaTools, runFfmpeg, ToolExit, untrustedInput } from './tool-process.ts';
import type { MediaProbe, ProgressListener } from './types.ts';

export interface TranscodeRenditionOptions {
  /** Short side of the output; clamped to the source's (never upscaled). */
  height: number;
  /** The source's probe, if already known (saves a second ffprobe run). */
  source?: MediaProbe;
  onProgress?: ProgressListener;
  signal?: AbortSignal;
  /** x264 preset: `veryfast` trades ~10% size for speed, right for a CPU-bound worker. */
  preset?: string;
  /** Encoder threads; 0 lets x264 decide (all cores). */
  threads?: number;
  tools?: MediaTools;
}

/**
 * One H.264/AAC MP4 rendition: scaled so its short side is `height` (aspect kept, even
 * dimensions), High profile, capped CRF, a keyframe every two seconds, AAC (stereo at most), `+faststart`
 * so players start before the download ends. Metadata (GPS tags from phones) is dropped. Killed
 * when `signal` aborts. Returns the rendition's own probe.
 */
export async function transcodeRendition(
  input: string,
  output: string,
  options: TranscodeRenditionOptions,
): Promise<MediaProbe> {
  const tools = options.tools ?? DEFAULT_TOOLS;
  const signalOption = options.signal ? { signal: options.signal } : {};
  const source = options.source ?? (await probe(input, { tools, ...signalOption }));
  if (!source.videoCodec || !source.width || !source.height) {
    throw new MediaError('INVALID_MEDIA', 'The file has no video stream to transcode');
  }
  const height = outputHeight(source, options.height);
  const args = renditionArgs(input, output, { ...options, source });
  try {
    await runFfmpeg(tools, args, {
      ...signalOption,
      durationSeconds: source.durationSeconds,
      ...(options.onProgress ? { onProgress: options.onProgress } : {}),
    });
  } catch (error) {
    throw asTranscodeFailure(error, `the ${height}p rendition`);
  }
  return probe(output, { tools, ...signalOption });
}

/** The short side of the output: as asked, but never above the source's (and even). */
function outputHeight(source: Pick<MediaProbe, 'width' | 'height'>, asked: number): number {
  const shortSide = Math.min(source.width ?? asked, source.height ?? asked);
  return Math.min(asked, shortSide - (shortSide % 2));
}

/**
 * ffmpeg's arguments for one rendition (after the common `-hide_banner -y ...`), shared with the
 * benchmark's plain-ffmpeg baseline so both run exactly the same encode.
 */
export function renditionArgs(
  input: string,
  output: string,
  options: Pick<TranscodeRenditionOptions, 'height' | 'preset' | 'threads'> & {
    source: Pick<MediaProbe, 'width' | 'height' | 'audioChannels'>;
  },
): string[] {
  const { source } = options;
  const height = outputHeight(source, options.height);
  const landscape = (source.width ?? 0) >= (source.height ?? 0);
  // The caps of the smallest rung that is at least this tall (a 240p source gets 360p's).
  const rung = [...VIDEO_LADDER].reverse().find((candidate) => candidate.height >= height) ?? VIDEO_LADDER[0];
  const maxKbps = rung?.maxVideoKbps ?? 5_000;
  const audioKbps = rung?.audioKbps ?? 128;
  const scale = landscape ? `scale=-2:${height}` : `scale=${height}:-2`;
  return [
    ...untrustedInput(input),
    ...['-map', '0:v:0', '-map', '0:a:0?', '-sn', '-dn', '-map_metadata', '-1', '-map_chapters', '-1'],
    ...['-vf', `${scale}:flags=bicubic,format=yuv420p`],
    ...['-c:v', 'libx264', '-preset', options.preset ?? 'veryfast', '-profile:v', 'high'],
    ...['-crf', '23', '-maxrate', `${maxKbps}k`, '-bufsize', `${maxKbps * 2}k`],
    ...['-force_key_frames', `expr:gte(t,n_forced*${KEYFRAME_INTERVAL_SECONDS})`],
    ...['-threads', String(options.threads ?? 0)],
    ...['-c:a', 'aac', '-b:a', `${audioKbps}k`, '-ac', String(Math.min(source.audioChannels ?? 2, 2))],
    ...['-movflags', '+faststart', '-f', 'mp4', output],
  ];
}

/**
 * ffmpeg exiting with an error on a file ffprobe accepted: usually a damaged stream, so trying
 * again on the same bytes rarely helps, but a killed or starved process might: retryable, bounded
 * by the caller's retry policy.
 */
export function asTranscodeFailure(error: unknown, what: string): unknown {
  if (!(error instanceof ToolExit)) return error;
  // The reason is shown to the uploader: no server paths in it.
  const said = error.message.replace(/\/[^\s:'"]+/g, '<file>');
  return new MediaError('TRANSCODE_FAILED', `ffmpeg could not produce ${what}: ${said}`, { cause: error });
}
