import { randomUUID } from 'node:crypto';
import { type Client, WorkflowNotFoundError } from '@temporalio/client';
import { NativeConnection, type WorkflowBundleWithSourceMap } from '@temporalio/worker';
import { inject, vi } from 'vitest';
import type { Logger } from '../../../../src/logger.ts';
import { createMatchingActivities } from '../../../../src/workflows/matching/activities.ts';
import { matchingWorkflowId } from '../../../../src/workflows/matching/ids.ts';
import type { MatchingProgress } from '../../../../src/workflows/matching/progress.ts';
import { matchingReactions } from '../../../../src/workflows/matching/reactions.ts';
import type { MatchingSettingsInput } from '../../../../src/workflows/matching/settings.ts';
import type { matchMentor } from '../../../../src/workflows/matching/workflow.ts';
import {
  createProcessManager,
  type ProcessManager,
} from '../../../../src/workflows/process-manager/process-manager.ts';
import { connectTemporalClient, TEMPORAL_NAMESPACE } from '../../../../src/workflows/temporal-connection.ts';
import { installTemporalRuntime } from '../../../../src/workflows/temporal-runtime.ts';
import {
  bundleWorkflows,
  createWorker,
  shutdownWorker,
  WORKFLOWS_PATH,
} from '../../../../src/workflows/worker.ts';
import { type IdentityApp, startIdentityApp } from '../../../api/support/identity-app.ts';
import { testLog } from '../../fixtures/harness.ts';

/** Command retries in milliseconds, not minutes. */
const FAST_COMMANDS: MatchingSettingsInput['commands'] = {
  initialIntervalMs: 100,
  maximumIntervalMs: 500,
  maximumAttempts: 20,
};

export interface SagaWorker {
  close(): Promise<void>;
}

export interface MatchingHarness {
  api: IdentityApp;
  log: Logger;
  /** This file's own task queue: other files (and `chronicle worker` tests) never take its tasks. */
  taskQueue: string;
  client: Client;
  bundle: WorkflowBundleWithSourceMap;
  /** A worker in this process, running the production bundle and the matching activities. */
  startWorker(): Promise<SagaWorker>;
  /** Stops every worker of the task queue: sagas wait, signals are kept by Temporal. */
  stopWorkers(): Promise<void>;
  /** Another process manager with the matching reactions; a new name reads every event again. */
  startProcessManager(name: string): Promise<ProcessManager>;
  /** After a worker stopped: lets another worker take the saga's next task at once. */
  resetStickyQueue(workflowId: string): Promise<void>;
  close(): Promise<void>;
}

/**
 * What `chronicle dev` runs for matching, in this process, on a fresh database: the API with its
 * projector, a Temporal worker with Chronicle's workflow bundle and the matching activities, and
 * the process manager with the matching reactions and `settings` (a short offer timeout), all on
 * a task queue of this file's own.
 */
export async function startMatchingHarness(settings: MatchingSettingsInput): Promise<MatchingHarness> {
  const log = testLog();
  installTemporalRuntime(log);
  const api = await startIdentityApp();
  const address = inject('temporalAddress');
  const taskQueue = `test-matching-${randomUUID()}`;
  const [bundle, connection, temporal] = await Promise.all([
    bundleWorkflows(WORKFLOWS_PATH, log),
    NativeConnection.connect({ address }),
    connectTemporalClient(address),
  ]);
  const workers = new Set<SagaWorker>();
  const managers: ProcessManager[] = [];
  const startWorker = async (): Promise<SagaWorker> => {
    const { store, codec, pool } = api.runtime;
    const worker = await createWorker({
      connection,
      taskQueue,
      workflows: { bundle },
      activities: createMatchingActivities({ store, codec, log, pool }),
      shutdownGraceMs: 500,
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
  const startProcessManager = async (name: string): Promise<ProcessManager> => {
    const manager = createProcessManager(
      {
        store: api.runtime.store,
        pool: api.runtime.pool,
        codec: api.runtime.codec,
        temporal: temporal.client,
        log,
      },
      matchingReactions({ taskQueue, settings: { ...settings, commands: FAST_COMMANDS } }),
      { name, backoffMs: 50, maxBackoffMs: 500, callTimeoutMs: 2_000, standbyRetryMs: 100 },
    );
    managers.push(manager);
    await manager.start();
    return manager;
  };
  await startWorker();
  await startProcessManager(`pm-${randomUUID()}`);
  return {
    api,
    log,
    taskQueue,
    client: temporal.client,
    bundle,
    startWorker,
    async stopWorkers() {
      await Promise.all([...workers].map((worker) => worker.close()));
    },
    startProcessManager,
    async resetStickyQueue(workflowId) {
      await temporal.client.workflowService.resetStickyTaskQueue({
        namespace: TEMPORAL_NAMESPACE,
        execution: { workflowId },
      });
    },
    async close() {
      await Promise.all(managers.map((manager) => manager.stop()));
      await Promise.all([...workers].map((worker) => worker.close()));
      await temporal.close().catch(() => undefined);
      await connection.close();
      await api.close();
    },
  };
}

/** The request's saga, once the process manager has started it. */
export async function sagaOf(h: MatchingHarness, requestId: string) {
  const handle = h.client.workflow.getHandle<typeof matchMentor>(matchingWorkflowId(requestId));
  await vi.waitFor(
    async () => {
      try {
        await handle.describe();
      } catch (error) {
        if (error instanceof WorkflowNotFoundError) throw new Error('not started yet');
        throw error;
      }
    },
    { timeout: 15_000, interval: 50 },
  );
  return {
    handle,
    result: () => handle.result(),
    progress: () => handle.query<MatchingProgress>('progress'),
  };
}
