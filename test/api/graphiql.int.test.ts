import { describe, expect, it } from 'vitest';
import { buildApp } from '../../src/api/app.ts';
import { createLogger } from '../../src/logger.ts';

const appWith = (graphiql: boolean) =>
  buildApp({ log: createLogger('silent'), version: 'test', readinessChecks: {}, graphiql });

describe('GraphiQL', () => {
  it('is not served when turned off (production)', async () => {
    const app = await appWith(false);
    try {
      expect((await app.inject({ method: 'GET', url: '/graphiql' })).statusCode).toBe(404);
      expect((await app.inject({ method: 'GET', url: '/graphiql/assets/start.js' })).statusCode).toBe(404);
    } finally {
      await app.close();
    }
  });

  it('is served at /graphiql when turned on (development)', async () => {
    const app = await appWith(true);
    try {
      const response = await app.inject({ method: 'GET', url: '/graphiql' });
      expect(response.statusCode).toBe(200);
      expect(response.headers['content-type']).toMatch(/^text\/html/);
      // Everything it loads comes from this server (it must work offline): no other origin named.
      expect(response.body).not.toMatch(/https?:\/\//);
      const assets = [...response.body.matchAll(/(?:src|href)="([^"]+)"/g)].map((m) => m[1] as string);
      expect(assets).toHaveLength(5);
      for (const asset of assets) {
        const loaded = await app.inject({ method: 'GET', url: asset });
        expect(loaded.statusCode, asset).toBe(200);
        expect(loaded.body.length, asset).toBeGreaterThan(100);
      }
      expect(
        (await app.inject({ method: 'GET', url: '/graphiql/assets/../../package.json' })).statusCode,
      ).toBe(404);
    } finally {
      await app.close();
    }
  });
});
