import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { Registry } from 'prom-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../../src/api/app.ts';
import { PostgresEventStore } from '../../src/eventstore/postgres/postgres-event-store.ts';
import { createLogger } from '../../src/logger.ts';
import { InProcessChangeBus } from '../../src/projections/change-bus.ts';
import { registerProjectionMetrics } from '../../src/projections/metrics.ts';
import { Projector } from '../../src/projections/projector.ts';
import { streamCatalogue } from '../../src/projections/read-models/stream-catalogue.ts';
import { projectionStatuses } from '../../src/projections/status.ts';
import { waitForPosition } from '../../src/projections/wait-for-position.ts';
import { event } from '../eventstore/conformance.ts';
import { freshDatabase } from '../support/database.ts';

describe('projection metrics on GET /metrics', () => {
  let pool: pg.Pool;
  let store: PostgresEventStore;
  const log = createLogger('silent');

  beforeAll(async () => {
    const url = await freshDatabase('metrics');
    pool = new pg.Pool({ connectionString: url, max: 4 });
    store = new PostgresEventStore({ connectionString: url, log });
  });
  afterAll(async () => {
    await store.close();
    await pool.end();
  });

  it('reports checkpoint, lag and state per projection', async () => {
    const bus = new InProcessChangeBus();
    const projector = new Projector({ store, pool, bus, log }, [streamCatalogue]);
    await projector.start();
    const { position } = await store.append(`thing-${randomUUID()}`, [event('ThingMade')]);
    expect(await waitForPosition(pool, bus, position, { timeoutMs: 5000 })).toBe(true);
    await projector.stop();
    // Written while nobody projects: shows up as lag.
    await store.append(`thing-${randomUUID()}`, [event('ThingMade'), event('ThingMade')]);

    const registry = new Registry();
    registerProjectionMetrics(registry, () => projectionStatuses(pool, store, [streamCatalogue]));
    const app = await buildApp({
      log,
      version: 'test',
      readinessChecks: {},
      graphiql: false,
      metrics: registry,
    });
    try {
      const response = await app.inject({ method: 'GET', url: '/metrics' });
      expect(response.statusCode).toBe(200);
      expect(response.headers['content-type']).toContain('text/plain');
      expect(response.body).toContain(
        `chronicle_projection_checkpoint{projection="stream_catalogue"} ${position}`,
      );
      expect(response.body).toContain('chronicle_projection_lag_events{projection="stream_catalogue"} 2');
      expect(response.body).toContain(
        'chronicle_projection_state{projection="stream_catalogue",state="live"} 1',
      );
      expect(response.body).toContain(
        'chronicle_projection_state{projection="stream_catalogue",state="failed"} 0',
      );
    } finally {
      await app.close();
    }
  });
});
