import { DEFAULT_TOOLS, type MediaTools, runFfmpeg, untrustedInput } from './tool-process.ts';
import type { MediaProbe, ProgressListener } from './types.ts';
import { asTranscodeFailure } from './video.ts';

export type AudioFormat = 'aac' | 'opus';

/** How each audio rendition is stored: AAC in MP4 (every platform), Opus in Ogg (half the bytes). */
export const AUDIO_FORMATS: Record<AudioFormat, { name: string; contentType: string; extension: string }> = {
  aac: { name: 'audio-aac', contentType: 'audio/mp4', extension: 'm4a' },
  opus: { name: 'audio-opus', contentType: 'audio/ogg', extension: 'ogg' },
};

/**
 * Voice (mono, as phones record messages) gets speech bitrates and Opus's VoIP mode; anything in
 * stereo is treated as music.
 */
export function audioSettings(format: AudioFormat, channels: number | null) {
  const voice = (channels ?? 1) < 2;
  if (format === 'aac') return { codec: ['-c:a', 'aac', '-b:a', voice ? '64k' : '128k'], voice };
  return {
    codec: [
      '-c:a',
      'libopus',
      '-b:a',
      voice ? '32k' : '96k',
      '-vbr',
      'on',
      '-application',
      voice ? 'voip' : 'audio',
    ],
    voice,
  };
}

/** One audio rendition of `input` (audio only; cover art and metadata dropped). */
export async function transcodeAudio(
  input: string,
  output: string,
  options: {
    format: AudioFormat;
    source: Pick<MediaProbe, 'audioChannels' | 'durationSeconds'>;
    onProgress?: ProgressListener;
    signal?: AbortSignal;
    tools?: MediaTools;
  },
): Promise<void> {
  const { codec } = audioSettings(options.format, options.source.audioChannels);
  const channels = Math.min(options.source.audioChannels ?? 1, 2);
  const container = options.format === 'aac' ? ['-movflags', '+faststart', '-f', 'mp4'] : ['-f', 'ogg'];
  try {
    await runFfmpeg(
      options.tools ?? DEFAULT_TOOLS,
      [
        ...untrustedInput(input),
        ...['-map', '0:a:0', '-vn', '-sn', '-dn', '-map_metadata', '-1'],
        ...codec,
        ...['-ac', String(channels)],
        // Opus runs at 48 kHz whatever it is given; AAC keeps the source's rate.
        ...(options.format === 'opus' ? ['-ar', '48000'] : []),
        ...container,
        output,
      ],
      {
        durationSeconds: options.source.durationSeconds,
        ...(options.onProgress ? { onProgress: options.onProgress } : {}),
        ...(options.signal ? { signal: options.signal } : {}),
      },
    );
  } catch (error) {
    throw asTranscodeFailure(error, `the ${options.format.toUpperCase()} rendition`);
  }
}
