import type { FastifyInstance } from 'fastify';
import { checkReadiness, type DependencyChecks } from './readiness.ts';

export interface HealthRoutesOptions {
  checks: DependencyChecks;
  checkTimeoutMs: number;
}

/**
 * `live`: the process serves HTTP (restart it if not). `ready`: every dependency answers (send it
 * traffic only then); the body names the dependency that is down.
 */
export async function healthRoutes(app: FastifyInstance, options: HealthRoutesOptions): Promise<void> {
  app.get('/health/live', async () => ({ status: 'live' }));
  app.get('/health/ready', async (request, reply) => {
    const readiness = await checkReadiness(options.checks, options.checkTimeoutMs);
    if (!readiness.ready) request.log.warn({ checks: readiness.checks }, 'not ready');
    return reply.code(readiness.ready ? 200 : 503).send({
      status: readiness.ready ? 'ready' : 'unavailable',
      checks: readiness.checks,
    });
  });
}
