import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type IdentityApp, startIdentityApp } from './support/identity-app.ts';

/** Subscriptions live on the WebSocket; over HTTP they get a typed refusal, never INTERNAL. */
describe('a subscription sent over HTTP', () => {
  let api: IdentityApp;
  beforeAll(async () => {
    api = await startIdentityApp({ projector: false });
  });
  afterAll(async () => {
    await api?.close();
  });

  it('is refused with a code that says to use the WebSocket', async () => {
    const response = await api.app.inject({
      method: 'POST',
      url: '/graphql',
      payload: { query: 'subscription { meChanged { id } }' },
    });
    const body = response.json() as { errors?: { message: string; extensions?: { code?: string } }[] };
    expect(body.errors?.[0]?.extensions?.code).toBe('SUBSCRIPTION_NEEDS_WEBSOCKET');
    expect(body.errors?.[0]?.message).toMatch(/WebSocket/);
    expect(body.errors).toHaveLength(1);
  });
});
