import type { MercuriusContext, MercuriusLoaders } from 'mercurius';
import { deliveryExpiry } from '../../services/media/signed-urls.ts';
import { nowFrom } from '../../services/shared/command-context.ts';
import { findMediaAssets } from '../media/read-model-queries.ts';
import { renditionUrl } from '../media/rendition-urls.ts';
import { type LearningModuleView, toCheckpoint, toLearningMedia } from './learning-mappers.ts';
import { checkpointsOfModules, checkpointVersions } from './learning-queries.ts';

type Queries = { obj: LearningModuleView }[];

/**
 * A path's modules (up to 100) read their media in one statement and their checkpoints in two
 * (rows, then each one's shown version), not two per module. Each module view carries its reader,
 * judged by the field that returned it.
 */
export function learningLoaders(): MercuriusLoaders {
  return {
    LearningModule: {
      media: async (queries: Queries, context: MercuriusContext) => {
        const ids = [...new Set(queries.flatMap(({ obj }) => obj.mediaAssetIds))];
        if (ids.length === 0) return queries.map(() => []);
        const { scope } = context;
        const assets = await findMediaAssets(scope.services.pool, ids);
        // Signed as `media(id)` signs: membership of the community is what guards these URLs.
        const { media } = scope;
        const expiresAt = deliveryExpiry(nowFrom(media), media.deliveryUrlTtlMs);
        const sign = (asset: Parameters<typeof renditionUrl>[1], rendition: string) =>
          renditionUrl(media, asset, rendition, expiresAt);
        return queries.map(({ obj }) =>
          obj.mediaAssetIds.map((assetId) =>
            toLearningMedia(assetId, assets.get(assetId), sign, obj.textMode),
          ),
        );
      },
      // Learners: approved checkpoints at their approved version; publishers: every one at its latest.
      checkpoints: async (queries: Queries, context: MercuriusContext) => {
        const { pool } = context.scope.services;
        const groups = new Map<string, { communityId: string; publisher: boolean; moduleIds: Set<string> }>();
        for (const { obj } of queries) {
          const key = `${obj.communityId}:${obj.reader.publisher}`;
          const group = groups.get(key) ?? {
            communityId: obj.communityId,
            publisher: obj.reader.publisher,
            moduleIds: new Set<string>(),
          };
          group.moduleIds.add(obj.id);
          groups.set(key, group);
        }
        const byModule = new Map<string, ReturnType<typeof toCheckpoint>[]>();
        for (const { communityId, publisher, moduleIds } of groups.values()) {
          const rows = await checkpointsOfModules(pool, communityId, [...moduleIds], !publisher);
          const shown = rows.flatMap((row) => {
            const version = publisher ? row.latest_version : row.approved_version;
            return version === null ? [] : [{ row, version }];
          });
          const versions = await checkpointVersions(
            pool,
            communityId,
            shown.map(({ row, version }) => ({ checkpointId: row.checkpoint_id, version })),
          );
          const reader = queries.find(
            ({ obj }) => obj.communityId === communityId && obj.reader.publisher === publisher,
          )?.obj.reader;
          for (const { row, version } of shown) {
            const versionRow = versions.get(`${row.checkpoint_id}:${version}`);
            if (!versionRow || !reader) continue;
            const key = `${communityId}:${publisher}:${row.module_id}`;
            byModule.set(key, [...(byModule.get(key) ?? []), toCheckpoint(row, versionRow, reader)]);
          }
        }
        return queries.map(
          ({ obj }) => byModule.get(`${obj.communityId}:${obj.reader.publisher}:${obj.id}`) ?? [],
        );
      },
    },
  };
}
