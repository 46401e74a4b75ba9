import type { IResolvers } from 'mercurius';
import { z } from 'zod';
import { RENDITION_KINDS } from '../../domain/media/media-values.ts';
import { notFound } from '../../domain/shared/domain-error.ts';
import { confirmUpload } from '../../services/media/confirm-upload.ts';
import { deleteMedia, requestUpload } from '../../services/media/media.ts';
import type { MediaDeps } from '../../services/media/media-deps.ts';
import { deliveryExpiry } from '../../services/media/signed-urls.ts';
import { nowFrom } from '../../services/shared/command-context.ts';
import { callerFor, type GraphQLContext } from '../request-scope.ts';
import { type MediaAssetView, toMediaAsset } from './mappers.ts';
import {
  canView,
  findMediaAsset,
  type MediaAssetRow,
  type MediaViewer,
  mediaViewerOf,
} from './read-model-queries.ts';
import { renditionUrl } from './rendition-urls.ts';

type Args = Record<string, unknown>;
type Resolver = (root: unknown, args: Args, context: GraphQLContext) => Promise<unknown>;

const mediaArgs = z.object({ id: z.uuid() });
const renditionKindsArgs = z.object({
  kinds: z
    .array(z.enum(['VIDEO', 'HLS', 'IMAGE', 'THUMBNAIL', 'AUDIO']))
    .max(RENDITION_KINDS.length)
    .nullish(),
});

/** `media(id)`, `requestUpload`, `confirmUpload`, `deleteMedia`. */
export function mediaResolvers(): IResolvers {
  const query: Record<string, Resolver> = {
    media: async (_root, args, { scope }) => {
      const caller = await callerFor(scope, 'read');
      const row = await findMediaAsset(scope.services.pool, mediaArgs.parse(args).id);
      return row && canView(mediaViewerOf(caller.actor), row) ? mediaView(scope.media, row) : null;
    },
  };
  const mutation: Record<string, Resolver> = {
    requestUpload: async (_root, args, { scope }) => {
      const caller = await callerFor(scope, 'write');
      return requestUpload(scope.media, caller, args);
    },
    confirmUpload: async (_root, args, { scope }) => {
      const caller = await callerFor(scope, 'write');
      const assetId = await confirmUpload(scope.media, caller, args);
      return visibleMedia(scope.media, scope.services.pool, mediaViewerOf(caller.actor), assetId);
    },
    deleteMedia: async (_root, args, { scope }) => {
      const caller = await callerFor(scope, 'write');
      const assetId = await deleteMedia(scope.media, caller, args);
      return visibleMedia(scope.media, scope.services.pool, mediaViewerOf(caller.actor), assetId);
    },
  };
  return {
    Query: query,
    Mutation: mutation,
    // Signed when asked for (see SignRendition).
    MediaRendition: { url: (rendition: { url: () => Promise<string> }) => rendition.url() },
    MediaAsset: { originalUrl: (asset: MediaAssetView) => asset.originalUrl?.() ?? null },
    MediaManifest: {
      renditions: async (manifest: NonNullable<MediaAssetView['manifest']>, args: Args) => {
        const { kinds } = renditionKindsArgs.parse(args);
        if (!kinds) return manifest.renditions;
        const wanted = new Set<string>(kinds);
        return manifest.renditions.filter((rendition) => wanted.has(rendition.kind));
      },
    },
  };
}

/** The asset with its renditions' URLs signed for the next few hours. */
export function mediaView(media: MediaDeps, row: MediaAssetRow): MediaAssetView {
  const expiresAt = deliveryExpiry(nowFrom(media), media.deliveryUrlTtlMs);
  return toMediaAsset(row, (rendition) => renditionUrl(media, row, rendition, expiresAt));
}

export async function visibleMedia(
  media: MediaDeps,
  pool: Parameters<typeof findMediaAsset>[0],
  viewer: MediaViewer,
  assetId: string,
): Promise<MediaAssetView> {
  const row = await findMediaAsset(pool, assetId);
  if (!row || !canView(viewer, row)) throw notFound('MEDIA_NOT_FOUND', 'No such media');
  return mediaView(media, row);
}
