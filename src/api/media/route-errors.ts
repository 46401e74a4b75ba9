import type { FastifyReply } from 'fastify';
import { errorBody } from '../events/error-replies.ts';

/**
 * The media routes' refusals: the same JSON bodies (`code`, `reason`) as every REST route, with the
 * HTTP statuses these cases have their own names for.
 */
const STATUS_BY_REASON: Readonly<Record<string, number>> = {
  UPLOAD_TOO_LARGE: 413,
  CONTENT_TYPE_MISMATCH: 415,
  RANGE_NOT_SATISFIABLE: 416,
};

/** Headers describing the rendition a failed reply no longer carries. */
const REPRESENTATION_HEADERS = [
  'content-type',
  'content-length',
  'content-disposition',
  'etag',
  'cache-control',
];

export function sendMediaError(reply: FastifyReply, error: unknown): FastifyReply {
  const body = errorBody(error);
  for (const header of REPRESENTATION_HEADERS) reply.removeHeader(header);
  const statusCode = (body.reason && STATUS_BY_REASON[body.reason]) || body.statusCode;
  if (body.code === 'INTERNAL') reply.log.error({ err: error }, 'unexpected error in a media route');
  return reply.code(statusCode).send({ ...body, statusCode });
}
