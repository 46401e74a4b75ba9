import { afterAll, beforeAll, describe, expect, inject, it, onTestFailed, vi } from 'vitest';
import type { Runtime } from '../../src/roles/runtime.ts';
import { connect, subscribe, type TestClient } from '../api/subscriptions/support/ws-client.ts';
import { freshDatabase } from '../support/database.ts';
import { findRedisServer } from '../support/redis-server.ts';
import {
  checkOperations,
  checkStreamsIntact,
  communityReadModelsCovered,
  compareReadModelsWithRebuild,
  openInspector,
  projectionsCaughtUp,
  readModelDifferences,
} from './support/consistency.ts';
import {
  type LoadRun,
  loadFigures,
  postGraphQL,
  prepareWorld,
  type SignedIn,
  startLoad,
} from './support/load.ts';
import {
  outputTails,
  type RestartableRedis,
  settleAll,
  startRestartableRedis,
} from './support/restartable-infra.ts';
import { type RunningSystem, startSystem } from './support/system.ts';

/**
 * Redis carries the projector's change notifications to every API process. When it goes away,
 * each process says so in its log, the API keeps its own subscribers served with the changes made
 * through it, and writes go on; when Redis returns, notifications cross processes again.
 */
const DEGRADED = 'Redis unavailable: change notifications are delivered in this process only';
const RECOVERED = 'Redis is back: change notifications reach every process again';

const OUTAGE_MS = 5_000;

const ME_CHANGED = 'subscription { meChanged { id displayName } }';
const UPDATE_PROFILE = `mutation ($input: UpdateProfileInput!) { updateProfile(input: $input) { id displayName } }`;

interface UserView {
  id: string;
  displayName: string | null;
}

let redis: RestartableRedis | undefined;
let system: RunningSystem | undefined;
let load: LoadRun | undefined;
let inspector: Runtime | undefined;
let databaseUrl = '';
const clients: TestClient[] = [];

afterAll(async () => {
  // Each step runs whatever the one before did: a failing step must not leave servers behind.
  await settleAll([
    () => Promise.allSettled(clients.map((client) => client.dispose())),
    () => load?.stop(),
    () => inspector?.close(),
    () => system?.stop(),
    () => redis?.dispose(),
  ]);
});

async function rename(apiUrl: string, user: SignedIn, displayName: string): Promise<UserView> {
  const reply = await postGraphQL(apiUrl, UPDATE_PROFILE, { input: { displayName } }, user.accessToken);
  const renamed = reply.data?.updateProfile;
  if (reply.errors || !renamed) throw new Error(`updateProfile failed: ${JSON.stringify(reply)}`);
  return renamed as UserView;
}

/** Whether `message` was logged after the first `from` characters of `output`. */
const loggedSince = (output: string, from: number, message: string) => output.slice(from).includes(message);

