import type { FastifyInstance } from 'fastify';
import type pg from 'pg';
import type { MediaDeps } from '../../services/media/media-deps.ts';
import { deliveryRoutes } from './delivery-route.ts';
import { uploadRoutes } from './upload-route.ts';

/** The media REST routes: uploads (`PUT /uploads/:token`) and delivery (`GET /media/:assetId/:rendition`). */
export async function mediaRoutes(
  app: FastifyInstance,
  options: { media: MediaDeps; pool: pg.Pool },
): Promise<void> {
  // Each in its own plugin, so the upload route's raw-stream parser stays with it.
  await app.register(uploadRoutes, { media: options.media });
  await app.register(deliveryRoutes, options);
}
