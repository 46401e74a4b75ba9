/**
 * Integrator webhooks benchmark.
 *
 * EVENTS profile changes of STREAMS users are stored as fast as the command pipeline takes them,
 * while one integrator webhook (Temporal dev server started here, the production workflow, its
 * default settings) delivers them to a local HTTP receiver. Measured: deliveries/s from the first
 * append to the last delivery, and event → delivery latency (the event's occurredAt to its arrival)
 * p50/p99. Baseline in the same run, for another EVENTS changes: a plain loop following the store's
 * live subscription with the same filter and envelope and POSTing each event with the same signed
 * client, one at a time, with no Temporal, no cursor and no retries.
 */

import { randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import { createServer as createNetServer } from 'node:net';
import { cpus, tmpdir } from 'node:os';
import path from 'node:path';
import { NativeConnection } from '@temporalio/worker';
import { createAiProvider } from '../src/ai/create-ai-provider.ts';
import { storeFilterFor, toIntegratorEvent } from '../src/api/events/integrator-events.ts';
import { postWebhook } from '../src/channels/webhook-channel.ts';
import { eventWebhookSigningSecret } from '../src/channels/webhook-signature.ts';
import { loadConfig } from '../src/config.ts';
import { startTemporalDevServer } from '../src/infra/temporal-dev-server.ts';
import { createLogger } from '../src/logger.ts';
import { outboundPolicy } from '../src/net/outbound-policy.ts';
import { Projector } from '../src/projections/projector.ts';
import { apiServices } from '../src/roles/api-services.ts';
import { openRuntime } from '../src/roles/runtime.ts';
import { setRole, updateProfile } from '../src/services/identity/account.ts';
import { register } from '../src/services/identity/registration.ts';
import { createEventWebhook } from '../src/services/webhooks/webhooks.ts';
import { createProcessManager } from '../src/workflows/process-manager/process-manager.ts';
import { connectTemporalClient } from '../src/workflows/temporal-connection.ts';
import { installTemporalRuntime } from '../src/workflows/temporal-runtime.ts';
import { createEventWebhookActivities } from '../src/workflows/webhooks/activities.ts';
import { eventWebhookReactions } from '../src/workflows/webhooks/reactions.ts';
import { bundleWorkflows, createWorker, shutdownWorker, WORKFLOWS_PATH } from '../src/workflows/worker.ts';
import { printMachine, ratio } from './support/machine.ts';
import { benchDatabase } from './support/postgres.ts';
import { percentile } from './support/timing.ts';

const EVENTS = Number(process.env.BENCH_ITEMS ?? 1_000);
const STREAMS = Number(process.env.BENCH_STREAMS ?? 20);
const AUTH_SECRET = 'bench-secret-of-at-least-thirty-two-characters';
const SECRET_BYTES = new TextEncoder().encode(AUTH_SECRET);
const LOOPBACK = outboundPolicy(['127.0.0.1']);
const TYPES = ['UserProfileChanged'];
const log = createLogger(process.env.BENCH_LOG_LEVEL ?? 'error');

/** Arrival times (ms since epoch) and event → arrival latencies of the deliveries a receiver took. */
interface Arrivals {
  url: string;
  latencies: number[];
  last: number;
  /** Resolves once `count` events arrived. */
  reached(count: number): Promise<void>;
  close(): Promise<void>;
}

async function receiver(): Promise<Arrivals> {
  const seen = new Set<string>();
  const latencies: number[] = [];
  let last = 0;
  let waiter: { count: number; resolve: () => void } | undefined;
  const server: Server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const now = Date.now();
      const body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as {
        event: { id: string; occurredAt: string };
      };
      // A repeat (at least once) is counted once, as a receiver that drops repeats would.
      if (!seen.has(body.event.id)) {
        seen.add(body.event.id);
        latencies.push(now - Date.parse(body.event.occurredAt));
        last = now;
        if (waiter && seen.size >= waiter.count) waiter.resolve();
      }
      response.writeHead(204).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  if (!address || typeof address === 'string') throw new Error('no receiver address');
  return {
    url: `http://127.0.0.1:${address.port}/hook`,
    latencies,
    get last() {
      return last;
    },
    reached: (count) =>
      seen.size >= count ? Promise.resolve() : new Promise((resolve) => (waiter = { count, resolve })),
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

async function main() {
  const db = await benchDatabase('webhooks');
  printMachine({ PostgreSQL: db.version, events: String(EVENTS), streams: String(STREAMS) });
  const work = await mkdtemp(path.join(tmpdir(), 'chronicle-bench-webhooks-'));
  const temporal = await startTemporalDevServer({ dataDir: work, port: await freePort(), log });
  installTemporalRuntime(log);
  const runtime = await openRuntime(
    loadConfig({ AUTH_SECRET, DATA_DIR: path.join(work, 'data') }),
    log,
    db.url,
  );
  const { store, codec, pool, bus } = runtime;
  const projector = new Projector({ store, pool, bus, log }, runtime.projections, { batchSize: 500 });
  await projector.start();
  const services = apiServices(runtime, {
    log,
    authSecret: SECRET_BYTES,
    ai: createAiProvider({}),
    readYourWritesTimeoutMs: 10_000,
    outbound: LOOPBACK,
  });
  const taskQueue = `bench-webhooks-${randomUUID()}`;
  const [bundle, connection, client] = await Promise.all([
    bundleWorkflows(WORKFLOWS_PATH, log),
    NativeConnection.connect({ address: temporal.address }),
    connectTemporalClient(temporal.address),
  ]);
  const worker = await createWorker({
    connection,
    taskQueue,
    workflows: { bundle },
    activities: createEventWebhookActivities({
      store,
      codec,
      log,
      pool,
      authSecret: SECRET_BYTES,
      outbound: LOOPBACK,
    }),
  });
  const running = worker.run();
  const processManager = createProcessManager(
    { store, pool, codec, temporal: client.client, log },
    eventWebhookReactions({ taskQueue }),
    { name: 'bench-webhooks' },
  );
  await processManager.start();
  try {
    const system = { actor: { kind: 'system' as const, process: 'bench' }, correlationId: 'bench' };
    const people = await Promise.all(
      Array.from({ length: STREAMS }, (_, i) =>
        register(services.identity, system, {
          email: `bench-${i}-${randomUUID()}@example.org`,
          password: 'correct horse battery staple',
          displayName: `Bench ${i}`,
        }),
      ),
    );
    const [owner] = people;
    if (!owner) throw new Error('no users');
    await setRole(services.identity, system, { userId: owner.userId, role: 'admin' });
    /** EVENTS profile changes, spread over the users, each user's one after another. */
    const changeProfiles = async (round: string) => {
      const started = Date.now();
      await Promise.all(
        people.map(async (person, lane) => {
          const context = {
            actor: { kind: 'user' as const, userId: person.userId, role: 'user' as const },
            correlationId: round,
          };
          for (let i = lane; i < EVENTS; i += STREAMS) {
            await updateProfile(services.identity, context, { displayName: `Bench ${lane} ${round} ${i}` });
          }
        }),
      );
      return started;
    };

    // Temporal: one webhook, the production workflow and defaults.
    const viaTemporal = await receiver();
    await createEventWebhook(
      services.webhooks,
      { actor: { kind: 'user', userId: owner.userId, role: 'admin' }, correlationId: 'bench' },
      { input: { url: viaTemporal.url, types: TYPES } },
    );
    const temporalStart = await changeProfiles('temporal');
    await viaTemporal.reached(EVENTS);
    const temporalSeconds = (viaTemporal.last - temporalStart) / 1000;

    // Baseline: the plain loop, from the head, for as many new events.
    const plain = await receiver();
    const [head] = await store.readAll({ fromPosition: 'end', direction: 'backwards', maxCount: 1 });
    const stop = new AbortController();
    const loop = (async () => {
      const filter = { types: TYPES };
      for await (const recorded of store.subscribeToAll({
        fromPosition: head?.position ?? 0n,
        filter: storeFilterFor(filter),
        signal: stop.signal,
      })) {
        const event = await toIntegratorEvent(codec, recorded, filter);
        if (!event) continue;
        await postWebhook({
          url: plain.url,
          body: JSON.stringify({ webhookId: 'plain', deliveryId: event.id, attempt: 1, event }),
          secret: eventWebhookSigningSecret(SECRET_BYTES, 'plain'),
          idempotencyKey: event.id,
          event: event.type,
          at: new Date(),
          timeoutMs: 10_000,
          policy: LOOPBACK,
        });
      }
    })();
    const plainStart = await changeProfiles('plain');
    await plain.reached(EVENTS);
    const plainSeconds = (plain.last - plainStart) / 1000;
    stop.abort();
    await loop.catch(() => undefined);

    // Named so `npm run bench` pairs each figure with its `_baseline` (the plain loop).
    const figures = {
      deliveries_per_s: Math.round(EVENTS / temporalSeconds),
      deliveries_per_s_baseline: Math.round(EVENTS / plainSeconds),
      latency_p50_ms: Math.round(percentile(viaTemporal.latencies, 50)),
      latency_p99_ms: Math.round(percentile(viaTemporal.latencies, 99)),
      latency_p50_ms_baseline: Math.round(percentile(plain.latencies, 50)),
      latency_p99_ms_baseline: Math.round(percentile(plain.latencies, 99)),
    };
    console.log(`\n${EVENTS} events over ${STREAMS} streams, stored as fast as commands go`);
    console.log(
      `  ${''.padEnd(34)} ${'webhook'.padStart(9)} ${'plain loop'.padStart(11)} ${'ratio'.padStart(7)}`,
    );
    const line = (label: string, ours: number, theirs: number) =>
      console.log(
        `  ${label.padEnd(34)} ${String(ours).padStart(9)} ${String(theirs).padStart(11)} ${ratio(ours, theirs).toFixed(2).padStart(7)}`,
      );
    line('deliveries/s', figures.deliveries_per_s, figures.deliveries_per_s_baseline);
    line('event → delivery p50 (ms)', figures.latency_p50_ms, figures.latency_p50_ms_baseline);
    line('event → delivery p99 (ms)', figures.latency_p99_ms, figures.latency_p99_ms_baseline);
    await Promise.all([viaTemporal.close(), plain.close()]);
    console.log(
      JSON.stringify({
        bench: 'webhooks',
        cores: cpus().length,
        events: EVENTS,
        streams: STREAMS,
        ...figures,
      }),
    );
  } finally {
    await processManager.stop();
    await shutdownWorker(worker, running);
    await connection.close();
    await client.close();
    await projector.stop();
    await runtime.close();
    await temporal.stop();
    await db.stop();
    await rm(work, { recursive: true, force: true });
  }
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createNetServer();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() =>
        typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port')),
      );
    });
  });
}

await main();
