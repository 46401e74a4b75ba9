import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { type EncodedImage, encodeImage, type ImageFormat } from './images.ts';
import { DEFAULT_TOOLS, type MediaTools, runFfmpeg, untrustedInput } from './tool-process.ts';
import { asTranscodeFailure } from './video.ts';

/** Thumbnail widths: a list row, a card, a large preview. */
export const THUMBNAIL_WIDTHS: readonly number[] = [160, 320, 640];

/** The poster is at most this wide (a 4K frame as a poster costs bytes nobody sees). */
export const POSTER_MAX_WIDTH = 1920;

/**
 * Where the poster frame is taken: a tenth into the video, at most 5 s in. The very first frame is
 * often black (a fade in) and the middle may be far into a long video.
 */
export function posterTime(durationSeconds: number | null): number {
  if (!durationSeconds || durationSeconds <= 0) return 0;
  return Math.min(5, durationSeconds / 10);
}

/** Extracts one frame (upright, full size) as PNG into `output`. */
export async function extractFrame(
  input: string,
  output: string,
  options: { atSeconds: number; signal?: AbortSignal; tools?: MediaTools },
): Promise<void> {
  try {
    await runFfmpeg(
      options.tools ?? DEFAULT_TOOLS,
      [
        ...['-ss', options.atSeconds.toFixed(3), ...untrustedInput(input)],
        ...['-frames:v', '1', '-an', '-f', 'image2', '-c:v', 'png', output],
      ],
      options.signal ? { signal: options.signal } : {},
    );
  } catch (error) {
    throw asTranscodeFailure(error, 'the poster frame');
  }
}

/**
 * The poster (JPEG and WebP, up to 1920 wide) and three thumbnail sizes in WebP and JPEG, from one
 * extracted frame: `poster-jpeg`, `poster-webp`, `thumb-320-webp`, `thumb-320-jpeg`, ...
 */
export async function thumbnailSet(
  frame: string,
  options: { sourceWidth: number; signal?: AbortSignal },
): Promise<EncodedImage[]> {
  const input = await readFile(frame);
  const signal = options.signal ? { signal: options.signal } : {};
  const jobs: { name: string; width: number; format: ImageFormat }[] = [
    { name: 'poster-jpeg', width: Math.min(options.sourceWidth, POSTER_MAX_WIDTH), format: 'jpeg' },
    { name: 'poster-webp', width: Math.min(options.sourceWidth, POSTER_MAX_WIDTH), format: 'webp' },
    ...THUMBNAIL_WIDTHS.flatMap((width) =>
      (['webp', 'jpeg'] as const).map((format) => ({ name: `thumb-${width}-${format}`, width, format })),
    ),
  ];
  const encoded: EncodedImage[] = [];
  for (const job of jobs) encoded.push(await encodeImage(input, { ...job, ...signal }));
  return encoded;
}

/** A small JPEG of the media for checkers that look at pixels (the poster frame, or the image itself). */
export async function moderationStill(
  input: string,
  options: {
    kind: 'video' | 'image';
    durationSeconds: number | null;
    workDir: string;
    signal?: AbortSignal;
    tools?: MediaTools;
  },
): Promise<Buffer> {
  const signal = options.signal ? { signal: options.signal } : {};
  let source = input;
  if (options.kind === 'video') {
    source = path.join(options.workDir, 'moderation-frame.png');
    await extractFrame(input, source, {
      atSeconds: posterTime(options.durationSeconds),
      ...signal,
      ...(options.tools ? { tools: options.tools } : {}),
    });
  }
  const still = await encodeImage(source, {
    name: 'moderation-still',
    width: 512,
    format: 'jpeg',
    ...signal,
  });
  return still.data;
}
