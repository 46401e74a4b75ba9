import { ORIGINAL_RENDITION } from '../../domain/media/media-values.ts';
import type { MediaDeps } from '../../services/media/media-deps.ts';
import { cacheLifetimeSeconds } from '../../services/media/signed-urls.ts';
import { nowFrom } from '../../services/shared/command-context.ts';
import { isPlaylist } from './hls-playlists.ts';
import type { MediaAssetRow } from './read-model-queries.ts';

/** What one delivery URL serves. */
export interface Deliverable {
  storageKey: string;
  contentType: string;
  size: number;
  sha256: string;
  /** A file asset's original is offered as a download under its own name. */
  downloadAs: string | null;
}

/** The object behind one of the asset's renditions (or `original`), or null when there is none. */
export function locate(row: MediaAssetRow, rendition: string): Deliverable | null {
  if (row.status === 'deleted') return null;
  if (rendition === ORIGINAL_RENDITION) {
    if (!row.storage_key || !row.sha256 || row.size === null) return null;
    return {
      storageKey: row.storage_key,
      contentType: row.detected_content_type ?? 'application/octet-stream',
      size: Number(row.size),
      sha256: row.sha256,
      downloadAs: row.kind === 'file' ? row.file_name : null,
    };
  }
  const found = row.manifest?.renditions.find((each) => each.name === rendition);
  return found ? { ...found, downloadAs: null } : null;
}

/**
 * The URL a client fetches a rendition from until `expiresAt`. With object storage clients can
 * reach (S3), a presigned GET of the object itself, so the bytes never pass through the API, with
 * the rendition's type and a cache lifetime bound into it. HLS playlists still come from the API
 * (`GET /media/...`), which rewrites the URIs in them to presigned URLs of their own; so does
 * everything when the storage is local.
 */
export async function renditionUrl(
  media: MediaDeps,
  row: MediaAssetRow,
  rendition: string,
  expiresAt: Date,
): Promise<string> {
  const direct = media.storage.direct;
  const target = direct ? locate(row, rendition) : null;
  if (!direct || !target || isPlaylist(target.contentType)) {
    return media.urls.signedMediaUrl(row.asset_id, rendition, expiresAt);
  }
  // Renditions never change once written, but a cached copy must not outlive the URL it came by
  // by more than needed (deleted media stays in caches that long): the lifetime is what the URL has
  // left, not the full delivery TTL. Through a CDN the cache is shared by everyone holding the URL,
  // which is the capability anyway; without one, only the browser's.
  const lifetime = cacheLifetimeSeconds(nowFrom(media), expiresAt);
  const scope = direct.sharedCache ? 'public' : 'private';
  return direct.presignGet(target.storageKey, {
    expiresAt,
    contentType: target.contentType,
    cacheControl: `${scope}, max-age=${lifetime}, immutable`,
    ...(target.downloadAs !== null ? { downloadAs: target.downloadAs } : {}),
  });
}
