import { z } from 'zod';
import { invalidMedia, MediaError } from './errors.ts';
import {
  DEFAULT_TOOLS,
  lastLines,
  type MediaTools,
  runTool,
  ToolExit,
  untrustedInput,
} from './tool-process.ts';
import type { MediaProbe } from './types.ts';

/** A number ffprobe printed as a string ("20.000000", "N/A"), or absent. */
const numeric = z
  .union([z.string(), z.number()])
  .optional()
  .transform((value) => {
    if (value === undefined) return null;
    const parsed = typeof value === 'number' ? value : Number.parseFloat(value);
    return Number.isFinite(parsed) ? parsed : null;
  });

const streamSchema = z.object({
  codec_type: z.string().optional(),
  codec_name: z.string().optional(),
  width: z.number().int().optional(),
  height: z.number().int().optional(),
  channels: z.number().int().optional(),
  avg_frame_rate: z.string().optional(),
  disposition: z.object({ attached_pic: z.number().optional() }).partial().optional(),
  tags: z.object({ rotate: z.string().optional() }).partial().optional(),
  side_data_list: z.array(z.object({ rotation: z.number().optional() }).partial()).optional(),
});

const probeSchema = z.object({
  streams: z.array(streamSchema).default([]),
  format: z.object({ format_name: z.string().optional(), duration: numeric, bit_rate: numeric }).optional(),
});

type Stream = z.infer<typeof streamSchema>;

/**
 * Reads a file's container, duration, dimensions, codecs and bitrate with ffprobe. A file no
 * demuxer can read, or one without any audio or video, is `INVALID_MEDIA` with a reason a person
 * can act on; a broken ffprobe run (killed, missing) is a different, retryable error.
 */
export async function probe(
  path: string,
  options: { tools?: MediaTools; signal?: AbortSignal } = {},
): Promise<MediaProbe> {
  const tools = options.tools ?? DEFAULT_TOOLS;
  let stdout: Buffer;
  try {
    ({ stdout } = await runTool(
      tools.ffprobe,
      ['-v', 'error', '-print_format', 'json', '-show_format', '-show_streams', ...untrustedInput(path)],
      options.signal ? { signal: options.signal } : {},
    ));
  } catch (error) {
    if (error instanceof ToolExit && error.exitCode !== null)
      throw invalidMedia(readableReason(error.stderr, path));
    throw error;
  }
  const parsed = probeSchema.safeParse(JSON.parse(stdout.toString('utf8') || '{}'));
  if (!parsed.success) {
    throw new MediaError('TRANSCODE_FAILED', 'ffprobe answered in a shape this version does not understand', {
      cause: parsed.error,
    });
  }
  return summarize(parsed.data);
}

function summarize({ streams, format }: z.infer<typeof probeSchema>): MediaProbe {
  // Cover art in an audio file is a "video" stream too; it is not what the file is.
  const video = streams.find(
    (stream) => stream.codec_type === 'video' && stream.disposition?.attached_pic !== 1,
  );
  const audio = streams.find((stream) => stream.codec_type === 'audio');
  if (!video && !audio) throw invalidMedia('The file holds no audio or video stream');
  const [width, height] = displaySize(video);
  return {
    formatName: format?.format_name ?? 'unknown',
    durationSeconds: positive(format?.duration ?? null),
    width,
    height,
    videoCodec: video?.codec_name ?? null,
    audioCodec: audio?.codec_name ?? null,
    bitrate: positive(format?.bit_rate ?? null),
    frameRate: frameRate(video?.avg_frame_rate),
    audioChannels: audio?.channels ?? null,
  };
}

/** Width and height as shown: a quarter turn (phones record sideways and say so) swaps them. */
function displaySize(video: Stream | undefined): [number | null, number | null] {
  if (!video?.width || !video.height) return [null, null];
  const rotation =
    video.side_data_list?.find((entry) => entry.rotation !== undefined)?.rotation ??
    Number.parseInt(video.tags?.rotate ?? '0', 10);
  return Math.abs(rotation) % 180 === 90 ? [video.height, video.width] : [video.width, video.height];
}

function frameRate(rate: string | undefined): number | null {
  const [numerator, denominator] = (rate ?? '').split('/').map(Number);
  if (!numerator || !denominator) return null;
  return Math.round((numerator / denominator) * 1000) / 1000;
}

const positive = (value: number | null) => (value !== null && value > 0 ? value : null);

/** What ffprobe's complaint means for the person who uploaded the file (never the server's path). */
function readableReason(stderr: string, path: string): string {
  const said = stderr.replaceAll(path, 'the file');
  if (/moov atom not found/i.test(said)) {
    return 'The file is not playable media: its MP4 index (the moov atom) is missing, so the upload is incomplete or not really an MP4';
  }
  if (/not on whitelist/i.test(said)) {
    return 'The file is not in an audio or video format that is accepted (a playlist or script is not media)';
  }
  if (/Invalid data found when processing input/i.test(said)) {
    return 'The file is not audio, video or an image that can be read: its contents do not match any known format';
  }
  if (/could not find codec parameters|unspecified size/i.test(said)) {
    return 'The file is damaged: its streams could not be decoded';
  }
  if (/No such file or directory/i.test(said)) return 'The uploaded file is missing';
  const detail = lastLines(said.replace(/^\[[^\]]*\]\s*/gm, ''), 1);
  return detail ? `The file could not be read as media (${detail})` : 'The file could not be read as media';
}
