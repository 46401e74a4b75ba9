import { Readable } from 'node:stream';
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import type { MediaDeps } from '../../services/media/media-deps.ts';
import { receiveUpload } from '../../services/media/receive-upload.ts';
import { sendMediaError } from './route-errors.ts';

const params = z.object({ token: z.string().min(1).max(200) });
const contentLength = z.coerce.number().int().min(0).optional();

/**
 * `PUT /uploads/:token`: the body of an upload URL, streamed to object storage as it arrives. 200
 * with `{ assetId, size, sha256, contentType }` and an `ETag` (the SHA-256); 403 for a bad,
 * expired or used URL (`UPLOAD_URL_INVALID`, `UPLOAD_URL_EXPIRED`, `UPLOAD_URL_USED`,
 * `MEDIA_DELETED`); 413 past the declared size; 415 when the bytes are not the declared kind; in
 * every refusal nothing is kept.
 *
 * Registered in a plugin of its own: its content-type parser hands the raw request stream through
 * for every type (nothing is buffered, and a JSON or text file is not parsed), and the route's
 * `bodyLimit` (the largest size any kind allows) lifts the API's 100 KiB default. Fastify does not
 * count bytes for a streaming parser, so the declared size of each asset is enforced while storing.
 */
export async function uploadRoutes(app: FastifyInstance, options: { media: MediaDeps }): Promise<void> {
  const { media } = options;
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', (_request, payload, done) => done(null, payload));
  const bodyLimit = Math.max(...Object.values(media.limits));
  app.put('/uploads/:token', { bodyLimit }, async (request, reply) => {
    try {
      const { token } = params.parse(request.params);
      const length = contentLength.safeParse(request.headers['content-length']);
      const { body } = request;
      const received = await receiveUpload(media, {
        token,
        // Not destroyed when storing stops early: the socket must stay to carry the 413 or 415.
        body:
          body instanceof Readable
            ? { [Symbol.asyncIterator]: () => body.iterator({ destroyOnReturn: false }) }
            : Readable.from([]),
        contentLength: length.success ? length.data : undefined,
        correlationId: request.id,
      });
      return reply.header('etag', `"${received.sha256}"`).send(received);
    } catch (error) {
      // The client may still be sending: the connection ends after the refusal (which is flushed,
      // and the rest of the body read and dropped for a moment, first: see lingering-close.ts).
      if (!request.raw.readableEnded) reply.header('connection', 'close');
      return sendMediaError(reply, error);
    }
  });
}
