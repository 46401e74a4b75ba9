import { afterAll, beforeAll, describe, expect, it, onTestFailed, vi } from 'vitest';
import type { Runtime } from '../../src/roles/runtime.ts';
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
import { type LoadRun, loadFigures, prepareWorld, startLoad } from './support/load.ts';
import {
  outputTails,
  type ReadinessWatch,
  type RestartablePostgres,
  type RestartableTemporal,
  settleAll,
  startRestartablePostgres,
  startRestartableTemporal,
  watchReadiness,
} from './support/restartable-infra.ts';
import { type RunningSystem, startSystem } from './support/system.ts';

/**
 * PostgreSQL (event store, read models, checkpoints) crashes and comes back under a scripted load.
 * While it is down the API says so on `/health/ready` (503) and answers mutations with 503
 * UNAVAILABLE, which clients retry with the same idempotency key; every role rides it out. After
 * it returns the API is ready again, writes succeed, the projector and the sagas catch up, and
 * the store holds exactly what clients were told succeeded.
 */
const OUTAGE_MS = 2_000;

let postgres: RestartablePostgres | undefined;
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
    () => Promise.allSettled([postgres?.dispose(), temporal?.dispose()]),
  ]);
});

describe('PostgreSQL restart under load', () => {
  beforeAll(async () => {
    // Our own servers: the run's shared PostgreSQL serves other files, and the shared Temporal's
    // fixed task queues would let other files' workers pick up this scenario's sagas.
    [postgres, temporal] = await Promise.all([startRestartablePostgres(), startRestartableTemporal()]);
    databaseUrl = await postgres.migratedDatabase('fault_pg');
    system = await startSystem({ databaseUrl, temporalAddress: temporal.address });
  }, 120_000);

  it('answers 503 while it is down, recovers, and loses or repeats nothing', async () => {
    if (!system || !postgres || !temporal) throw new Error('not started');
    const running = system;
    onTestFailed(() => {
      console.error(
        outputTails({
          api: () => running.output('api'),
          projector: () => running.output('projector'),
          worker: () => running.output('worker'),
        }),
      );
    });
    const [apiUrl = ''] = system.apiUrls;
    const world = await prepareWorld(system.apiUrls, databaseUrl);
    load = startLoad(world, { clients: 3, publishEvery: 2 });
    readiness = watchReadiness(apiUrl);
    const acknowledged = () => load?.operations.filter((op) => op.outcome === 'acknowledged') ?? [];
    await vi.waitFor(() => expect(acknowledged().length).toBeGreaterThanOrEqual(10), {
      timeout: 20_000,
      interval: 100,
    });

    // A crash, not a polite shutdown: no checkpoint, WAL recovery on the way back.
    const crashedAt = Date.now();
    await postgres.stop('immediate');
    await vi.waitFor(() => expect(readiness?.firstAfter(crashedAt, 503)).toBeDefined(), {
      timeout: 10_000,
      interval: 50,
    });
    const notReadyAt = readiness.firstAfter(crashedAt, 503) ?? 0;
    // Down long enough for every role to notice and for clients to be refused and retry.
    await vi.waitFor(() => expect(Date.now() - crashedAt).toBeGreaterThanOrEqual(OUTAGE_MS), {
      timeout: OUTAGE_MS + 1_000,
      interval: 50,
    });
    const whileDown = readiness.samples.filter((sample) => sample.at >= notReadyAt);
    expect(whileDown.map((sample) => sample.status)).toEqual(whileDown.map(() => 503));

    const restartedAt = Date.now();
    await postgres.start();
    await vi.waitFor(() => expect(readiness?.firstAfter(restartedAt, 200)).toBeDefined(), {
      timeout: 20_000,
      interval: 50,
    });
    const readyAgainAt = readiness.firstAfter(restartedAt, 200) ?? 0;
    // Writes succeed again: operations first sent after the restart are acknowledged at once.
    const freshWrites = () => acknowledged().filter((op) => op.startedAt >= restartedAt && op.attempts === 1);
    await vi.waitFor(() => expect(freshWrites().length).toBeGreaterThanOrEqual(5), {
      timeout: 25_000,
      interval: 100,
    });
    const firstWriteAt = Math.min(...freshWrites().map((op) => op.finishedAt ?? Number.POSITIVE_INFINITY));
    const operations = await load.stop();
    await readiness.stop();
    // Operations caught by the outage were answered 503 and retried until they went through.
    const retriedOverOutage = operations.filter(
      (op) => op.outcome === 'acknowledged' && op.attempts > 1 && op.transportError === 'HTTP 503',
    );
    expect(retriedOverOutage.length).toBeGreaterThan(0);

    inspector = await openInspector(databaseUrl);
    const runtime = inspector;
    expect(await checkOperations(runtime, operations)).toEqual([]);
    expect(await checkStreamsIntact(runtime)).toEqual([]);
    const sagasDoneFrom = Date.now();
    await vi.waitFor(
      async () =>
        expect(unfinishedSagas(await publishingSagas(runtime, temporal?.address ?? '', operations))).toEqual(
          [],
        ),
      { timeout: 30_000, interval: 250 },
    );
    const sagasDoneAt = Date.now();
    await vi.waitFor(async () => expect(await projectionsCaughtUp(runtime)).toEqual([]), {
      timeout: 20_000,
      interval: 200,
    });
    const comparisons = await compareReadModelsWithRebuild(runtime);
    expect(readModelDifferences(comparisons)).toEqual([]);
    expect(communityReadModelsCovered(comparisons)).toEqual([]);
    // Every role rode the outage out: none exited, none had to be restarted.
    for (const role of ['api', 'projector', 'worker'] as const) expect(system.running(role)).toBe(true);

    const { byKind: _byKind, ...figures } = loadFigures(operations);
    expect(figures.acknowledged).toBeGreaterThan(0);
    console.info(
      `postgres-restart: ${JSON.stringify({
        ...figures,
        sagas: operations.filter((op) => op.kind === 'publishContent' && op.outcome === 'acknowledged')
          .length,
        notReadyAfterMs: notReadyAt - crashedAt,
        downForMs: restartedAt - crashedAt,
        readyAfterRestartMs: readyAgainAt - restartedAt,
        firstFreshWriteAfterRestartMs: firstWriteAt - restartedAt,
        sagasSettledAfterLoadMs: sagasDoneAt - sagasDoneFrom,
      })}`,
    );
  }, 90_000);
});
