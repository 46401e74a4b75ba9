import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, inject, it, vi } from 'vitest';
import { TEMPORAL_NAMESPACE } from '../../../src/workflows/temporal-connection.ts';
import { purgeWorkflowId } from '../../../src/workflows/transcoding/ids.ts';
import { cleanEnv } from '../../support/cli.ts';
import { type MediaFixtures, mediaFixtures } from '../../support/media-fixtures.ts';
import { executionsOf } from '../fixtures/harness.ts';
import {
  activityAttempts,
  deleteAsset,
  eventsOfType,
  mediaEvents,
  sagaOf,
  startTranscodingHarness,
  storedRenditions,
  type TranscodingHarness,
  upload,
  waitForEvent,
} from './support/harness.ts';

const WORKER_PROCESS = fileURLToPath(new URL('./support/worker-process.ts', import.meta.url));
/** x264's slowest preset on one thread: a 3 s 720p rendition takes ~10 s, time enough to interrupt it. */
const SLOW_PRESET = 'veryslow';

const run = promisify(execFile);

let h: TranscodingHarness;
let fixtures: MediaFixtures;
let bundleDir: string;
const children: ChildProcess[] = [];

beforeAll(async () => {
  [h, fixtures] = await Promise.all([startTranscodingHarness({ worker: false }), mediaFixtures()]);
  bundleDir = await mkdtemp(path.join(tmpdir(), 'chronicle-bundle-'));
  await writeFile(path.join(bundleDir, 'workflows.js'), h.bundle.code);
});
afterAll(async () => {
  for (const child of children)
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  await h?.close();
  if (bundleDir) await rm(bundleDir, { recursive: true, force: true });
});

/** A worker in a child process (same bundle, database and storage), once it polls. */
async function spawnWorker(preset: string): Promise<ChildProcess> {
  const child = spawn(process.execPath, ['--import', 'tsx', WORKER_PROCESS], {
    env: cleanEnv({
      DATABASE_URL: h.databaseUrl,
      TEMPORAL_ADDRESS: inject('temporalAddress'),
      TASK_QUEUE: h.taskQueue,
      BUNDLE_PATH: path.join(bundleDir, 'workflows.js'),
      STORAGE_ROOT: h.storageRoot,
      PRESET: preset,
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

/** ffmpeg processes working on this asset's files (its storage paths name the asset). */
async function ffmpegsFor(assetId: string): Promise<string[]> {
  const { stdout } = await run('ps', ['-eo', 'pid=,args=']);
  return stdout.split('\n').filter((line) => line.includes('ffmpeg') && line.includes(assetId));
}

const uploadVideo = () =>
  upload(h, { kind: 'video', file: fixtures.video720p, fileName: 'clip.mp4', contentType: 'video/mp4' });

/** Waits until the 720p rendition's activity has started (it records 0 % first). */
const renditionStarted = (assetId: string) =>
  waitForEvent(
    h,
    assetId,
    (event) =>
      event.type === 'MediaProcessingProgressed' &&
      event.data.step === 'renditions' &&
      event.data.detail === '720p' &&
      event.data.percent === 0,
  );

describe('the transcoding saga, interrupted', () => {
  it('resumes on a new worker when its worker is killed mid-rendition, and the asset becomes ready once', async () => {
    const doomed = await spawnWorker(SLOW_PRESET);
    const assetId = await uploadVideo();
    const saga = await sagaOf(h, assetId);
    await renditionStarted(assetId);
    await vi.waitFor(async () => expect(await ffmpegsFor(assetId)).not.toEqual([]), { timeout: 10_000 });

    const exited = once(doomed, 'exit');
    doomed.kill('SIGKILL');
    await exited;
    // The kernel takes the dead worker's ffmpeg down with it (no orphan competing for the cores).
    await vi.waitFor(async () => expect(await ffmpegsFor(assetId)).toEqual([]), { timeout: 5_000 });
    // Skip the 10 s Temporal would wait before offering the saga's next task to another worker.
    await h.client.workflowService.resetStickyTaskQueue({
      namespace: TEMPORAL_NAMESPACE,
      execution: { workflowId: saga.workflowId },
    });
    const replacement = await h.startWorker({ preset: 'ultrafast' });
    try {
      expect(await saga.result()).toMatchObject({ outcome: 'ready' });
    } finally {
      await replacement.close();
    }

    // The interrupted rendition ran again (its heartbeats stopped, so Temporal retried it elsewhere).
    const attempts = await activityAttempts(saga, 'transcodeVideoRendition');
    expect(attempts).toHaveLength(3);
    expect(Math.max(...attempts)).toBeGreaterThanOrEqual(2);
    const events = await mediaEvents(h, assetId);
    const ready = eventsOfType(events, 'MediaReady');
    expect(ready).toHaveLength(1);
    expect(eventsOfType(events, 'MediaProcessingStarted')).toHaveLength(1);
    expect(eventsOfType(events, 'MediaProbed')).toHaveLength(1);
    expect(await executionsOf(h.client, saga.workflowId)).toBe(1);
    const manifest = ready[0]?.data.manifest;
    expect(manifest?.renditions.filter((r) => r.kind === 'video').map((r) => r.name)).toEqual([
      '720p',
      '480p',
      '360p',
    ]);
    // Nothing but the manifest's renditions is stored: the killed attempt left no file behind.
    expect(await storedRenditions(h, assetId)).toEqual(manifest?.renditions.map((r) => r.name).sort());
  });

  it('cancels the work, kills ffmpeg and deletes the outputs when the asset is deleted while processing', async () => {
    const slow = await h.startWorker({ preset: SLOW_PRESET });
    try {
      const assetId = await uploadVideo();
      const saga = await sagaOf(h, assetId);
      await renditionStarted(assetId);
      await vi.waitFor(async () => expect(await ffmpegsFor(assetId)).not.toEqual([]), { timeout: 10_000 });

      const deletedAt = performance.now();
      await deleteAsset(h, assetId);
      expect(await saga.result()).toEqual({ outcome: 'deleted' });
      // Cancellation reaches an activity with its next heartbeat (at most 1.6 s here), then ffmpeg is killed.
      expect(performance.now() - deletedAt).toBeLessThan(8_000);
      expect(await ffmpegsFor(assetId)).toEqual([]);
      await h.client.workflow.getHandle(purgeWorkflowId(assetId)).result();
      expect(await storedRenditions(h, assetId)).toEqual([]);

      const events = await mediaEvents(h, assetId);
      expect(eventsOfType(events, 'MediaDeleted')).toHaveLength(1);
      expect(eventsOfType(events, 'MediaReady')).toEqual([]);
      expect(eventsOfType(events, 'MediaProcessingFailed')).toEqual([]);
      // The renditions in flight were cancelled, not failed or retried.
      const history = await saga.fetchHistory();
      const cancelled = (history.events ?? []).filter((event) => event.activityTaskCanceledEventAttributes);
      expect(cancelled.length).toBeGreaterThanOrEqual(1);
    } finally {
      await slow.close();
    }
  });
});
