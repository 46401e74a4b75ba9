import { SigningKeyRing } from '../../../src/auth/signing-key-ring.ts';
import { createLogger } from '../../../src/logger.ts';
import { type IdentityApp, TEST_AUTH_SECRET } from './identity-app.ts';

/**
 * The access-token signing keys of `api`'s database, read as a second API process would read
 * them: tests sign tokens with the key the API signs with, and check what it publishes.
 */
export function signingKeysOf(api: Pick<IdentityApp, 'runtime'>): SigningKeyRing {
  return new SigningKeyRing({
    pool: api.runtime.pool,
    authSecret: new TextEncoder().encode(TEST_AUTH_SECRET),
    log: createLogger(process.env.TEST_LOG_LEVEL ?? 'silent'),
  });
}
