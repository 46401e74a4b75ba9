import { randomUUID } from 'node:crypto';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, inject, it, vi } from 'vitest';
import {
  createProcessManager,
  type ProcessManager,
  type ProcessManagerOptions,
} from '../../src/workflows/process-manager/process-manager.ts';
import type { RegisteredReaction } from '../../src/workflows/process-manager/reaction.ts';
import { connectTemporalClient, type TemporalClient } from '../../src/workflows/temporal-connection.ts';
import { freePort } from '../support/ports.ts';
import {
  checkpointOf,
  executionsOf,
  type FixtureWorker,
  type OrderStore,
  openOrderStore,
  runIdOf,
  setCheckpoint,
  startFixtureWorker,
  testLog,
} from './fixtures/harness.ts';
import type { OrderProgress } from './fixtures/order-progress.ts';
import { orderReactions, orderWorkflowId } from './fixtures/order-reactions.ts';
import { tcpProxy } from './fixtures/tcp-proxy.ts';

const log = testLog();
const FAST: ProcessManagerOptions = {
  batchSize: 10,
  backoffMs: 50,
  maxBackoffMs: 300,
  callTimeoutMs: 1_000,
  standbyRetryMs: 100,
};

describe('process manager', () => {
  let worker: FixtureWorker;
  let orders: OrderStore;
  const managers: ProcessManager[] = [];
  const clients: TemporalClient[] = [];

  beforeAll(async () => {
    worker = await startFixtureWorker(log);
  });
  afterAll(async () => {
    await worker.close();
  });
  // Each spec reads its own event store from the start, so none replays another's events.
  beforeEach(async () => {
    orders = await openOrderStore(log);
  });
  afterEach(async () => {
    await Promise.all(managers.splice(0).map((m) => m.stop()));
    await Promise.all(clients.splice(0).map((c) => c.close()));
    await orders.close();
  });

  const start = async (
    options: ProcessManagerOptions & { temporal?: TemporalClient; reactions?: RegisteredReaction[] } = {},
  ) => {
    const { temporal, reactions, ...rest } = options;
    const manager = createProcessManager(
      {
        store: orders.store,
        pool: orders.pool,
        codec: orders.codec,
        temporal: temporal?.client ?? worker.client,
        log,
      },
      reactions ?? orderReactions(worker.taskQueue),
      { ...FAST, ...rest },
    );
    managers.push(manager);
    await manager.start();
    return manager;
  };

  const checkpointReaches = (manager: ProcessManager, position: bigint) =>
    vi.waitFor(
      async () => {
        expect(await checkpointOf(orders.pool, manager.name)).toBe(position);
      },
      { timeout: 10_000, interval: 50 },
    );

  const progressOf = (orderId: string) =>
    worker.client.workflow.getHandle(orderWorkflowId(orderId)).query<OrderProgress>('progress');

  it('starts one saga per triggering event and signals later events to the running saga', async () => {
    const manager = await start({ name: `pm-${randomUUID()}` });
    const orderId = randomUUID();
    const placed = await orders.append({ type: 'OrderPlaced', data: { orderId, customer: 'ada' } });
    await checkpointReaches(manager, placed.position);
    expect(await runIdOf(worker.client, orderWorkflowId(orderId))).toBeDefined();

    const first = await orders.append({ type: 'OrderPaid', data: { orderId, amount: 30 } });
    const second = await orders.append({ type: 'OrderPaid', data: { orderId, amount: 12 } });
    await checkpointReaches(manager, second.position);
    await vi.waitFor(async () => expect((await progressOf(orderId)).total).toBe(42), { timeout: 5_000 });
    expect(await progressOf(orderId)).toMatchObject({ applied: [first.id, second.id], signalsReceived: 2 });
    const status = await manager.status();
    expect(status).toMatchObject({ state: 'running', checkpoint: second.position, pendingEvents: 0 });
  });

  it('started again from an old checkpoint, starts no second saga and applies no signal twice', async () => {
    const name = `pm-${randomUUID()}`;
    const [open, closing] = [randomUUID(), randomUUID()];
    const paid: Record<string, string> = {};
    for (const orderId of [open, closing]) {
      await orders.append({ type: 'OrderPlaced', data: { orderId, customer: 'ada' } });
      paid[orderId] = (await orders.append({ type: 'OrderPaid', data: { orderId, amount: 5 } })).id;
    }
    const shipped = await orders.append({ type: 'OrderShipped', data: { orderId: closing } });

    const first = await start({ name });
    await checkpointReaches(first, shipped.position);
    const closed = await worker.client.workflow.getHandle(orderWorkflowId(closing)).result();
    expect(closed).toMatchObject({ applied: [paid[closing], shipped.id], total: 5, shipped: true });
    await vi.waitFor(async () => expect((await progressOf(open)).total).toBe(5), { timeout: 5_000 });
    const runIds = {
      open: await runIdOf(worker.client, orderWorkflowId(open)),
      closing: await runIdOf(worker.client, orderWorkflowId(closing)),
    };
    await first.stop();

    // Replay everything: both starts are refused (one workflow running, one closed), the signals
    // reach the running saga again and the closed one not at all.
    await setCheckpoint(orders.pool, name, -1n);
    const second = await start({ name });
    await checkpointReaches(second, shipped.position);
    await vi.waitFor(async () => expect((await progressOf(open)).signalsReceived).toBe(2), {
      timeout: 5_000,
    });
    expect(await progressOf(open)).toMatchObject({ applied: [paid[open]], total: 5 });
    expect(await runIdOf(worker.client, orderWorkflowId(open))).toBe(runIds.open);
    expect(await runIdOf(worker.client, orderWorkflowId(closing))).toBe(runIds.closing);
    for (const orderId of [open, closing]) {
      await vi.waitFor(
        async () => expect(await executionsOf(worker.client, orderWorkflowId(orderId))).toBe(1),
        {
          timeout: 5_000,
        },
      );
    }
    expect(await worker.client.workflow.getHandle(orderWorkflowId(closing)).result()).toEqual(closed);
  });

  it('while Temporal is unreachable, retries the failing event and keeps its checkpoint before it', async () => {
    const proxy = tcpProxy(await freePort(), inject('temporalAddress'));
    await proxy.up();
    const temporal = await connectTemporalClient(proxy.address, {
      lazy: true,
      // Reconnect soon after Temporal is back, rather than after grpc's default backoff.
      channelArgs: { 'grpc.initial_reconnect_backoff_ms': 100, 'grpc.max_reconnect_backoff_ms': 300 },
    });
    clients.push(temporal);
    const manager = await start({ name: `pm-${randomUUID()}`, temporal });
    const before = randomUUID();
    const handled = await orders.append({ type: 'OrderPlaced', data: { orderId: before, customer: 'ada' } });
    await checkpointReaches(manager, handled.position);

    await proxy.down();
    const during = randomUUID();
    const failing = await orders.append({ type: 'OrderPlaced', data: { orderId: during, customer: 'bob' } });
    const later = await orders.append({ type: 'OrderPaid', data: { orderId: during, amount: 9 } });
    await vi.waitFor(
      async () => expect((await manager.status()).failure?.attempts ?? 0).toBeGreaterThanOrEqual(2),
      { timeout: 10_000, interval: 100 },
    );
    const stuck = await manager.status();
    expect(stuck).toMatchObject({ state: 'retrying', checkpoint: handled.position, pendingEvents: 2 });
    expect(stuck.failure?.position).toBe(failing.position);
    expect(await runIdOf(worker.client, orderWorkflowId(during))).toBeUndefined();

    await proxy.up();
    await checkpointReaches(manager, later.position);
    await vi.waitFor(async () => expect((await progressOf(during)).total).toBe(9), { timeout: 5_000 });
    expect(await manager.status()).toMatchObject({ state: 'running', pendingEvents: 0 });
    expect((await manager.status()).failure).toBeUndefined();
    await proxy.down();
  });

  it('stops at once, even while retrying, and does nothing after it stopped', async () => {
    // Nothing listens on this port: every call fails until the deadline.
    const temporal = await connectTemporalClient(`127.0.0.1:${await freePort()}`, { lazy: true });
    clients.push(temporal);
    const retrying = await start({ name: `pm-${randomUUID()}`, temporal, callTimeoutMs: 1_500 });
    await orders.append({ type: 'OrderPlaced', data: { orderId: randomUUID(), customer: 'ada' } });
    await vi.waitFor(async () => expect((await retrying.status()).failure).toBeDefined(), {
      timeout: 10_000,
    });
    let startedAt = Date.now();
    await retrying.stop();
    expect(Date.now() - startedAt).toBeLessThan(1_000);
    expect(await checkpointOf(orders.pool, retrying.name)).toBe(-1n);

    const live = await start({ name: `pm-${randomUUID()}` });
    const seen = await orders.append({
      type: 'OrderPlaced',
      data: { orderId: randomUUID(), customer: 'bob' },
    });
    await checkpointReaches(live, seen.position);
    startedAt = Date.now();
    await live.stop();
    expect(Date.now() - startedAt).toBeLessThan(1_000);
    expect((await live.status()).state).toBe('stopped');
    const afterStop = randomUUID();
    await orders.append({ type: 'OrderPlaced', data: { orderId: afterStop, customer: 'eve' } });
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(await runIdOf(worker.client, orderWorkflowId(afterStop))).toBeUndefined();
    expect(await checkpointOf(orders.pool, live.name)).toBe(seen.position);
  });

  it('acts as one per name: a second one stands by and takes over when the first stops', async () => {
    const name = `pm-${randomUUID()}`;
    const active = await start({ name });
    const placed = await orders.append({
      type: 'OrderPlaced',
      data: { orderId: randomUUID(), customer: 'ada' },
    });
    await checkpointReaches(active, placed.position);
    const standby = await start({ name });
    await vi.waitFor(async () => expect((await standby.status()).state).toBe('standby'), { timeout: 5_000 });

    await active.stop();
    const orderId = randomUUID();
    const next = await orders.append({ type: 'OrderPlaced', data: { orderId, customer: 'bob' } });
    await checkpointReaches(standby, next.position);
    expect((await standby.status()).state).toBe('running');
    expect(await runIdOf(worker.client, orderWorkflowId(orderId))).toBeDefined();
  });

  it('with no reactions stays idle and reads nothing', async () => {
    const manager = await start({ name: `pm-${randomUUID()}`, reactions: [] });
    await orders.append({ type: 'OrderPlaced', data: { orderId: randomUUID(), customer: 'ada' } });
    expect(await manager.status()).toMatchObject({ state: 'idle', checkpoint: -1n, pendingEvents: 0 });
  });
});
