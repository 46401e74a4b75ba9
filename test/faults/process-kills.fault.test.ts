import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { Runtime } from '../../src/roles/runtime.ts';
import { freshDatabase } from '../support/database.ts';
import {
  checkOperations,
  checkStreamsIntact,
  checkSyncChanges,
  communityReadModelsCovered,
  compareReadModelsWithRebuild,
  openInspector,
  projectionsCaughtUp,
  publishingSagas,
  readModelDifferences,
  unfinishedSagas,
} from './support/consistency.ts';
import { type LoadRun, loadFigures, prepareWorld, startLoad } from './support/load.ts';
import {
  type RestartableTemporal,
  settleAll,
  startRestartableTemporal,
} from './support/restartable-infra.ts';
import { faultSeed, type Role, type RunningSystem, seededRandom, startSystem } from './support/system.ts';

/**
 * Two API processes, the projector and the worker under a scripted load of real mutations (new
 * users' offline devices syncing among them); the
 * projector, the worker and one API process are each killed with SIGKILL at a random moment and
 * started again. Replay a failure with FAULT_SEED=<the printed seed>.
 */
describe('SIGKILL of the projector, the worker and an API process under load', () => {
  const seed = faultSeed();
  const random = seededRandom(seed);
  let temporal: RestartableTemporal | undefined;
  let system: RunningSystem | undefined;
  let inspector: Runtime | undefined;
  let load: LoadRun | undefined;
  let databaseUrl = '';

  beforeAll(async () => {
    console.log(`process-kills: seed ${seed} (replay with FAULT_SEED=${seed})`);
    [databaseUrl, temporal] = await Promise.all([freshDatabase('faults_kills'), startRestartableTemporal()]);
    system = await startSystem({
      databaseUrl,
      temporalAddress: temporal.address,
      apiProcesses: 2,
      // Anchors are events too: none appear while the read models are compared at the end.
      env: { AUDIT_ANCHOR_EVERY_EVENTS: '100000', AUDIT_ANCHOR_EVERY_MINUTES: '1440' },
    });
    inspector = await openInspector(databaseUrl);
  }, 90_000);

  afterAll(async () => {
    await settleAll([
      () => load?.stop().catch(() => undefined),
      () => inspector?.close(),
      () => system?.stop(),
      () => temporal?.dispose(),
    ]);
  });

  it('loses nothing acknowledged, applies nothing twice, and rebuilds to the same read models', async () => {
    if (!system || !inspector || !temporal) throw new Error('set-up failed');
    const running = system;
    const store = inspector;
    const temporalAddress = temporal.address;
    const world = await prepareWorld(running.apiUrls, databaseUrl);
    load = startLoad(world, { clients: 3, offlineSync: true });
    const acknowledged = () => load?.operations.filter((op) => op.outcome === 'acknowledged').length ?? 0;
    await vi.waitFor(() => expect(acknowledged()).toBeGreaterThanOrEqual(10), {
      timeout: 20_000,
      interval: 100,
    });

    // Each victim dies at a random moment of its own, in a random order; the load never stops.
    const victims: [Role, number][] = [
      ['projector', 0],
      ['worker', 0],
      ['api', random() < 0.5 ? 0 : 1],
    ];
    victims.sort(() => random() - 0.5);
    const schedule: string[] = [];
    for (const [role, index] of victims) {
      const delayMs = Math.round(300 + random() * 1_500);
      await sleep(delayMs);
      const before = acknowledged();
      await running.kill(role, index, 'SIGKILL');
      schedule.push(`${role}#${index} killed after ${delayMs} ms (${before} acknowledged so far)`);
      await running.start(role, index);
    }
    // Load on the restarted processes before it stops.
    const afterRestarts = acknowledged();
    await vi.waitFor(() => expect(acknowledged()).toBeGreaterThanOrEqual(afterRestarts + 10), {
      timeout: 20_000,
      interval: 100,
    });
    const operations = await load.stop();
    const figures = loadFigures(operations);
    console.log(`process-kills: ${schedule.join('; ')}`);
    console.log(`process-kills: ${JSON.stringify(figures)}`);

    // Every saga an acknowledged publish request started completes and is recorded.
    await vi.waitFor(
      async () =>
        expect(unfinishedSagas(await publishingSagas(store, temporalAddress, operations))).toEqual([]),
      { timeout: 30_000, interval: 250 },
    );
    await vi.waitFor(async () => expect(await projectionsCaughtUp(store)).toEqual([]), {
      timeout: 20_000,
      interval: 200,
    });
    // Quiet log for the comparison: nothing writes once the projector and the worker are gone.
    await running.kill('worker', 0, 'SIGTERM');
    await running.kill('projector', 0, 'SIGTERM');

    expect(figures.acknowledged).toBeGreaterThan(20);
    expect(figures.byKind.publishContent?.acknowledged ?? 0).toBeGreaterThan(0);
    expect(figures.byKind.syncOffline?.acknowledged ?? 0).toBeGreaterThan(0);
    expect(await checkOperations(inspector, operations)).toEqual([]);
    expect(await checkSyncChanges(inspector, operations)).toEqual([]);
    expect(await checkStreamsIntact(inspector)).toEqual([]);
    const comparisons = await compareReadModelsWithRebuild(inspector);
    expect(comparisons.length).toBeGreaterThan(10);
    expect(readModelDifferences(comparisons)).toEqual([]);
    expect(communityReadModelsCovered(comparisons)).toEqual([]);
  }, 120_000);
});
