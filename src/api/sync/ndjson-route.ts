import { Readable } from 'node:stream';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { SYNC_LIMITS } from '../../domain/sync/change-types.ts';
import { type SyncReply, sync } from '../../services/sync/sync.ts';
import { isDependencyUnavailable } from '../dependency-unavailable.ts';
import { errorBody } from '../events/error-replies.ts';
import type { RateLimiting } from '../limits/rate-limits.ts';
import { frameworkRefusal, RejectedRequest } from '../rejected-request.ts';
import { type ApiServices, callerFor, requestScope } from '../request-scope.ts';
import { headerOf, type NdjsonLimits, ndjsonLines } from './ndjson-lines.ts';
import { toSyncOutcome, toSyncRecord, toSyncTrailer } from './sync-mappers.ts';

export const NDJSON = 'application/x-ndjson';

/**
 * What one line may hold: a change's payload is at most SYNC_LIMITS.maxPayloadBytes as JSON, but
 * a client may escape its text (`\u00e9` is six bytes for two), and the change's other fields come
 * on top. A longer line is refused before it is held whole.
 */
export const SYNC_LINE_LIMIT = 4 * SYNC_LIMITS.maxPayloadBytes;

const LIMITS: NdjsonLimits = {
  maxBytes: SYNC_LIMITS.ndjson.maxBytes,
  maxChanges: SYNC_LIMITS.ndjson.maxChanges,
  maxLineBytes: SYNC_LINE_LIMIT,
};

const contentLength = z.coerce.number().int().min(0).optional();

export interface SyncRouteOptions {
  services: ApiServices;
  rateLimiting: RateLimiting;
}

/**
 * `POST /sync`: the sync of large batches, as NDJSON (docs/sync.md). The body is a header line
 * `{"deviceId", "cursor"?, "snapshotToken"?, "deviceTime"?}` and then one change per line, with
 * the fields of GraphQL's SyncChangeInput; it is read line by line as it arrives and refused (413
 * SYNC_TOO_LARGE) the moment it passes the NDJSON limits, so nothing unbounded is ever held. The
 * reply is NDJSON too, written as it is serialised: an `{"outcome": …}` line per change, when the
 * reply is a re-seed a `{"reseed": {"reason", "nextSnapshotToken"}}` line, a `{"change": …}` line
 * per record, and last `{"cursor", "hasMore", "reseed", "serverTime", "clockSkewMs"}` (its
 * `reseed` the same as the line's); the objects are those of the GraphQL form. A refusal of the whole request is
 * one JSON object `{"error": {"code", "reason", "message", "details"}}` with its HTTP status; every
 * whole-request refusal comes before any of the body is acted on, so it stores nothing.
 *
 * Bearer authentication as on /graphql (checked before the body is read); rate-limited with the
 * GraphQL requests, and a batch counts one request more for every 100 changes past its first 100
 * (GraphQL's largest sync), so the NDJSON form is no way around the budget.
 */
export async function syncNdjsonRoutes(app: FastifyInstance, options: SyncRouteOptions): Promise<void> {
  const { services, rateLimiting } = options;
  // In this plugin only: the body is handed over as the raw stream, never buffered by Fastify.
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', (_request, payload, done) => done(null, payload));
  // The rate limiter refuses in a hook, before the handler: its 429 takes this route's error shape.
  app.setErrorHandler((error, request, reply) => sendSyncError(request, reply, error));
  app.post('/sync', { bodyLimit: LIMITS.maxBytes }, async (request, reply) => {
    try {
      return await answer(request, reply, services, rateLimiting);
    } catch (error) {
      return sendSyncError(request, reply, error);
    }
  });
}

