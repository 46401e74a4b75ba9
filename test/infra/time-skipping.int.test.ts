import { randomUUID } from 'node:crypto';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { bundleWorkflowCode, Worker } from '@temporalio/worker';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { findTimeSkippingServer, startTimeSkippingEnvironment } from '../support/time-skipping.ts';
import { sleepForHours } from './time-skipping-workflows.ts';

const EIGHT_HOURS_MS = 8 * 3_600_000;

describe.skipIf(!findTimeSkippingServer())('the time-skipping test server', () => {
  let env: TestWorkflowEnvironment;
  let workflowBundle: Awaited<ReturnType<typeof bundleWorkflowCode>>;

  beforeAll(async () => {
    [env, workflowBundle] = await Promise.all([
      startTimeSkippingEnvironment(),
      bundleWorkflowCode({
        workflowsPath: new URL('./time-skipping-workflows.ts', import.meta.url).pathname,
      }),
    ]);
  });
  afterAll(async () => {
    await env?.teardown();
  });

  it('runs a workflow that sleeps 8 hours in seconds, its timer firing at workflow time + 8 h', async () => {
    const taskQueue = `time-skipping-${randomUUID()}`;
    const notes: { label: string; workflowTime: number }[] = [];
    const worker = await Worker.create({
      connection: env.nativeConnection,
      namespace: env.namespace ?? 'default',
      taskQueue,
      workflowBundle,
      activities: {
        async note(label: string, workflowTime: number) {
          notes.push({ label, workflowTime });
        },
      },
    });
    const wallStart = Date.now();
    const result = await worker.runUntil(
      env.client.workflow.execute(sleepForHours, {
        args: [8],
        taskQueue,
        workflowId: `sleep-${randomUUID()}`,
      }),
    );
    const wallMs = Date.now() - wallStart;

    expect(result.wokeAt - result.startedAt).toBeGreaterThanOrEqual(EIGHT_HOURS_MS);
    expect(result.wokeAt - result.startedAt).toBeLessThan(EIGHT_HOURS_MS + 60_000);
    expect(notes).toEqual([
      { label: 'before', workflowTime: result.startedAt },
      { label: 'after', workflowTime: result.wokeAt },
    ]);
    // The environment's clock moved on with the workflow's; the wall clock hardly did.
    expect((await env.currentTimeMs()) - result.startedAt).toBeGreaterThanOrEqual(EIGHT_HOURS_MS);
    expect(wallMs).toBeLessThan(20_000);
  });
});
