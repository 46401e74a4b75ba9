import { setTimeout as sleep } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import { buildApp } from '../../src/api/app.ts';
import { createLogger } from '../../src/logger.ts';
import { ME_CHANGED } from './subscriptions/support/operations.ts';
import { connect, graphqlWsUrl, subscribe } from './subscriptions/support/ws-client.ts';
import { startIdentityApp } from './support/identity-app.ts';
import { registerAndSignIn } from './support/identity-operations.ts';

/** A promise and the function that settles it, for holding a request at a known point. */
function gate() {
  let open = () => {};
  const opened = new Promise<void>((resolve) => {
    open = resolve;
  });
  return { open, opened };
}

describe('graceful shutdown', () => {
  it('lets a request in flight finish, refuses new ones, and closes as soon as it is done', async () => {
    const app = await buildApp({
      log: createLogger('silent'),
      version: 'test',
      readinessChecks: {},
      graphiql: false,
    });
    const entered = gate();
    const release = gate();
    app.graphql.addHook('preExecution', async () => {
      entered.open();
      await release.opened;
    });
    const url = await app.listen({ port: 0, host: '127.0.0.1' });
    // Leaves an idle keep-alive connection behind, which must not hold close() up.
    expect((await fetch(`${url}/health/live`)).status).toBe(200);

    const inFlight = fetch(`${url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ query: '{ version }' }),
    });
    await entered.opened;
    let closed = false;
    const closing = app.close().then(() => {
      closed = true;
    });
    await sleep(200);
    expect(closed).toBe(false);
    const late = await fetch(`${url}/health/live`).then(
      (response) => response.status,
      () => 'refused',
    );
    expect([503, 'refused']).toContain(late);

    release.open();
    const response = await inFlight;
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ data: { version: 'test' } });
    const finishing = performance.now();
    await closing;
    expect(performance.now() - finishing).toBeLessThan(2_000);
  });

  it('ends open WebSocket subscriptions with 1001 (going away), so clients reconnect elsewhere', async () => {
    const api = await startIdentityApp();
    try {
      const user = await registerAndSignIn(api);
      const client = connect(await graphqlWsUrl(api.app), user.accessToken);
      const changes = subscribe(client, 'meChanged', ME_CHANGED);
      await changes.received(1);
      const closed = client.closed();

      const closing = performance.now();
      await api.app.close();
      expect(performance.now() - closing).toBeLessThan(2_000);
      expect((await closed).code).toBe(1001);
      await client.dispose();
    } finally {
      await api.close();
    }
  });
});
