import type { Rendition } from '../../domain/media/media-values.ts';
import { deliveryExpiry } from '../../services/media/signed-urls.ts';
import { nowFrom } from '../../services/shared/command-context.ts';
import { findMediaAssets, type MediaAssetRow } from '../media/read-model-queries.ts';
import { renditionUrl } from '../media/rendition-urls.ts';
import type { RequestScope } from '../request-scope.ts';

/**
 * What a post plays, read from the media read model (`media_assets`) when a post is read: the
 * renditions belong to the asset, which may be deleted after the post was made. URLs are signed
 * as `media(id)` signs them, so `GET /media/...` serves them to whoever holds one: the post's
 * visibility is what guards them.
 */
export interface Playback {
  durationSeconds: number | null;
  renditions: PlayableRendition[];
  hlsMaster: PlayableRendition | null;
  poster: PlayableRendition | null;
}

export interface PlayableRendition {
  name: string;
  kind: string;
  width: number | null;
  height: number | null;
  contentType: string;
  /** Signed as `media(id)` signs it (asynchronously with S3) by the `url` field's resolver, if asked for. */
  url: () => Promise<string>;
}

const NOTHING_TO_PLAY: Playback = { durationSeconds: null, renditions: [], hlsMaster: null, poster: null };

/** The playback of one asset; every call in the same tick of one request shares one query. */
export function playbackOf(scope: RequestScope, assetId: string): Promise<Playback> {
  let lookup = lookups.get(scope);
  if (!lookup) {
    lookup = batched((ids) => findMediaAssets(scope.services.pool, ids));
    lookups.set(scope, lookup);
  }
  return lookup(assetId).then((row) => (row ? playable(scope, row) : NOTHING_TO_PLAY));
}

const lookups = new WeakMap<RequestScope, (assetId: string) => Promise<MediaAssetRow | undefined>>();

/**
 * The renditions a player picks from: MP4s, images, thumbnails and the HLS master playlist. HLS
 * variant playlists and segments (hundreds for a long film) are reached through the master.
 */
function playable(scope: RequestScope, asset: MediaAssetRow): Playback {
  const { manifest } = asset;
  if (asset.status !== 'ready' || !manifest) return NOTHING_TO_PLAY;
  const { media } = scope;
  const expiresAt = deliveryExpiry(nowFrom(media), media.deliveryUrlTtlMs);
  const toPlayable = (rendition: Rendition): PlayableRendition => ({
    name: rendition.name,
    kind: rendition.kind,
    width: rendition.width,
    height: rendition.height,
    contentType: rendition.contentType,
    url: () => renditionUrl(media, asset, rendition.name, expiresAt),
  });
  const renditions = manifest.renditions
    .filter((rendition) => rendition.kind !== 'hls' || rendition.name === manifest.hlsMaster)
    .map(toPlayable);
  const named = (name: string | null) => renditions.find((rendition) => rendition.name === name) ?? null;
  return {
    durationSeconds: asset.probe?.durationSeconds ?? null,
    renditions,
    hlsMaster: named(manifest.hlsMaster),
    poster: named(manifest.poster),
  };
}

interface Batch<Row> {
  ids: string[];
  answer: Promise<Map<string, Row>>;
  rows: Map<string, Promise<Row | undefined>>;
}

/**
 * Coalesces the lookups made in one tick into one `load`. A batch closes when its load starts and
 * nothing is kept after, so a long-lived scope (a WebSocket connection) never reads stale media.
 */
function batched<Row>(load: (ids: string[]) => Promise<Map<string, Row>>) {
  let open: Batch<Row> | null = null;
  return (id: string): Promise<Row | undefined> => {
    if (!open) {
      const ids: string[] = [];
      const answer = new Promise<Map<string, Row>>((resolve, reject) =>
        setImmediate(() => {
          open = null;
          load(ids).then(resolve, reject);
        }),
      );
      open = { ids, answer, rows: new Map() };
    }
    const batch = open;
    const known = batch.rows.get(id);
    if (known) return known;
    batch.ids.push(id);
    const row = batch.answer.then((rows) => rows.get(id));
    batch.rows.set(id, row);
    return row;
  };
}
