import type { EventCodec } from '../../commands/event-codec.ts';
import { type VideoPostEvent, videoPostEventCatalogue } from '../../domain/videos/video-events.ts';
import type { Projection, ReadModelWriter } from '../projection.ts';
import { occurredAt } from './occurred-at.ts';

/**
 * Video posts as a user's list, a video's detail and search see them. Deleted posts leave the
 * table: nothing reads them again. The search document is a generated column (title and tags
 * weighted above the description, English stemming) with a GIN index. Renditions are not copied
 * here: they belong to the media read model and are joined when a post is read.
 */
export function videoPostsProjection(codec: Pick<EventCodec, 'decode'>): Projection {
  return {
    name: 'video_posts',
    version: 1,
    eventTypes: Object.keys(videoPostEventCatalogue),
    tables: {
      video_posts: {
        columns: `post_id uuid not null, owner_id uuid not null, asset_id uuid not null,
          title text not null, description text not null, tags jsonb not null, tags_text text not null,
          visibility text not null, created_at timestamptz not null, updated_at timestamptz not null,
          search_document tsvector generated always as (
            setweight(to_tsvector('english', title), 'A') || setweight(to_tsvector('english', tags_text), 'A')
              || setweight(to_tsvector('english', description), 'B')
          ) stored`,
        primaryKey: ['post_id'],
        indexes: [
          '(owner_id, created_at desc, post_id desc)',
          "(owner_id, created_at desc, post_id desc) where visibility = 'public'",
          '(asset_id)',
          'using gin (search_document)',
        ],
      },
    },
    async apply(recorded, writer) {
      const decoded = await codec.decode(videoPostEventCatalogue, recorded);
      if (decoded) await applyVideoPostEvent(decoded.event, writer, occurredAt(recorded));
    },
  };
}

/** Tags as one text for the search document: each tag on its own line, so phrases never span two. */
const tagsText = (tags: readonly string[]) => tags.join('\n');

async function applyVideoPostEvent(
  event: VideoPostEvent,
  writer: ReadModelWriter,
  at: string,
): Promise<void> {
  const post = { post_id: event.data.postId };
  switch (event.type) {
    case 'VideoPostCreated': {
      const { postId, ownerId, assetId, title, description, tags, visibility } = event.data;
      writer.upsert('video_posts', {
        post_id: postId,
        owner_id: ownerId,
        asset_id: assetId,
        title,
        description,
        tags,
        tags_text: tagsText(tags),
        visibility,
        created_at: at,
        updated_at: at,
      });
      return;
    }
    case 'VideoPostUpdated': {
      const { tags, ...same } = event.data.changes;
      return writer.update('video_posts', post, {
        ...same,
        ...(tags === undefined ? {} : { tags, tags_text: tagsText(tags) }),
        updated_at: at,
      });
    }
    case 'VideoPostDeleted':
      return writer.delete('video_posts', post);
  }
}