describe.skipIf(!findRedisServer())('Redis outage', () => {
  beforeAll(async () => {
    [redis, databaseUrl] = await Promise.all([startRestartableRedis(), freshDatabase('fault_redis')]);
    if (!redis) throw new Error('redis-server is installed but did not start');
    system = await startSystem({
      databaseUrl,
      temporalAddress: inject('temporalAddress'),
      redisUrl: redis.url,
      apiProcesses: 2,
      // No sagas here, so no worker: subscriptions are fed by the projector through the bus.
      roles: ['api', 'projector'],
    });
  }, 120_000);

  it('degrades to in-process delivery on each API process, and delivers across processes again after', async () => {
    if (!system || !redis) throw new Error('not started');
    const running = system;
    onTestFailed(() => {
      console.error(
        outputTails({
          'api 1': () => running.output('api', 0),
          'api 2': () => running.output('api', 1),
          projector: () => running.output('projector'),
        }),
      );
    });
    const [api1 = '', api2 = ''] = system.apiUrls;
    // Publications would wait for a worker this scenario does not run: stories stop at updates.
    const world = await prepareWorld(system.apiUrls, databaseUrl);
    const user = world.admin;
    const watch = (apiUrl: string) => {
      const client = connect(`${apiUrl.replace(/^http/, 'ws')}/graphql`, user.accessToken);
      clients.push(client);
      return subscribe<UserView>(client, 'meChanged', ME_CHANGED);
    };
    const names = (values: UserView[]) => values.map((value) => value.displayName);
    const on1 = watch(api1);
    const on2 = watch(api2);
    await on1.received(1);
    await on2.received(1);
    load = startLoad(world, { clients: 2, publishEvery: 1_000_000 });

    // Healthy: a change made through API 1 reaches a subscriber on API 2 through Redis.
    await rename(api1, user, 'Healthy');
    await vi.waitFor(() => expect(names(on2.values)).toContain('Healthy'), { timeout: 10_000 });

    const logsFrom = [0, 1].map((index) => running.output('api', index).length);
    const projectorFrom = running.output('projector').length;
    const stoppedAt = Date.now();
    await redis.stop();
    for (const index of [0, 1]) {
      await vi.waitFor(
        () => expect(loggedSince(running.output('api', index), logsFrom[index] ?? 0, DEGRADED)).toBe(true),
        { timeout: 15_000, interval: 100 },
      );
    }

    // Degraded: API 1's own subscriber still hears of a change made through API 1, and writes go on.
    expect((await rename(api1, user, 'During the outage')).displayName).toBe('During the outage');
    await vi.waitFor(() => expect(names(on1.values)).toContain('During the outage'), { timeout: 10_000 });
    const acknowledgedSince = (from: number) =>
      load?.operations.filter((op) => op.outcome === 'acknowledged' && op.startedAt >= from).length ?? 0;
    await vi.waitFor(() => expect(acknowledgedSince(stoppedAt)).toBeGreaterThanOrEqual(5), {
      timeout: 15_000,
      interval: 100,
    });
    // The projector noticed too, when it could not publish.
    await vi.waitFor(
      () => expect(loggedSince(running.output('projector'), projectorFrom, DEGRADED)).toBe(true),
      { timeout: 10_000, interval: 100 },
    );

    // Long enough for every client to have failed a few reconnection attempts.
    await vi.waitFor(() => expect(Date.now() - stoppedAt).toBeGreaterThanOrEqual(OUTAGE_MS), {
      timeout: OUTAGE_MS + 1_000,
      interval: 50,
    });
    const restartedAt = Date.now();
    await redis.start();
    for (const [name, output, from] of [
      ['api 1', () => running.output('api', 0), logsFrom[0] ?? 0],
      ['api 2', () => running.output('api', 1), logsFrom[1] ?? 0],
      ['projector', () => running.output('projector'), projectorFrom],
    ] as const) {
      await vi.waitFor(() => expect(loggedSince(output(), from, RECOVERED), name).toBe(true), {
        timeout: 20_000,
        interval: 100,
      });
    }
    const recoveredAfterMs = Date.now() - restartedAt;

    // Recovered: across processes in both directions.
    await rename(api1, user, 'After, via API 1');
    await vi.waitFor(() => expect(names(on2.values)).toContain('After, via API 1'), { timeout: 10_000 });
    await rename(api2, user, 'After, via API 2');
    await vi.waitFor(() => expect(names(on1.values)).toContain('After, via API 2'), { timeout: 10_000 });
    const operations = await load.stop();

    inspector = await openInspector(databaseUrl);
    const runtime = inspector;
    expect(await checkOperations(runtime, operations)).toEqual([]);
    expect(await checkStreamsIntact(runtime)).toEqual([]);
    await vi.waitFor(async () => expect(await projectionsCaughtUp(runtime)).toEqual([]), {
      timeout: 20_000,
      interval: 200,
    });
    const comparisons = await compareReadModelsWithRebuild(runtime);
    expect(readModelDifferences(comparisons)).toEqual([]);
    expect(communityReadModelsCovered(comparisons)).toEqual([]);
    for (const [role, index] of [
      ['api', 0],
      ['api', 1],
      ['projector', 0],
    ] as const) {
      expect(system.running(role, index)).toBe(true);
    }

    const { byKind, ...figures } = loadFigures(operations);
    // The rebuild comparison above covered social_engagement with comments and likes in it.
    expect(byKind.postComment?.acknowledged).toBeGreaterThan(0);
    expect(byKind.likeComment?.acknowledged).toBeGreaterThan(0);
    console.info(
      `redis-outage: ${JSON.stringify({
        ...figures,
        comments: byKind.postComment?.acknowledged ?? 0,
        commentLikes: byKind.likeComment?.acknowledged ?? 0,
        acknowledgedDuringOutage: operations.filter(
          (op) => op.outcome === 'acknowledged' && op.startedAt >= stoppedAt && op.startedAt < restartedAt,
        ).length,
        downForMs: restartedAt - stoppedAt,
        everyProcessReconnectedAfterMs: recoveredAfterMs,
      })}`,
    );
  }, 90_000);
});
