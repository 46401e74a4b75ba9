import { timingSafeEqual } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import type { Registry } from 'prom-client';

/**
 * `GET /metrics` in the Prometheus text format. With a token, only a scraper that sends
 * `Authorization: Bearer <token>` gets them (the figures describe the system to whoever reads
 * them); production serves them only with one (see serve-api.ts).
 */
export async function metricsRoute(
  app: FastifyInstance,
  options: { registry: Registry; token?: string },
): Promise<void> {
  const expected = options.token === undefined ? undefined : Buffer.from(`Bearer ${options.token}`);
  app.get('/metrics', async (request, reply) => {
    if (expected) {
      const given = Buffer.from(request.headers.authorization ?? '');
      if (given.length !== expected.length || !timingSafeEqual(given, expected)) {
        reply.header('www-authenticate', 'Bearer');
        return reply
          .code(401)
          .send({ error: 'UNAUTHENTICATED', message: '/metrics needs the metrics token' });
      }
    }
    reply.header('content-type', options.registry.contentType);
    return options.registry.metrics();
  });
}
