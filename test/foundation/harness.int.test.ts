import { createConnection } from 'node:net';
import pg from 'pg';
import { describe, expect, inject, it } from 'vitest';
import { checkTemporal } from '../../src/infra/temporal-health.ts';
import { freshDatabase } from '../support/database.ts';

describe('test harness', () => {
  it('gives each caller its own migrated database', async () => {
    const [first, second] = await Promise.all([freshDatabase('harness'), freshDatabase('harness')]);
    expect(first).not.toBe(second);
    const client = new pg.Client({ connectionString: first });
    await client.connect();
    try {
      const applied = await client.query('select count(*)::int as n from pgmigrations');
      expect(applied.rows).toEqual([{ n: expect.any(Number) }]);
    } finally {
      await client.end();
    }
  });

  it('runs one Temporal dev server for the run', async () => {
    await expect(checkTemporal(inject('temporalAddress'), 2_000)).resolves.toBeUndefined();
  });

  it.skipIf(inject('redisUrl') === '')('runs a Redis server when redis-server is installed', async () => {
    const { hostname, port } = new URL(inject('redisUrl'));
    const reply = await new Promise<string>((resolve, reject) => {
      const socket = createConnection({ host: hostname, port: Number(port) }, () => socket.write('PING\r\n'));
      socket.once('data', (data) => {
        socket.destroy();
        resolve(data.toString());
      });
      socket.once('error', reject);
    });
    expect(reply).toBe('+PONG\r\n');
  });
});
