import { ORIGINAL_RENDITION, type Rendition } from '../../domain/media/media-values.ts';
import type { MediaAssetRow } from './read-model-queries.ts';

const iso = (value: Date | null) => (value ? value.toISOString() : null);
const numberOrNull = (value: string | null) => (value === null ? null : Number(value));
const upper = (value: string) => value.toUpperCase();

/**
 * Signs a rendition of the asset being mapped (a URL valid for a while). Asynchronous, as S3's
 * presigner is. URL fields hold a function that the `url` / `originalUrl` field resolvers call
 * only when the field is asked for: nothing is signed for nothing, and no promise is left for
 * nobody to await. (The default resolver cannot be relied on to call it: compiled queries,
 * graphql-jit, read the property as it is.)
 */
export type SignRendition = (rendition: string) => Promise<string>;

/** A rendition as clients see it: no storage key, a signed URL instead. */
export const toRendition = (rendition: Rendition, sign: SignRendition) => ({
  name: rendition.name,
  kind: upper(rendition.kind),
  contentType: rendition.contentType,
  width: rendition.width,
  height: rendition.height,
  bitrate: rendition.bitrate,
  durationSeconds: rendition.durationSeconds,
  size: rendition.size,
  sha256: rendition.sha256,
  url: () => sign(rendition.name),
});

/**
 * An asset as the GraphQL API shows it. Once deleted, only what it was remains: no manifest and no
 * URLs, as the bytes are gone.
 */
export function toMediaAsset(row: MediaAssetRow, sign: SignRendition) {
  const live = row.status !== 'deleted';
  const manifest = live ? row.manifest : null;
  const renditions = manifest?.renditions.map((rendition) => toRendition(rendition, sign)) ?? [];
  const named = (name: string | null) => renditions.find((rendition) => rendition.name === name) ?? null;
  return {
    id: row.asset_id,
    ownerId: row.owner_id,
    kind: upper(row.kind),
    status: upper(row.status),
    fileName: row.file_name,
    contentType: row.content_type,
    detectedContentType: row.detected_content_type,
    declaredSize: Number(row.declared_size),
    size: numberOrNull(row.size),
    sha256: row.sha256,
    uploadExpiresAt: row.upload_expires_at.toISOString(),
    originalUrl: live && row.storage_key ? () => sign(ORIGINAL_RENDITION) : null,
    probe: row.probe,
    moderation: row.moderation && { ...row.moderation, decision: upper(row.moderation.decision) },
    manifest: manifest && {
      renditions,
      hlsMaster: named(manifest.hlsMaster),
      poster: named(manifest.poster),
    },
    failure: row.failure,
    progress: row.progress,
    createdAt: row.created_at.toISOString(),
    updatedAt: row.updated_at.toISOString(),
    uploadedAt: iso(row.uploaded_at),
    readyAt: iso(row.ready_at),
    deletedAt: iso(row.deleted_at),
  };
}

export type MediaAssetView = ReturnType<typeof toMediaAsset>;
