import { NativeConnection } from '@temporalio/worker';
import { describe, expect, inject, it } from 'vitest';
import { TASK_QUEUES } from '../../src/workflows/task-queues.ts';
import { installTemporalRuntime } from '../../src/workflows/temporal-runtime.ts';
import { bundleWorkflows, createWorker, shutdownWorker, WORKFLOWS_PATH } from '../../src/workflows/worker.ts';
import { testLog } from './fixtures/harness.ts';

const log = testLog();

describe('worker', () => {
  it("bundles Chronicle's workflows module from its TypeScript source and polls every task queue", async () => {
    installTemporalRuntime(log);
    const bundle = await bundleWorkflows(WORKFLOWS_PATH, log);
    expect(bundle.code.length).toBeGreaterThan(0);
    const connection = await NativeConnection.connect({ address: inject('temporalAddress') });
    try {
      for (const taskQueue of Object.values(TASK_QUEUES)) {
        const worker = await createWorker({ connection, taskQueue, workflows: { bundle }, activities: {} });
        const running = worker.run();
        expect(worker.getState()).toBe('RUNNING');
        const startedAt = Date.now();
        await shutdownWorker(worker, running);
        expect(worker.getState()).toBe('STOPPED');
        expect(Date.now() - startedAt).toBeLessThan(5_000);
      }
    } finally {
      await connection.close();
    }
  });
});
