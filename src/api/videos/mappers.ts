import type { Connection } from '../pagination.ts';
import type { VideoPostRow, VideoSearchRow } from './read-model-queries.ts';

export function toVideoPost(row: VideoPostRow) {
  return {
    id: row.post_id,
    ownerId: row.owner_id,
    assetId: row.asset_id,
    title: row.title,
    description: row.description,
    tags: row.tags,
    visibility: row.visibility,
    createdAt: row.created_at.toISOString(),
    updatedAt: row.updated_at.toISOString(),
  };
}

export type VideoPostView = ReturnType<typeof toVideoPost>;

export const videoPostCursor = (row: VideoPostRow) => [row.sort_key, row.post_id];

export const videoSearchCursor = (row: VideoSearchRow) => [row.rank_text, row.sort_key, row.post_id];

/** Search edges carry the rank and headline beside the post. */
export function toSearchConnection(found: Connection<VideoSearchRow>) {
  return {
    ...found,
    edges: found.edges.map(({ cursor, node: row }) => ({
      cursor,
      node: toVideoPost(row),
      rank: Number(row.rank_text),
      headline: row.headline,
    })),
    nodes: found.nodes.map(toVideoPost),
  };
}
