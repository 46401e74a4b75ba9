import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, inject, it, vi } from 'vitest';
import { TEMPORAL_NAMESPACE } from '../../../src/workflows/temporal-connection.ts';
import { TEST_AUTH_SECRET } from '../../api/support/identity-app.ts';
import { cleanEnv } from '../../support/cli.ts';
import { replies } from '../../support/webhook-receiver.ts';
import { executionsOf } from '../fixtures/harness.ts';
import {
  approvedArticle,
  brandWith,
  contentEvents,
  contentView,
  eventsOfType,
  type PublishingHarness,
  requestPublish,
  sagaOf,
  startPublishingHarness,
} from './support/harness.ts';

const WORKER_PROCESS = fileURLToPath(new URL('./support/worker-process.ts', import.meta.url));

let h: PublishingHarness;
let bundleDir: string;
const children: ChildProcess[] = [];

beforeAll(async () => {
  // No worker in this process at first: the saga starts on the one that will be killed.
  h = await startPublishingHarness({ worker: false });
  bundleDir = await mkdtemp(path.join(tmpdir(), 'chronicle-bundle-'));
  await writeFile(path.join(bundleDir, 'workflows.js'), h.bundle.code);
});
afterAll(async () => {
  for (const child of children)
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  await h?.close();
  if (bundleDir) await rm(bundleDir, { recursive: true, force: true });
});

/** A worker in a child process (same bundle, same database), once it polls. */
async function spawnWorker(): Promise<ChildProcess> {
  const child = spawn(process.execPath, ['--import', 'tsx', WORKER_PROCESS], {
    env: cleanEnv({
      DATABASE_URL: h.api.databaseUrl,
      TEMPORAL_ADDRESS: inject('temporalAddress'),
      TASK_QUEUE: h.taskQueue,
      BUNDLE_PATH: path.join(bundleDir, 'workflows.js'),
      AUTH_SECRET: TEST_AUTH_SECRET,
      // The webhook receiver listens on 127.0.0.1.
      OUTBOUND_ALLOW_INTERNAL: '127.0.0.1',
      LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'silent',
    }),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.push(child);
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => {
    output += chunk.toString();
  });
  child.stderr?.on('data', (chunk: Buffer) => {
    output += chunk.toString();
  });
  await vi.waitFor(
    () => {
      if (child.exitCode !== null) throw new Error(`the worker process exited early:\n${output}`);
      expect(output).toContain('ready');
    },
    { timeout: 20_000, interval: 50 },
  );
  return child;
}

describe('the publishing saga on a worker that dies', () => {
  it('resumes on a new worker and completes exactly once: each channel gets one successful delivery, under one key', async () => {
    const first = h.receiver.route();
    // The second webhook holds the first delivery open: the worker is killed while it waits.
    const held = h.receiver.route(replies.sequence('hold', 201));
    const { team, channels } = await brandWith(h, [
      { kind: 'webhook', url: first.url },
      { kind: 'feed' },
      { kind: 'webhook', url: held.url },
    ]);
    const content = await approvedArticle(h, team);
    const doomed = await spawnWorker();
    const publicationId = await requestPublish(h, team, content.id);
    const saga = await sagaOf(h, content.id, publicationId);
    await held.waitForDeliveries(1);
    expect(first.deliveries).toHaveLength(1);

    const exited = once(doomed, 'exit');
    doomed.kill('SIGKILL');
    await exited;
    await vi.waitFor(() => expect(held.deliveries[0]?.outcome).toBe('aborted'));
    // Temporal would keep offering the saga's next workflow task to the dead worker's sticky queue
    // for 10 s before any worker may take it: a deployment pays that once per crash, the test skips it.
    await h.client.workflowService.resetStickyTaskQueue({
      namespace: TEMPORAL_NAMESPACE,
      execution: { workflowId: saga.handle.workflowId },
    });
    const replacement = await h.startWorker();

    expect(await saga.result()).toEqual({ outcome: 'published', reasons: [], compensationFailures: [] });
    await replacement.close();
    // What finished before the crash was not done again; the interrupted delivery was repeated as is.
    expect(first.deliveries.map((delivery) => delivery.outcome)).toEqual([201]);
    expect(held.deliveries.map((delivery) => delivery.outcome)).toEqual(['aborted', 201]);
    const [interrupted, repeated] = held.deliveries;
    expect(repeated?.idempotencyKey).toBe(interrupted?.idempotencyKey);
    expect(repeated?.body).toBe(interrupted?.body);
    expect(repeated?.idempotencyKey).not.toBe(first.deliveries[0]?.idempotencyKey);

    const events = await contentEvents(h, content.id);
    expect(eventsOfType(events, 'ContentChannelPublished').map((event) => event.data.channelId)).toEqual(
      channels.map((channel) => channel.id),
    );
    expect(eventsOfType(events, 'ContentMetadataGenerated')).toHaveLength(1);
    expect(eventsOfType(events, 'ContentPublished')).toHaveLength(1);
    expect(eventsOfType(events, 'ContentStakeholdersNotified')).toHaveLength(1);
    expect(await executionsOf(h.client, saga.handle.workflowId)).toBe(1);
    await contentView(h, team, content.id, (view) => view.status === 'published');
  });
});