async function answer(
  request: FastifyRequest,
  reply: FastifyReply,
  services: ApiServices,
  rateLimiting: RateLimiting,
): Promise<FastifyReply> {
  const mediaType = request.headers['content-type']?.split(';')[0]?.trim().toLowerCase();
  if (mediaType !== NDJSON) {
    throw new RejectedRequest(415, 'VALIDATION', 'UNSUPPORTED_MEDIA_TYPE', `Send the sync as ${NDJSON}`);
  }
  const declared = contentLength.safeParse(request.headers['content-length']);
  if (declared.success && declared.data !== undefined && declared.data > LIMITS.maxBytes) {
    throw new RejectedRequest(
      413,
      'VALIDATION',
      'SYNC_TOO_LARGE',
      `The body is ${declared.data} bytes; an NDJSON sync takes at most ${LIMITS.maxBytes}`,
      { form: 'ndjson', bytes: declared.data, ...LIMITS },
    );
  }
  const scope = requestScope(services, request);
  const caller = await callerFor(scope, 'write');

  const { body } = request;
  const lines = ndjsonLines(
    body instanceof Readable
      ? // Not destroyed when reading stops early: the socket must stay to carry the refusal.
        { [Symbol.asyncIterator]: () => body.iterator({ destroyOnReturn: false }) }
      : Readable.from([]),
    LIMITS,
  );
  const first = await lines.next();
  const header = headerOf(first.done ? undefined : first.value);
  const changes: unknown[] = [];
  let bytes = 0;
  for await (const line of lines) {
    changes.push(line.value);
    bytes += line.bytes;
  }
  const extra = Math.ceil(changes.length / SYNC_LIMITS.graphql.maxChanges) - 1;
  if (extra > 0) await rateLimiting.countExtraRequests(request, reply, extra);

  const result = await sync(scope.sync, caller, { ...header, changes }, { form: 'ndjson', bytes });
  return reply
    .code(200)
    .type(NDJSON)
    .header('cache-control', 'no-store')
    .send(Readable.from(replyLines(result)));
}

/** The reply, a line at a time and in chunks of a few dozen lines, so it is never one huge string. */
function* replyLines(reply: SyncReply): Generator<string> {
  let chunk = '';
  const line = function* (value: unknown) {
    chunk += `${JSON.stringify(value)}\n`;
    if (chunk.length >= 64 * 1024) {
      yield chunk;
      chunk = '';
    }
  };
  for (const outcome of reply.outcomes) yield* line({ outcome: toSyncOutcome(outcome) });
  // A re-seed is announced before its records: a client applying change lines as they stream in
  // must drop its copy first (on the first page), and would learn it only at the trailer too late.
  if (reply.reseed) yield* line({ reseed: reply.reseed });
  for (const record of reply.changes) yield* line({ change: toSyncRecord(record) });
  yield* line(toSyncTrailer(reply));
  if (chunk) yield chunk;
}

/**
 * A refused sync: `{"error": {...}}` with the status its code has over HTTP (VALIDATION 400, and
 * 413 for a body over the limits, 401, 403, 404, 409, 429, 503 for a sync that may simply be
 * retried); anything unexpected is 500 INTERNAL, logged, and its message kept from the client.
 * The client may still be sending: the connection then closes after the answer (lingering-close.ts).
 */
function sendSyncError(request: FastifyRequest, reply: FastifyReply, error: unknown): FastifyReply {
  if (!request.raw.complete) reply.header('connection', 'close');
  const { statusCode, code, reason, message, ...details } = errorOf(error);
  if (code === 'INTERNAL') request.log.error({ err: error }, 'unexpected error in POST /sync');
  return reply
    .code(statusCode)
    .type('application/json')
    .send({ error: { code, ...(reason ? { reason } : {}), message, details } });
}

/** errorBody's shape, with the code UNAVAILABLE the REST catalogue has no entry for. */
interface SyncErrorBody {
  statusCode: number;
  code: string;
  reason?: string;
  message: string;
  [detail: string]: unknown;
}

function errorOf(error: unknown): SyncErrorBody {
  // Ours (413, 415, 429) and Fastify's own refusals of a request it could not read.
  const refused = error instanceof Error ? frameworkRefusal(error) : undefined;
  if (refused) return { ...errorBody(refused), statusCode: refused.statusCode };
  const extensions = unavailableExtensions(error);
  if (extensions) {
    const message = error instanceof Error ? error.message : 'Temporarily unavailable; retry';
    return { ...extensions, statusCode: 503, code: 'UNAVAILABLE', message };
  }
  if (isDependencyUnavailable(error)) {
    return {
      statusCode: 503,
      code: 'UNAVAILABLE',
      reason: 'DEPENDENCY_UNAVAILABLE',
      message: 'Temporarily unavailable; retry the sync (its change ids apply nothing twice)',
    };
  }
  return errorBody(error);
}

/** A retryable refusal that names its GraphQL code itself (SYNC_BUSY: another sync of the account runs). */
function unavailableExtensions(error: unknown): Record<string, unknown> | undefined {
  if (!(error instanceof Error) || !('extensions' in error)) return undefined;
  const { extensions } = error;
  if (typeof extensions !== 'object' || extensions === null) return undefined;
  return 'code' in extensions && extensions.code === 'UNAVAILABLE' ? { ...extensions } : undefined;
}
