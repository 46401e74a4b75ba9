import type { MediaKind } from '../../domain/media/media-values.ts';
import type { ObjectStorage } from '../../storage/port.ts';
import type { ServiceDeps } from '../shared/command-context.ts';
import { type MediaUrls, mediaUrls } from './signed-urls.ts';
import { type UploadTokens, uploadTokens } from './upload-tokens.ts';

/** The largest upload accepted per kind, in bytes. */
export type MediaSizeLimits = Readonly<Record<MediaKind, number>>;

const MiB = 1024 * 1024;
export const DEFAULT_MEDIA_SIZE_LIMITS: MediaSizeLimits = {
  video: 2 * 1024 * MiB,
  image: 20 * MiB,
  audio: 50 * MiB,
  file: 50 * MiB,
};

/** How long an upload URL is accepted: long enough to start an upload, short enough to leak little. */
export const UPLOAD_URL_TTL_MS = 10 * 60_000;
/** How long delivery URLs the API hands out stay valid (a long film played from a playlist). */
export const DELIVERY_URL_TTL_MS = 6 * 60 * 60_000;

/**
 * What the media use cases and routes need: the command pipeline (its `settle` waits for the
 * `media` read model), the object storage, the per-kind limits, and the signers of upload and
 * delivery URLs (keys derived from the server secret).
 */
export interface MediaDeps extends ServiceDeps {
  storage: ObjectStorage;
  limits: MediaSizeLimits;
  uploadUrlTtlMs: number;
  deliveryUrlTtlMs: number;
  uploadTokens: UploadTokens;
  urls: MediaUrls;
}

export interface MediaOptions {
  storage: ObjectStorage;
  limits?: Partial<MediaSizeLimits>;
  /** Default 10 minutes; tests make it short. */
  uploadUrlTtlMs?: number;
  /** Default 6 hours. */
  deliveryUrlTtlMs?: number;
  /** The media routes' and use cases' clock (upload URL expiry, signed URL expiry); tests move it. */
  clock?: () => Date;
}

export function mediaDeps(base: ServiceDeps, authSecret: Uint8Array, options: MediaOptions): MediaDeps {
  return {
    ...base,
    ...(options.clock ? { clock: options.clock } : {}),
    storage: options.storage,
    limits: { ...DEFAULT_MEDIA_SIZE_LIMITS, ...options.limits },
    uploadUrlTtlMs: options.uploadUrlTtlMs ?? UPLOAD_URL_TTL_MS,
    deliveryUrlTtlMs: options.deliveryUrlTtlMs ?? DELIVERY_URL_TTL_MS,
    uploadTokens: uploadTokens(authSecret),
    urls: mediaUrls(authSecret),
  };
}
