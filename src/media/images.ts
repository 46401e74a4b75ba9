import sharp, { type Metadata } from 'sharp';
import { invalidMedia, MediaError } from './errors.ts';
import { cancelled } from './tool-process.ts';
import type { MediaProbe } from './types.ts';

/** Widths of the image ladder (the messaging app: WebP with a fallback; AVIF where supported). */
export const IMAGE_WIDTHS: readonly number[] = [480, 720, 1080, 1920];

/**
 * Sides of the square crops every image also gets (`square-256-webp`, `square-64-webp`), for
 * avatars: a profile picture and a list row. Made for every image rather than when one becomes an
 * avatar, so setting an avatar needs no second pass through the pipeline (two small WebPs, a few
 * KB and milliseconds, on every image).
 */
export const SQUARE_SIDES: readonly number[] = [256, 64];

export type ImageFormat = 'webp' | 'avif' | 'jpeg';

export const IMAGE_CONTENT_TYPES: Record<ImageFormat, string> = {
  webp: 'image/webp',
  avif: 'image/avif',
  jpeg: 'image/jpeg',
};

/** A still encoded in memory, ready to store. */
export interface EncodedImage {
  name: string;
  format: ImageFormat;
  contentType: string;
  width: number;
  height: number;
  data: Buffer;
}

/** Larger images are refused rather than decoded (about 100 megapixels, 400 MB of RGBA). */
export const MAX_INPUT_PIXELS = 100_000_000;

const open = (input: string | Buffer) =>
  sharp(input, { autoOrient: true, failOn: 'error', limitInputPixels: MAX_INPUT_PIXELS });

/**
 * Reads an image's format and upright size with sharp (libvips decodes more still formats than
 * ffprobe, HEIF and AVIF among them, and it is what will encode the renditions).
 */
export async function probeImage(input: string): Promise<MediaProbe> {
  let metadata: Metadata;
  try {
    metadata = await open(input).metadata();
  } catch (error) {
    throw invalidMedia(`The file is not an image that can be read (${describeSharpError(error)})`);
  }
  const width = metadata.autoOrient?.width ?? metadata.width;
  const height = metadata.autoOrient?.height ?? metadata.height;
  if (!metadata.format || !width || !height) throw invalidMedia('The image has no readable size');
  return {
    formatName: metadata.format,
    durationSeconds: null,
    width,
    height,
    videoCodec: metadata.format,
    audioCodec: null,
    bitrate: null,
    frameRate: null,
    audioChannels: null,
  };
}

/** The ladder's widths up to the image's own (never upscaled); a narrower image keeps its width. */
export function imageWidthsFor(sourceWidth: number, widths: readonly number[] = IMAGE_WIDTHS): number[] {
  const fitting = widths.filter((width) => width <= sourceWidth);
  return fitting.length > 0 ? fitting : [sourceWidth];
}

/**
 * One encoding of `input`, `width` wide (never wider than the source), upright, metadata stripped
 * (sharp drops EXIF, GPS included, unless asked to keep it).
 */
export async function encodeImage(
  input: string | Buffer,
  options: { name: string; width: number; format: ImageFormat; square?: boolean; signal?: AbortSignal },
): Promise<EncodedImage> {
  if (options.signal?.aborted) throw cancelled();
  const pipeline = open(input).resize(
    options.square
      ? // The centre, not sharp's 'attention': an avatar is usually a face framed by its person,
        // and the same crop on every run keeps renditions reproducible.
        { width: options.width, height: options.width, fit: 'cover', position: 'centre' }
      : { width: options.width, withoutEnlargement: true },
  );
  const encoder =
    options.format === 'webp'
      ? pipeline.webp({ quality: 80, effort: 4 })
      : options.format === 'avif'
        ? // effort 2 of 9: a 1920-wide AVIF in about a second instead of ten, a few percent larger.
          pipeline.avif({ quality: 50, effort: 2 })
        : pipeline.flatten({ background: '#ffffff' }).jpeg({ quality: 82, mozjpeg: true });
  try {
    const { data, info } = await encoder.toBuffer({ resolveWithObject: true });
    return {
      name: options.name,
      format: options.format,
      contentType: IMAGE_CONTENT_TYPES[options.format],
      width: info.width,
      height: info.height,
      data,
    };
  } catch (error) {
    throw new MediaError(
      'TRANSCODE_FAILED',
      `sharp could not encode ${options.name}: ${describeSharpError(error)}`,
      {
        cause: error,
      },
    );
  }
}

/** The image ladder: WebP and AVIF at each fitting width (`image-1080-avif`). */
export async function imageRenditions(
  input: string,
  options: { sourceWidth: number; widths?: readonly number[]; signal?: AbortSignal },
): Promise<EncodedImage[]> {
  const encoded: EncodedImage[] = [];
  for (const width of imageWidthsFor(options.sourceWidth, options.widths)) {
    for (const format of ['webp', 'avif'] as const) {
      encoded.push(
        await encodeImage(input, {
          name: `image-${width}-${format}`,
          width,
          format,
          ...(options.signal ? { signal: options.signal } : {}),
        }),
      );
    }
  }
  return encoded;
}

/**
 * The avatar crops: a centred square WebP per side (`square-256-webp`, `square-64-webp`), each no
 * larger than the image's shorter side (never upscaled: a 100x50 image gets two 50x50 squares, so
 * every size a client asks for exists).
 */
export async function squareRenditions(
  input: string,
  options: { sourceWidth: number; sourceHeight: number; signal?: AbortSignal },
): Promise<EncodedImage[]> {
  const shorter = Math.min(options.sourceWidth, options.sourceHeight);
  const encoded: EncodedImage[] = [];
  for (const side of SQUARE_SIDES) {
    encoded.push(
      await encodeImage(input, {
        name: `square-${side}-webp`,
        width: Math.min(side, shorter),
        format: 'webp',
        square: true,
        ...(options.signal ? { signal: options.signal } : {}),
      }),
    );
  }
  return encoded;
}

function describeSharpError(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  return message.split('\n')[0]?.replace(/\/[^\s:'"]+/g, '<file>') ?? 'unknown error';
}
