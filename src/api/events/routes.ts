import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Actor } from '../../domain/shared/decider.ts';
import { DomainError } from '../../domain/shared/domain-error.ts';
import { authenticate } from '../auth/authenticate.ts';
import type { ApiServices } from '../request-scope.ts';
import { asyncApiDocument } from './asyncapi.ts';
import { errorBody, sendError } from './error-replies.ts';
import { AudienceGuard, audienceOf, filterForAudience } from './event-audience.ts';
import { JSON_SCHEMA_DIALECT, publicEventSchemas } from './event-schemas.ts';
import { pumpEvents } from './event-stream.ts';
import { SseConnection, type SseLimits } from './sse-connection.ts';
import { requireEventReader } from './stream-access.ts';
import { parseStreamRequest } from './stream-query.ts';

export interface IntegratorEventRoutesOptions {
  services: ApiServices;
  /** The API's version, shown in the AsyncAPI document. */
  version: string;
  limits?: Partial<SseLimits>;
}

export const DEFAULT_SSE_LIMITS: SseLimits = {
  heartbeatMs: 15_000,
  maxPendingEvents: 1_000,
  congestionPauseMs: 50,
  closeGraceMs: 2_000,
};

/**
 * `GET /events` (Server-Sent Events), `GET /events/catalogue` and `GET /events/asyncapi.json`.
 * The catalogue and the AsyncAPI document are public: they describe only what integrators may see,
 * and an integrator reads them before it has a key.
 */
export async function integratorEventRoutes(
  app: FastifyInstance,
  options: IntegratorEventRoutesOptions,
): Promise<void> {
  const { services } = options;
  const limits: SseLimits = { ...DEFAULT_SSE_LIMITS, ...options.limits };
  const open = new Set<SseConnection>();
  // preClose, not onClose: onClose runs after the server has waited for in-flight requests, and
  // an open stream never finishes on its own.
  app.addHook('preClose', async () => {
    await Promise.all([...open].map((connection) => connection.end()));
  });

  const catalogue = { jsonSchemaDialect: JSON_SCHEMA_DIALECT, events: publicEventSchemas() };
  const asyncapi = asyncApiDocument(options.version);
  app.get('/events/catalogue', async () => catalogue);
  app.get('/events/asyncapi.json', async () => asyncapi);

  const authorize = async (request: FastifyRequest) => {
    const now = services.identity.clock?.() ?? new Date();
    const { actor } = await authenticate(
      { ...services.identity, pool: services.pool },
      request.headers.authorization,
      now,
    );
    requireEventReader(actor);
    return actor;
  };

  app.get('/events', async (request: FastifyRequest, reply: FastifyReply) => {
    let streamRequest: ReturnType<typeof parseStreamRequest>;
    let actor: Actor;
    try {
      actor = await authorize(request);
      const parsed = parseStreamRequest(request.query, request.headers['last-event-id']);
      const audience = await audienceOf(services.pool, actor);
      streamRequest = { ...parsed, filter: filterForAudience(parsed.filter, audience) };
    } catch (error) {
      return sendError(reply, error);
    }
    // The owner's role is re-read as often as the credentials are (every heartbeat).
    const guard = new AudienceGuard(services.pool, () => actor, limits.heartbeatMs);
    reply.hijack();
    const connection = new SseConnection(reply.raw, limits);
    open.add(connection);
    // A revoked key, a deactivated owner or a demoted admin stops receiving within one heartbeat.
    let checking = false;
    const recheck = () => {
      if (checking) return;
      checking = true;
      authorize(request)
        .then((current) => {
          actor = current;
        })
        .catch((error: unknown) => connection.end(frameError(error)))
        .finally(() => {
          checking = false;
        });
    };
    connection.open(headersOf(reply), recheck);
    try {
      await pumpEvents({ ...services.identity, guard }, connection, streamRequest);
    } catch (error) {
      // A refusal (the caller lost access mid-stream) is the caller's business, not a failure.
      if (!(error instanceof DomainError)) request.log.error({ err: error }, 'event stream failed');
      await connection.end(frameError(error));
    } finally {
      await connection.end();
      open.delete(connection);
      if (connection.endReason)
        request.log.info({ reason: connection.endReason }, 'event stream ended by the server');
    }
  });
}

/** What the final `event: error` frame carries: the REST error body without the HTTP status. */
function frameError(error: unknown): Record<string, unknown> {
  const { statusCode: _status, ...body } = errorBody(error);
  return body;
}

function headersOf(reply: FastifyReply): Record<string, string | number | string[]> {
  return Object.fromEntries(
    Object.entries(reply.getHeaders()).flatMap(([name, value]) =>
      value === undefined ? [] : [[name, value]],
    ),
  );
}
