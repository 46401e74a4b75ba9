import { z } from 'zod';

/** The values a media asset is made of; events and command validation share these schemas. */

export const MEDIA_KINDS = ['video', 'image', 'audio', 'file'] as const;
export type MediaKind = (typeof MEDIA_KINDS)[number];
export const mediaKind = z.enum(MEDIA_KINDS);

export const MEDIA_STATUSES = ['requested', 'uploaded', 'processing', 'ready', 'failed', 'deleted'] as const;
export type MediaStatus = (typeof MEDIA_STATUSES)[number];

/** The transcoding saga's steps, as reported for progress. */
export const PROCESSING_STEPS = [
  'probe',
  'moderation',
  'renditions',
  'hls',
  'thumbnails',
  'images',
  'audio',
  'cleanup',
] as const;
export type ProcessingStep = (typeof PROCESSING_STEPS)[number];

export const RENDITION_KINDS = ['video', 'hls', 'image', 'thumbnail', 'audio'] as const;
export type RenditionKind = (typeof RENDITION_KINDS)[number];

export const MODERATION_CHECKERS = ['openai', 'local-rules'] as const;
export const MODERATION_DECISIONS = ['allowed', 'rejected'] as const;

/**
 * A file name as the uploader's device called it: shown to people and offered on download, never
 * used as a path. No separators or control characters, so it cannot smuggle a path or a header.
 */
export const fileName = z
  .string()
  .trim()
  .min(1)
  .max(255)
  .regex(/^[^/\\\p{Cc}]+$/u, 'a file name may not contain slashes or control characters');

/** `type/subtype`, lower case, without parameters (`video/mp4`, not `video/MP4; codecs=...`). */
export const contentType = z
  .string()
  .max(127)
  .regex(/^[a-z0-9][a-z0-9!#$&^_.+-]*\/[a-z0-9][a-z0-9!#$&^_.+-]*$/, 'must be a type/subtype media type');

export const byteSize = z.number().int().min(0).max(Number.MAX_SAFE_INTEGER);
export const sha256Hex = z.string().regex(/^[0-9a-f]{64}$/, 'must be a lower-case hex SHA-256 digest');
export const storageKey = z.string().min(1).max(1024);

/**
 * What a rendition is called. Stored HLS playlists name their segments and variant playlists by
 * these names, and delivery URLs end with them, so they are safe in a URL path as they are.
 */
export const renditionName = z
  .string()
  .regex(/^[a-z0-9][a-z0-9._-]{0,127}$/, 'lower-case letters, digits, ".", "_" and "-", at most 128');

/** The uploaded file itself, delivered under this name; no rendition may take it. */
export const ORIGINAL_RENDITION = 'original';

const nonNegative = z.number().min(0);

export const rendition = z.object({
  name: renditionName,
  kind: z.enum(RENDITION_KINDS),
  storageKey,
  contentType,
  width: z.number().int().min(1).nullable(),
  height: z.number().int().min(1).nullable(),
  bitrate: nonNegative.nullable(),
  durationSeconds: nonNegative.nullable(),
  size: byteSize,
  sha256: sha256Hex,
});
export type Rendition = z.infer<typeof rendition>;

export const MAX_RENDITIONS = 5_000;

export const manifest = z.object({
  renditions: z.array(rendition).max(MAX_RENDITIONS),
  /** The rendition name of the HLS master playlist. */
  hlsMaster: renditionName.nullable(),
  /** The rendition name of the poster image. */
  poster: renditionName.nullable(),
});
export type Manifest = z.infer<typeof manifest>;

export const probe = z.object({
  formatName: z.string().min(1).max(200),
  durationSeconds: nonNegative.nullable(),
  width: z.number().int().min(1).nullable(),
  height: z.number().int().min(1).nullable(),
  videoCodec: z.string().min(1).max(100).nullable(),
  audioCodec: z.string().min(1).max(100).nullable(),
  bitrate: nonNegative.nullable(),
});
export type Probe = z.infer<typeof probe>;

export const moderation = z.object({
  checker: z.enum(MODERATION_CHECKERS),
  decision: z.enum(MODERATION_DECISIONS),
  reasons: z.array(z.string().min(1).max(1000)).max(50),
});
export type Moderation = z.infer<typeof moderation>;

export const progressDetail = z.string().max(500).nullable();
export const progressPercent = z.number().min(0).max(100).nullable();

export const failureStage = z.string().min(1).max(100);
export const failureReason = z.string().min(1).max(2000);

/** Who did something to an asset: a user's id, or `system:<process>`. */
export const actorRef = z.union([z.uuid(), z.string().regex(/^system:.+$/)]);
