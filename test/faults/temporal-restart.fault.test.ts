import { afterAll, beforeAll, describe, expect, it, onTestFailed, vi } from 'vitest';
import type { Runtime } from '../../src/roles/runtime.ts';
import { freshDatabase } from '../support/database.ts';
import {
  checkOperations,
  checkStreamsIntact,
  communityReadModelsCovered,
  compareReadModelsWithRebuild,
  openInspector,
  projectionsCaughtUp,
  publishingSagas,
  readModelDifferences,
  unfinishedSagas,
} from './support/consistency.ts';
import { type LoadRun, loadFigures, type OperationRecord, prepareWorld, startLoad } from './support/load.ts';
import {
  outputTails,
  type ReadinessWatch,
  type RestartableTemporal,
  settleAll,
  startRestartableTemporal,
  watchReadiness,
} from './support/restartable-infra.ts';
import { type RunningSystem, startSystem } from './support/system.ts';

/**
 * The Temporal dev server stops in the middle of publishing sagas and comes back (same port, same
 * SQLite history). Writes go on meanwhile (they do not need Temporal); the API reports itself
 * not ready; the worker and its process manager wait it out. Afterwards every saga started
 * before or during the outage completes, and the store matches what clients were told.
 */
const OUTAGE_MS = 3_000;

let temporal: RestartableTemporal | undefined;
let system: RunningSystem | undefined;
let load: LoadRun | undefined;
let readiness: ReadinessWatch | undefined;
let inspector: Runtime | undefined;
let databaseUrl = '';

afterAll(async () => {
  // Each step runs whatever the one before did: a failing step must not leave servers behind.
  await settleAll([
    () => load?.stop(),
    () => readiness?.stop(),
    () => inspector?.close(),
    () => system?.stop(),
    () => temporal?.dispose(),
  ]);
});

const publishes = (operations: readonly OperationRecord[], from = 0, to = Number.POSITIVE_INFINITY) =>
  operations.filter(
    (op) =>
      op.kind === 'publishContent' &&
      op.outcome === 'acknowledged' &&
      (op.finishedAt ?? 0) >= from &&
      (op.finishedAt ?? 0) < to,
  );

/** How many of these publications have no ContentPublished event yet. */
async function unpublished(runtime: Runtime, operations: readonly OperationRecord[]): Promise<number> {
  const ids = operations.map((op) => op.detail.publicationId ?? '');
  const { rows } = await runtime.pool.query<{ n: number }>(
    `select count(*)::int as n from es_events where type = 'ContentPublished' and data->>'publicationId' = any($1::text[])`,
    [ids],
  );
  return ids.length - (rows[0]?.n ?? 0);
}

describe('Temporal restart mid-saga', () => {
  beforeAll(async () => {
    // PostgreSQL is not restarted here, so the run's shared one will do; Temporal is our own to stop.
    [temporal, databaseUrl] = await Promise.all([
      startRestartableTemporal(),
      freshDatabase('fault_temporal'),
    ]);
    system = await startSystem({ databaseUrl, temporalAddress: temporal.address });
  }, 120_000);

  it('completes the sagas started before and during the outage once Temporal is back', async () => {
    if (!system || !temporal) throw new Error('not started');
    const running = system;
    onTestFailed(() => {
      console.error(
        outputTails({ api: () => running.output('api'), worker: () => running.output('worker') }),
      );
    });
    const world = await prepareWorld(system.apiUrls, databaseUrl);
    // Every story publishes: each one starts a publishing saga.
    load = startLoad(world, { clients: 3, publishEvery: 1 });
    readiness = watchReadiness(system.apiUrls[0] ?? '');
    await vi.waitFor(() => expect(publishes(load?.operations ?? []).length).toBeGreaterThanOrEqual(3), {
      timeout: 25_000,
      interval: 100,
    });

    inspector = await openInspector(databaseUrl);
    const runtime = inspector;
    // Stop Temporal while a saga is in flight: a publish acknowledged, its content not yet published.
    await vi.waitFor(
      async () => expect(await unpublished(runtime, publishes(load?.operations ?? []))).toBeGreaterThan(0),
      { timeout: 20_000, interval: 20 },
    );
    const stoppedAt = Date.now();
    await temporal.stop();
    const midFlight = await unpublished(runtime, publishes(load.operations, 0, stoppedAt));
    expect(midFlight).toBeGreaterThan(0);
    await vi.waitFor(() => expect(readiness?.firstAfter(stoppedAt, 503)).toBeDefined(), {
      timeout: 10_000,
      interval: 50,
    });
    const notReadyAt = readiness.firstAfter(stoppedAt, 503) ?? 0;
    // Publications keep being accepted while Temporal is away: their sagas start when it returns.
    await vi.waitFor(
      () => {
        expect(Date.now() - stoppedAt).toBeGreaterThanOrEqual(OUTAGE_MS);
        expect(publishes(load?.operations ?? [], stoppedAt).length).toBeGreaterThanOrEqual(2);
      },
      { timeout: 20_000, interval: 100 },
    );

    const restartedAt = Date.now();
    await temporal.start();
    await vi.waitFor(() => expect(readiness?.firstAfter(restartedAt, 200)).toBeDefined(), {
      timeout: 20_000,
      interval: 50,
    });
    const readyAgainAt = readiness.firstAfter(restartedAt, 200) ?? 0;
    await vi.waitFor(
      () => expect(publishes(load?.operations ?? [], readyAgainAt).length).toBeGreaterThan(0),
      {
        timeout: 15_000,
        interval: 100,
      },
    );
    const operations = await load.stop();
    await readiness.stop();

    const address = temporal.address;
    await vi.waitFor(
      async () => expect(unfinishedSagas(await publishingSagas(runtime, address, operations))).toEqual([]),
      { timeout: 40_000, interval: 250 },
    );
    const sagasDoneAt = Date.now();
    expect(await checkOperations(runtime, operations)).toEqual([]);
    expect(await checkStreamsIntact(runtime)).toEqual([]);
    await vi.waitFor(async () => expect(await projectionsCaughtUp(runtime)).toEqual([]), {
      timeout: 20_000,
      interval: 200,
    });
    const comparisons = await compareReadModelsWithRebuild(runtime);
    expect(readModelDifferences(comparisons)).toEqual([]);
    expect(communityReadModelsCovered(comparisons)).toEqual([]);
    for (const role of ['api', 'projector', 'worker'] as const) expect(system.running(role)).toBe(true);

    const { byKind: _byKind, ...figures } = loadFigures(operations);
    console.info(
      `temporal-restart: ${JSON.stringify({
        ...figures,
        sagasBefore: publishes(operations, 0, stoppedAt).length,
        sagasMidFlightAtStop: midFlight,
        sagasDuring: publishes(operations, stoppedAt, restartedAt).length,
        sagasAfter: publishes(operations, restartedAt).length,
        notReadyAfterMs: notReadyAt - stoppedAt,
        downForMs: restartedAt - stoppedAt,
        readyAfterRestartMs: readyAgainAt - restartedAt,
        allSagasCompletedAfterRestartMs: sagasDoneAt - restartedAt,
      })}`,
    );
  }, 120_000);
});
