import type { FastifyInstance } from 'fastify';
import type { AccessTokenKeys } from '../auth/signing-key-ring.ts';

/**
 * How long integrators (and proxies) may keep the key set. Short, because a rotation's new key
 * signs at once: a verifier meeting a kid it does not have should fetch the set again anyway.
 */
export const JWKS_MAX_AGE_SECONDS = 60;

/**
 * `GET /.well-known/jwks.json`: the public keys access tokens are verified with (RFC 7517), so an
 * integrator checks a token without any shared secret. Public by nature: it holds public keys only.
 */
export async function jwksRoute(
  app: FastifyInstance,
  options: { keys: Pick<AccessTokenKeys, 'publishedKeys'>; now: () => Date },
): Promise<void> {
  app.get('/.well-known/jwks.json', async (_request, reply) => {
    const keys = await options.keys.publishedKeys(options.now());
    reply.header('cache-control', `public, max-age=${JWKS_MAX_AGE_SECONDS}`);
    return { keys };
  });
}
