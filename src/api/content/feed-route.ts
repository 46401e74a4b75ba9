import type { FastifyInstance } from 'fastify';
import type pg from 'pg';
import { z } from 'zod';
import { feedPath } from '../../channels/feed.ts';
import { fieldListOf } from '../../domain/content/content-values.ts';
import { notFound } from '../../domain/shared/domain-error.ts';
import { sendError } from '../events/error-replies.ts';
import { type FeedItemRow, feedItems } from './read-model-queries.ts';

/** Items per feed: JSON Feed readers poll the newest; the archive lives in the GraphQL API. */
const FEED_ITEMS = 50;

const params = z.object({ brandId: z.uuid() });

/**
 * `GET /brands/:brandId/feed.json`: the brand's public JSON Feed 1.1 (https://jsonfeed.org/version/1.1),
 * the `feed` publishing channel. Public by design: it lists only what the saga published to it.
 */
export async function feedRoutes(app: FastifyInstance, options: { pool: pg.Pool }): Promise<void> {
  app.get('/brands/:brandId/feed.json', async (request, reply) => {
    try {
      const { brandId } = params.parse(request.params);
      const { rows } = await options.pool.query<{ name: string; description: string; has_feed: boolean }>(
        `select name, description, channels @> '[{"kind":"feed"}]' as has_feed from brands
          where brand_id = $1 and archived_at is null`,
        [brandId],
      );
      const brand = rows[0];
      if (!brand?.has_feed) throw notFound('FEED_NOT_FOUND', 'This brand has no public feed');
      const base = `${request.protocol}://${request.host}`;
      const items = await feedItems(options.pool, brandId, FEED_ITEMS);
      return reply.type('application/feed+json').send({
        version: 'https://jsonfeed.org/version/1.1',
        title: brand.name,
        description: brand.description,
        feed_url: `${base}${feedPath(brandId)}`,
        items: items.map((item) => feedItem(item)),
      });
    } catch (error) {
      return sendError(reply, error);
    }
  });
}

function feedItem(item: FeedItemRow) {
  // In the author's order: "body" then "cta" reads as written.
  const text = fieldListOf(item.fields)
    .map(({ key, value }) => `${key}: ${value}`)
    .join('\n\n');
  return {
    id: item.content_id,
    title: item.title,
    content_text: text,
    ...(item.metadata.seoDescription ? { summary: item.metadata.seoDescription } : {}),
    ...(item.metadata.keywords.length > 0 ? { tags: item.metadata.keywords } : {}),
    date_published: item.published_at.toISOString(),
    date_modified: item.updated_at.toISOString(),
  };
}
