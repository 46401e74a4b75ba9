import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { describe, expect, inject, it, vi } from 'vitest';
import { TASK_QUEUES } from '../../src/workflows/task-queues.ts';
import { connectTemporalClient, TEMPORAL_NAMESPACE } from '../../src/workflows/temporal-connection.ts';
import { CLI, cleanEnv, runCli } from '../support/cli.ts';
import { freshDatabase } from '../support/database.ts';

/** temporal.api.enums.v1.TaskQueueType.TASK_QUEUE_TYPE_WORKFLOW (@temporalio/proto is not ours to import). */
const WORKFLOW_TASK_QUEUE = 1;

describe('chronicle worker', () => {
  it('names DATABASE_URL and TEMPORAL_ADDRESS when it has neither, with code 2', async () => {
    const result = await runCli(['worker'], {});
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('DATABASE_URL');
    expect(result.stderr).toContain('TEMPORAL_ADDRESS');
  });

  it('polls the task queues through tsx, and exits 0 within 10 s of SIGTERM', async () => {
    const temporalAddress = inject('temporalAddress');
    const env = { DATABASE_URL: await freshDatabase('worker_role'), TEMPORAL_ADDRESS: temporalAddress };
    const child = spawn(process.execPath, [CLI, 'worker'], {
      env: cleanEnv({ ...env, LOG_LEVEL: 'info' }),
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => {
      output += chunk.toString();
    });
    child.stderr.on('data', (chunk: Buffer) => {
      output += chunk.toString();
    });
    const exited = once(child, 'exit');
    const client = await connectTemporalClient(temporalAddress);
    try {
      await vi.waitFor(() => expect(output).toContain('"msg":"worker running"'), {
        timeout: 30_000,
        interval: 100,
      });
      // The worker's identity is `<pid>@<host>`: this very process polls the saga queue (its first
      // poll may reach the server a moment after it says it is running).
      await vi.waitFor(
        async () => {
          const { pollers } = await client.client.workflowService.describeTaskQueue({
            namespace: TEMPORAL_NAMESPACE,
            taskQueue: { name: TASK_QUEUES.sagas },
            taskQueueType: WORKFLOW_TASK_QUEUE,
          });
          expect(pollers.map((p) => p.identity)).toContainEqual(
            expect.stringMatching(new RegExp(`^${child.pid}@`)),
          );
        },
        { timeout: 15_000, interval: 200 },
      );

      const signalledAt = Date.now();
      child.kill('SIGTERM');
      const [code] = await exited;
      expect(code).toBe(0);
      expect(Date.now() - signalledAt).toBeLessThan(10_000);
      for (const component of ['process-manager', `worker:${TASK_QUEUES.sagas}`, 'runtime']) {
        expect(output).toContain(`"component":"${component}","msg":"stopped"`);
      }
    } finally {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      await client.close();
    }
  }, 60_000);
});
