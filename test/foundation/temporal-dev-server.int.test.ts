import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isRunning } from '../../src/infra/process-control.ts';
import { startTemporalDevServer, type TemporalDevServerHandle } from '../../src/infra/temporal-dev-server.ts';
import { checkTemporal } from '../../src/infra/temporal-health.ts';
import { createLogger } from '../../src/logger.ts';
import { freePort } from '../support/ports.ts';

const log = createLogger('silent');
let dataDir: string;
const started: TemporalDevServerHandle[] = [];

beforeAll(async () => {
  dataDir = await mkdtemp(path.join(tmpdir(), 'chronicle-temporal-'));
});
afterAll(async () => {
  await Promise.all(started.map((server) => server.stop()));
  await rm(dataDir, { recursive: true, force: true });
});

describe('startTemporalDevServer', () => {
  it('stops a server an earlier run left behind on the same data before starting its own', async () => {
    const leftBehind = await startTemporalDevServer({ dataDir, port: await freePort(), log });
    started.push(leftBehind);

    const next = await startTemporalDevServer({ dataDir, port: await freePort(), log });
    started.push(next);

    expect(isRunning(leftBehind.pid)).toBe(false);
    await expect(checkTemporal(next.address, 2_000)).resolves.toBeUndefined();
    await next.stop();
    expect(isRunning(next.pid)).toBe(false);
  }, 60_000);
});
