import { text } from 'node:stream/consumers';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type pg from 'pg';
import { z } from 'zod';
import { forbidden, notFound, validation } from '../../domain/shared/domain-error.ts';
import type { MediaDeps } from '../../services/media/media-deps.ts';
import { deliveryExpiry } from '../../services/media/signed-urls.ts';
import { nowFrom } from '../../services/shared/command-context.ts';
import { ObjectNotFound } from '../../storage/errors.ts';
import { isPlaylist, MAX_PLAYLIST_BYTES, rewritePlaylist } from './hls-playlists.ts';
import { parseRange } from './http-ranges.ts';
import { findMediaAsset, type MediaAssetRow } from './read-model-queries.ts';
import { type Deliverable, locate, renditionUrl } from './rendition-urls.ts';
import { sendMediaError } from './route-errors.ts';

const params = z.object({ assetId: z.string().max(100), rendition: z.string().max(200) });
const query = z.object({
  expires: z.string().max(20).default(''),
  signature: z.string().max(100).default(''),
});

/**
 * `GET /media/:assetId/:rendition?expires=&signature=`: a rendition (or `original`, the upload) by
 * signed URL. 403 for a signature that is wrong or expired (checked before anything is looked
 * up), 404 for an unknown rendition or a deleted asset. Renditions never change once written, so
 * they are `immutable` (for a private cache, until the URL expires) with the SHA-256 as ETag, and
 * serve byte ranges (206, 416). HLS playlists are rewritten so every URI in them is a signed URL.
 */
export async function deliveryRoutes(
  app: FastifyInstance,
  options: { media: MediaDeps; pool: pg.Pool },
): Promise<void> {
  const { media, pool } = options;
  // HEAD is served here too, without opening the object (Fastify's automatic HEAD would read it all).
  app.route({
    method: ['GET', 'HEAD'],
    url: '/media/:assetId/:rendition',
    handler: async (request, reply) => {
      try {
        const { assetId, rendition } = params.parse(request.params);
        const { expires, signature } = query.parse(request.query);
        const now = nowFrom(media);
        if (!media.urls.verify(assetId, rendition, expires, signature, now)) {
          throw forbidden('INVALID_SIGNATURE', 'This media URL is not valid or has expired');
        }
        const row = z.uuid().safeParse(assetId).success ? await findMediaAsset(pool, assetId) : undefined;
        const deliverable = row && locate(row, rendition);
        if (!deliverable) throw notFound('RENDITION_NOT_FOUND', 'No such media rendition');
        reply.header('x-content-type-options', 'nosniff');
        if (isPlaylist(deliverable.contentType))
          return await sendPlaylist(media, reply, assetId, row, deliverable);
        const maxAge = Math.max(0, Number(expires) - Math.floor(now.getTime() / 1000));
        return await sendObject(media, request, reply, deliverable, maxAge);
      } catch (error) {
        return sendMediaError(reply, error instanceof ObjectNotFound ? missing() : error);
      }
    },
  });
}

async function sendObject(
  media: MediaDeps,
  request: FastifyRequest,
  reply: FastifyReply,
  object: Deliverable,
  maxAge: number,
) {
  const etag = `"${object.sha256}"`;
  reply
    .header('content-type', object.contentType)
    .header('etag', etag)
    .header('cache-control', `private, max-age=${maxAge}, immutable`)
    .header('accept-ranges', 'bytes');
  if (object.downloadAs !== null) reply.header('content-disposition', attachment(object.downloadAs));
  if (matchesEtag(request.headers['if-none-match'], etag)) return reply.code(304).send();
  // A Range whose If-Range names another version of the object gets the whole (new) object.
  const ifRange = request.headers['if-range'];
  const range =
    ifRange === undefined || ifRange === etag
      ? parseRange(request.headers.range, object.size)
      : { kind: 'whole' as const };
  if (range.kind === 'unsatisfiable') {
    reply.header('content-range', `bytes */${object.size}`);
    throw validation(
      'RANGE_NOT_SATISFIABLE',
      `The range is outside the ${object.size} bytes of this rendition`,
      {
        size: object.size,
      },
    );
  }
  const head = request.method === 'HEAD';
  if (range.kind === 'whole') {
    reply.header('content-length', object.size);
    return reply.send(head ? undefined : await media.storage.get(object.storageKey));
  }
  const { start, end } = range;
  reply
    .code(206)
    .header('content-range', `bytes ${start}-${end}/${object.size}`)
    .header('content-length', end - start + 1);
  return reply.send(head ? undefined : await media.storage.get(object.storageKey, { start, end }));
}

/**
 * A playlist with its URIs signed anew (presigned object URLs with S3, the API's own otherwise):
 * the body changes with every signature, so it is neither cached nor ranged. Its URIs expire with
 * the API's delivery URLs (hours), long enough to play.
 */
async function sendPlaylist(
  media: MediaDeps,
  reply: FastifyReply,
  assetId: string,
  row: MediaAssetRow,
  playlist: Deliverable,
) {
  if (playlist.size > MAX_PLAYLIST_BYTES) throw new Error(`Playlist of ${assetId} is ${playlist.size} bytes`);
  const stored = await text(await media.storage.get(playlist.storageKey));
  const names = new Set(row.manifest?.renditions.map((rendition) => rendition.name));
  const expiresAt = deliveryExpiry(nowFrom(media), media.deliveryUrlTtlMs);
  // Signing may be asynchronous (S3's presigner): the URIs named are collected, signed, then put in.
  const named = new Set<string>();
  rewritePlaylist(stored, (name) => {
    if (names.has(name)) named.add(name);
    return null;
  });
  const urls = new Map(
    await Promise.all(
      [...named].map(async (name) => [name, await renditionUrl(media, row, name, expiresAt)] as const),
    ),
  );
  const body = rewritePlaylist(stored, (name) => urls.get(name) ?? null);
  return reply
    .header('content-type', 'application/vnd.apple.mpegurl')
    .header('cache-control', 'private, no-cache')
    .send(body);
}

function matchesEtag(header: string | undefined, etag: string): boolean {
  if (!header) return false;
  return header.trim() === '*' || header.split(',').some((tag) => tag.trim().replace(/^W\//, '') === etag);
}

/** `attachment` with an ASCII fallback name and the exact one in RFC 5987 form. */
function attachment(fileName: string): string {
  const ascii = fileName.replace(/[^\x20-\x7e]|["\\%]/g, '_');
  return `attachment; filename="${ascii}"; filename*=UTF-8''${encodeURIComponent(fileName)}`;
}

const missing = () => notFound('RENDITION_NOT_FOUND', 'No such media rendition');
