import { readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { z } from 'zod';
import { MediaError } from './errors.ts';
import { HLS_SEGMENT_SECONDS, hlsPlaylistName, isHlsSegmentName } from './hls-names.ts';
import { KEYFRAME_INTERVAL_SECONDS } from './ladder.ts';
import { DEFAULT_TOOLS, type MediaTools, runFfmpeg, runTool } from './tool-process.ts';
import { asTranscodeFailure } from './video.ts';

export const HLS_CONTENT_TYPES = {
  playlist: 'application/vnd.apple.mpegurl',
  segment: 'video/mp2t',
} as const;

/** One entry of the master playlist. */
export interface HlsVariant {
  /** The MP4 rendition it was cut from (`720p`). */
  rendition: string;
  width: number;
  height: number;
  /** Peak segment bitrate (bits/s), as BANDWIDTH must be. */
  bandwidth: number;
  averageBandwidth: number;
  /** RFC 6381, e.g. `avc1.64001f,mp4a.40.2`. */
  codecs: string;
  frameRate: number | null;
}

export interface HlsSegment {
  name: string;
  file: string;
  durationSeconds: number;
}

export interface PackagedRendition {
  variant: HlsVariant;
  playlist: { name: string; file: string };
  segments: HlsSegment[];
  durationSeconds: number;
}

export interface PackageHlsOptions {
  /** The MP4 rendition's name (`720p`): names the playlist and the segments. */
  rendition: string;
  width: number;
  height: number;
  frameRate?: number | null;
  segmentSeconds?: number;
  signal?: AbortSignal;
  tools?: MediaTools;
}

/**
 * Cuts an H.264/AAC MP4 rendition into MPEG-TS segments and its VOD playlist, without re-encoding
 * (the renditions carry a keyframe every two seconds, so every segment starts on one), into `outDir`.
 */
export async function packageHls(
  input: string,
  outDir: string,
  options: PackageHlsOptions,
): Promise<PackagedRendition> {
  const tools = options.tools ?? DEFAULT_TOOLS;
  const { rendition } = options;
  const segmentSeconds = options.segmentSeconds ?? HLS_SEGMENT_SECONDS;
  if (segmentSeconds % KEYFRAME_INTERVAL_SECONDS !== 0) {
    throw new Error(`HLS segments must last a multiple of ${KEYFRAME_INTERVAL_SECONDS} s`);
  }
  const playlistName = hlsPlaylistName(rendition);
  const playlistFile = path.join(outDir, playlistName);
  const signalOption = options.signal ? { signal: options.signal } : {};
  try {
    await runFfmpeg(tools, hlsArgs(input, outDir, rendition, segmentSeconds), signalOption);
  } catch (error) {
    throw asTranscodeFailure(error, `the HLS segments of ${rendition}`);
  }
  const entries = parseMediaPlaylist(await readFile(playlistFile, 'utf8'));
  const segments: HlsSegment[] = [];
  let peak = 0;
  let bytes = 0;
  for (const entry of entries) {
    const name = entry.uri;
    if (!isHlsSegmentName(name) || !name.startsWith(`hls-${rendition}-`)) {
      throw new MediaError('TRANSCODE_FAILED', `ffmpeg wrote an unexpected segment name ${name}`);
    }
    const file = path.join(outDir, name);
    const { size } = await stat(file);
    bytes += size;
    if (entry.durationSeconds > 0) peak = Math.max(peak, (size * 8) / entry.durationSeconds);
    segments.push({ name, file, durationSeconds: entry.durationSeconds });
  }
  const durationSeconds = segments.reduce((sum, segment) => sum + segment.durationSeconds, 0);
  return {
    variant: {
      rendition,
      width: options.width,
      height: options.height,
      bandwidth: Math.ceil(peak),
      averageBandwidth: durationSeconds > 0 ? Math.ceil((bytes * 8) / durationSeconds) : 0,
      codecs: await codecsOf(input, tools, signalOption),
      frameRate: options.frameRate ?? null,
    },
    playlist: { name: playlistName, file: playlistFile },
    segments,
    durationSeconds,
  };
}

/** ffmpeg's arguments to cut one rendition (shared with the benchmark's plain-ffmpeg baseline). */
export function hlsArgs(
  input: string,
  outDir: string,
  rendition: string,
  segmentSeconds = HLS_SEGMENT_SECONDS,
) {
  return [
    ...['-i', input, '-map', '0', '-c', 'copy'],
    ...['-f', 'hls', '-hls_time', String(segmentSeconds), '-hls_playlist_type', 'vod'],
    ...['-hls_flags', 'independent_segments', '-hls_segment_type', 'mpegts', '-start_number', '1'],
    ...['-hls_segment_filename', path.join(outDir, `hls-${rendition}-seg-%05d.ts`)],
    path.join(outDir, hlsPlaylistName(rendition)),
  ];
}

/** The master playlist over the variants, highest first (players start with the first listed). */
export function masterPlaylist(variants: readonly HlsVariant[]): string {
  const sorted = [...variants].sort((a, b) => b.bandwidth - a.bandwidth);
  const lines = ['#EXTM3U', '#EXT-X-VERSION:3', '#EXT-X-INDEPENDENT-SEGMENTS'];
  for (const variant of sorted) {
    const attributes = [
      `BANDWIDTH=${variant.bandwidth}`,
      `AVERAGE-BANDWIDTH=${variant.averageBandwidth}`,
      `RESOLUTION=${variant.width}x${variant.height}`,
      `CODECS="${variant.codecs}"`,
      ...(variant.frameRate ? [`FRAME-RATE=${variant.frameRate.toFixed(3)}`] : []),
    ];
    lines.push(`#EXT-X-STREAM-INF:${attributes.join(',')}`, hlsPlaylistName(variant.rendition));
  }
  return `${lines.join('\n')}\n`;
}

/** The segments of a media playlist: each `#EXTINF:<seconds>,` and the URI on the next line. */
export function parseMediaPlaylist(text: string): { uri: string; durationSeconds: number }[] {
  const entries: { uri: string; durationSeconds: number }[] = [];
  let duration: number | null = null;
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    const extinf = /^#EXTINF:([\d.]+)/.exec(line);
    if (extinf?.[1]) duration = Number.parseFloat(extinf[1]);
    else if (line !== '' && !line.startsWith('#') && duration !== null) {
      entries.push({ uri: line, durationSeconds: duration });
      duration = null;
    }
  }
  return entries;
}

