import type pg from 'pg';
import type { Manifest, Moderation, Probe } from '../../domain/media/media-values.ts';
import type { Actor } from '../../domain/shared/decider.ts';

export interface MediaAssetRow {
  asset_id: string;
  owner_id: string;
  kind: string;
  status: string;
  file_name: string;
  content_type: string;
  /** bigint columns arrive as strings. */
  declared_size: string;
  upload_expires_at: Date;
  size: string | null;
  sha256: string | null;
  detected_content_type: string | null;
  storage_key: string | null;
  probe: Probe | null;
  moderation: (Moderation & { at: string }) | null;
  manifest: Manifest | null;
  failure: { stage: string; reason: string; at: string } | null;
  progress: { step: string; detail: string | null; percent: number | null; at: string } | null;
  created_at: Date;
  updated_at: Date;
  uploaded_at: Date | null;
  ready_at: Date | null;
  deleted_at: Date | null;
}

/** Assets by id (any owner, deleted ones too): callers decide what the asker may see. */
export async function findMediaAssets(pool: pg.Pool, assetIds: readonly string[]) {
  const { rows } = await pool.query<MediaAssetRow>(
    'select * from media_assets where asset_id = any($1::uuid[])',
    [assetIds],
  );
  return new Map(rows.map((row) => [row.asset_id, row]));
}

export async function findMediaAsset(pool: pg.Pool, assetId: string): Promise<MediaAssetRow | undefined> {
  return (await findMediaAssets(pool, [assetId])).get(assetId);
}

/** Who reads media: an asset is visible to its owner (an API key: its owner's) and to admins. */
export interface MediaViewer {
  userId: string | null;
  admin: boolean;
}

export function mediaViewerOf(actor: Actor): MediaViewer {
  switch (actor.kind) {
    case 'user':
      return { userId: actor.userId, admin: actor.role === 'admin' };
    case 'integration':
      return { userId: actor.ownerId, admin: false };
    case 'system':
      return { userId: null, admin: true };
    case 'anonymous':
      return { userId: null, admin: false };
  }
}

export const canView = (viewer: MediaViewer, row: Pick<MediaAssetRow, 'owner_id'>) =>
  viewer.admin || (viewer.userId !== null && viewer.userId === row.owner_id);

/** The asset if the viewer may see it. */
export async function findVisibleMediaAsset(pool: pg.Pool, viewer: MediaViewer, assetId: string) {
  const row = await findMediaAsset(pool, assetId);
  return row && canView(viewer, row) ? row : undefined;
}
