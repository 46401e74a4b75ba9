import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { register } from '../../../src/services/identity/registration.ts';
import { signIn } from '../../../src/services/identity/sign-in.ts';
import { connect, graphqlWsUrl } from '../subscriptions/support/ws-client.ts';
import { type IdentityApp, startIdentityApp, TEST_AUTH_SECRET } from '../support/identity-app.ts';
import { freshEmail, identityDeps, PASSWORD } from '../support/identity-operations.ts';
import { signingKeysOf } from '../support/signing-keys.ts';

describe('query depth on subscriptions (WebSocket)', () => {
  let api: IdentityApp;
  let url: string;
  let accessToken: string;
  beforeAll(async () => {
    api = await startIdentityApp({ limits: { maxDepth: 1 } });
    url = await graphqlWsUrl(api.app);
    // Through the use cases: with a depth limit of 1 even `register { id }` is refused over GraphQL.
    const deps = {
      ...identityDeps(api),
      authSecret: new TextEncoder().encode(TEST_AUTH_SECRET),
      accessTokens: signingKeysOf(api),
    };
    const caller = { actor: { kind: 'anonymous' as const }, correlationId: randomUUID() };
    const email = freshEmail();
    await register(deps, caller, { email, password: PASSWORD, displayName: 'Deep Diver' });
    ({ accessToken } = await signIn(deps, caller, { email, password: PASSWORD }));
  });
  afterAll(async () => {
    await api?.close();
  });

  it('refuses a subscription nested deeper than the limit with QUERY_TOO_DEEP', async () => {
    const { client, dispose } = connect(url, accessToken);
    try {
      const refused = await new Promise<unknown>((resolve) => {
        client.subscribe(
          { query: 'subscription { meChanged { id } }' },
          { next: () => resolve('delivered'), error: resolve, complete: () => resolve('completed') },
        );
      });
      expect(refused).toEqual([
        expect.objectContaining({
          extensions: expect.objectContaining({
            code: 'GRAPHQL_VALIDATION_FAILED',
            reason: 'QUERY_TOO_DEEP',
          }),
        }),
      ]);
    } finally {
      await dispose();
    }
  });
});