const codecStreams = z.object({
  streams: z
    .array(
      z.object({
        codec_type: z.string().optional(),
        codec_name: z.string().optional(),
        profile: z.string().optional(),
        level: z.number().optional(),
      }),
    )
    .default([]),
});

/** RFC 6381 codec strings for the master playlist, read from the rendition itself. */
async function codecsOf(file: string, tools: MediaTools, options: { signal?: AbortSignal }): Promise<string> {
  const { stdout } = await runTool(
    tools.ffprobe,
    [
      '-v',
      'error',
      '-print_format',
      'json',
      '-show_entries',
      'stream=codec_type,codec_name,profile,level',
      file,
    ],
    options,
  );
  const { streams } = codecStreams.parse(JSON.parse(stdout.toString('utf8')));
  const codecs: string[] = [];
  for (const stream of streams) {
    if (stream.codec_name === 'h264') codecs.push(avc1(stream.profile, stream.level));
    else if (stream.codec_name === 'aac')
      codecs.push(stream.profile === 'HE-AAC' ? 'mp4a.40.5' : 'mp4a.40.2');
  }
  return codecs.join(',');
}

/** `avc1.PPCCLL`: profile_idc, constraint flags, level_idc (hex). */
function avc1(profile: string | undefined, level: number | undefined): string {
  const [profileIdc, constraints] =
    profile === 'Constrained Baseline'
      ? [0x42, 0xe0]
      : profile === 'Baseline'
        ? [0x42, 0x00]
        : profile === 'Main'
          ? [0x4d, 0x40]
          : [0x64, 0x00];
  const hex = (value: number) => value.toString(16).padStart(2, '0');
  return `avc1.${hex(profileIdc)}${hex(constraints)}${hex(level && level > 0 ? level : 31)}`;
}
