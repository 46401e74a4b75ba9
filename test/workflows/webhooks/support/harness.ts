import { randomUUID } from 'node:crypto';
import type { Client } from '@temporalio/client';
import { NativeConnection } from '@temporalio/worker';
import { inject } from 'vitest';
import type { Logger } from '../../../../src/logger.ts';
import { outboundPolicy } from '../../../../src/net/outbound-policy.ts';
import {
  createProcessManager,
  type ProcessManager,
} from '../../../../src/workflows/process-manager/process-manager.ts';
import { connectTemporalClient } from '../../../../src/workflows/temporal-connection.ts';
import { installTemporalRuntime } from '../../../../src/workflows/temporal-runtime.ts';
import { createEventWebhookActivities } from '../../../../src/workflows/webhooks/activities.ts';
import { eventWebhookReactions } from '../../../../src/workflows/webhooks/reactions.ts';
import type { EventWebhookSettingsInput } from '../../../../src/workflows/webhooks/settings.ts';
import {
  bundleWorkflows,
  createWorker,
  shutdownWorker,
  WORKFLOWS_PATH,
} from '../../../../src/workflows/worker.ts';
import { type IdentityApp, startIdentityApp, TEST_AUTH_SECRET } from '../../../api/support/identity-app.ts';
import { startWebhookReceiver, type WebhookReceiver } from '../../../support/webhook-receiver.ts';
import { testLog } from '../../fixtures/harness.ts';

/**
 * Retries in milliseconds, not minutes (an event that keeps failing is dead-lettered after 3
 * attempts), and a 2 s long poll, so a test waits seconds for what production spreads over minutes.
 */
export const FAST_WEBHOOK_SETTINGS: EventWebhookSettingsInput = {
  commands: { initialIntervalMs: 100, maximumIntervalMs: 500, maximumAttempts: 20 },
  delivery: {
    maximumAttempts: 3,
    initialIntervalMs: 100,
    backoffCoefficient: 2,
    maximumIntervalMs: 400,
    requestTimeoutMs: 3_000,
    heartbeatTimeoutMs: 1_000,
  },
  longPollMs: 2_000,
  // About 4 KB of envelopes per batch: more than a handful of waiting events are cut by size.
  batchBytes: 4_000,
};

/** How stale the owner's access may be before a POST: 15 s in production, 1 s here. */
export const ACCESS_RECHECK_MS = 1_000;

/** The receiver listens on 127.0.0.1: the API and the worker allow it, as OUTBOUND_ALLOW_INTERNAL would. */
export const LOOPBACK_ALLOWED = outboundPolicy(['127.0.0.1']);
export const AUTH_SECRET = new TextEncoder().encode(TEST_AUTH_SECRET);

export interface WebhookHarness {
  api: IdentityApp;
  log: Logger;
  client: Client;
  receiver: WebhookReceiver;
  /** Another worker on the same task queue (after one was stopped, as a crashed one would be). */
  startWorker(): Promise<DeliveryWorker>;
  /** The worker the harness started with. */
  worker: DeliveryWorker;
  close(): Promise<void>;
}

export interface DeliveryWorker {
  close(): Promise<void>;
}

/**
 * What `chronicle dev` runs for webhooks, in this process, on a fresh database: the API with its
 * projector, a Temporal worker with Chronicle's workflow bundle and the webhook activities, and the
 * process manager with the webhook reactions, on a task queue of this file's own.
 */
export async function startWebhookHarness(): Promise<WebhookHarness> {
  const log = testLog();
  installTemporalRuntime(log);
  const api = await startIdentityApp({ outbound: LOOPBACK_ALLOWED });
  const address = inject('temporalAddress');
  const taskQueue = `test-webhooks-${randomUUID()}`;
  const [bundle, connection, temporal, receiver] = await Promise.all([
    bundleWorkflows(WORKFLOWS_PATH, log),
    NativeConnection.connect({ address }),
    connectTemporalClient(address),
    startWebhookReceiver(),
  ]);
  const { store, codec, pool } = api.runtime;
  const workers = new Set<DeliveryWorker>();
  const startWorker = async (): Promise<DeliveryWorker> => {
    const worker = await createWorker({
      connection,
      taskQueue,
      workflows: { bundle },
      activities: createEventWebhookActivities({
        store,
        codec,
        log,
        pool,
        authSecret: AUTH_SECRET,
        outbound: LOOPBACK_ALLOWED,
        accessRecheckMs: ACCESS_RECHECK_MS,
      }),
      shutdownGraceMs: 200,
      shutdownForceMs: 2_000,
    });
    const running = worker.run();
    const handle = {
      async close() {
        workers.delete(handle);
        await shutdownWorker(worker, running);
      },
    };
    workers.add(handle);
    return handle;
  };
  const worker = await startWorker();
  const processManager: ProcessManager = createProcessManager(
    { store, pool, codec, temporal: temporal.client, log },
    eventWebhookReactions({ taskQueue, settings: FAST_WEBHOOK_SETTINGS }),
    {
      name: `pm-${randomUUID()}`,
      backoffMs: 50,
      maxBackoffMs: 500,
      callTimeoutMs: 2_000,
      standbyRetryMs: 100,
    },
  );
  await processManager.start();
  return {
    api,
    log,
    client: temporal.client,
    receiver,
    startWorker,
    worker,
    async close() {
      await processManager.stop();
      await Promise.all([...workers].map((each) => each.close()));
      await temporal.close().catch(() => undefined);
      await connection.close();
      await receiver.close();
      await api.close();
    },
  };
}
