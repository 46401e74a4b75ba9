import { randomUUID } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { type Client, WorkflowNotFoundError } from '@temporalio/client';
import {
  bundleWorkflowCode,
  NativeConnection,
  Worker,
  type WorkflowBundleWithSourceMap,
} from '@temporalio/worker';
import pg from 'pg';
import { expect, inject, vi } from 'vitest';
import { createEventCodec, type EventCodec } from '../../../../src/commands/event-codec.ts';
import { loadAggregate } from '../../../../src/commands/load-aggregate.ts';
import type { MediaCommand } from '../../../../src/domain/media/media-commands.ts';
import { mediaAggregate } from '../../../../src/domain/media/media-decider.ts';
import type { MediaEvent } from '../../../../src/domain/media/media-events.ts';
import type { MediaKind } from '../../../../src/domain/media/media-values.ts';
import { mediaStream } from '../../../../src/domain/media/streams.ts';
import type { Actor } from '../../../../src/domain/shared/decider.ts';
import { PostgresEventStore } from '../../../../src/eventstore/postgres/postgres-event-store.ts';
import type { Logger } from '../../../../src/logger.ts';
import { localRulesModerator } from '../../../../src/media/moderation/local-rules.ts';
import type { MediaModerator } from '../../../../src/media/moderation/moderator.ts';
import { PostgresPersonalDataKeys } from '../../../../src/privacy/postgres-personal-data-keys.ts';
import { execute } from '../../../../src/services/shared/command-context.ts';
import { originalKey } from '../../../../src/storage/keys.ts';
import { createLocalStorage } from '../../../../src/storage/local-storage.ts';
import type { ObjectStorage } from '../../../../src/storage/port.ts';
import {
  createProcessManager,
  type ProcessManager,
} from '../../../../src/workflows/process-manager/process-manager.ts';
import { connectTemporalClient, type TemporalClient } from '../../../../src/workflows/temporal-connection.ts';
import { installTemporalRuntime, temporalLogger } from '../../../../src/workflows/temporal-runtime.ts';
import { createTranscodingActivities } from '../../../../src/workflows/transcoding/activities.ts';
import type { MediaSettings } from '../../../../src/workflows/transcoding/deps.ts';
import { transcodingWorkflowId } from '../../../../src/workflows/transcoding/ids.ts';
import { transcodingReactions } from '../../../../src/workflows/transcoding/reactions.ts';
import type { TranscodingSettingsInput } from '../../../../src/workflows/transcoding/settings.ts';
import type { TranscodeOutcome } from '../../../../src/workflows/transcoding/types.ts';
import type { transcodeMedia } from '../../../../src/workflows/transcoding/workflow.ts';
import { freshDatabase } from '../../../support/database.ts';
import { testLog } from '../../fixtures/harness.ts';

/** The saga's workflows, bundled from TypeScript as in production. */
export const TRANSCODING_WORKFLOWS = fileURLToPath(
  new URL('../../../../src/workflows/transcoding/workflow.ts', import.meta.url),
);

export const NOW = new Date('2024-11-23T10:00:00.000Z');

/** Heartbeats and retries in fractions of seconds: a dead worker's rendition moves within ~2 s. */
export const FAST_SETTINGS: TranscodingSettingsInput = {
  commands: { initialIntervalMs: 100, maximumIntervalMs: 500, maximumAttempts: 20 },
  inspection: { initialIntervalMs: 100, maximumIntervalMs: 500, maximumAttempts: 3 },
  media: { initialIntervalMs: 100, maximumIntervalMs: 500, maximumAttempts: 3, heartbeatTimeoutMs: 2_000 },
};

/** Two activity slots, as on the 2-core machines tests run on: renditions queue for them. */
export const ACTIVITY_SLOTS = 2;

export interface HarnessOptions {
  moderator?: MediaModerator;
  /** x264 preset of the in-process worker (default `ultrafast`: tests check shape, not quality). */
  preset?: string;
  /** Start a worker in this process at once (default true). */
  worker?: boolean;
  /** Send ffmpeg/sharp work to a task queue of its own, polled by a second worker. */
  mediaQueue?: boolean;
  /** What the workers' activities see of the storage directory (a test makes it fail). */
  workerStorage?: (storage: ObjectStorage) => ObjectStorage;
}

export interface SagaWorker {
  close(): Promise<void>;
}

export interface TranscodingHarness {
  log: Logger;
  /** The media work's own task queue, when the harness was asked for one. */
  mediaQueue: string | null;
  databaseUrl: string;
  pool: pg.Pool;
  store: PostgresEventStore;
  codec: EventCodec;
  storageRoot: string;
  storage: ObjectStorage;
  /** This file's own task queue. */
  taskQueue: string;
  client: Client;
  bundle: WorkflowBundleWithSourceMap;
  startWorker(options?: { preset?: string; taskQueue?: string }): Promise<SagaWorker>;
  close(): Promise<void>;
}

/**
 * What the worker role runs, on a fresh database and storage directory: the process manager with
 * the transcoding reactions and a Temporal worker with the transcoding workflows and activities,
 * on a task queue of this file's own. Media is uploaded by issuing the upload commands directly.
 */
export async function startTranscodingHarness(options: HarnessOptions = {}): Promise<TranscodingHarness> {
  const log = testLog();
  installTemporalRuntime(log);
  const address = inject('temporalAddress');
  const taskQueue = `test-transcoding-${randomUUID()}`;
  const mediaQueue = options.mediaQueue ? `${taskQueue}-media` : null;
  const settings: TranscodingSettingsInput = mediaQueue
    ? { ...FAST_SETTINGS, media: { ...FAST_SETTINGS.media, taskQueue: mediaQueue } }
    : FAST_SETTINGS;
  const [databaseUrl, storageRoot, bundle, connection, temporal] = await Promise.all([
    freshDatabase('transcoding'),
    mkdtemp(path.join(tmpdir(), 'chronicle-media-store-')),
    bundleWorkflowCode({
      workflowsPath: TRANSCODING_WORKFLOWS,
      logger: temporalLogger(log, { demote: true }),
    }),
    NativeConnection.connect({ address }),
    connectTemporalClient(address),
  ]);
  const pool = new pg.Pool({ connectionString: databaseUrl, max: 10 });
  const store = new PostgresEventStore({ connectionString: databaseUrl, pool, log, pollIntervalMs: 50 });
  const codec = createEventCodec(new PostgresPersonalDataKeys(pool));
  const storage = createLocalStorage(storageRoot);
  const moderator = options.moderator ?? localRulesModerator();

  const workers = new Set<SagaWorker>();
  const startWorker = async (
    workerOptions: { preset?: string; taskQueue?: string } = {},
  ): Promise<SagaWorker> => {
    const media: MediaSettings = {
      preset: workerOptions.preset ?? options.preset ?? 'ultrafast',
      threads: 1,
    };
    const worker = await Worker.create({
      connection,
      taskQueue: workerOptions.taskQueue ?? taskQueue,
      workflowBundle: bundle,
      activities: createTranscodingActivities({
        store,
        codec,
        log,
        storage: options.workerStorage ? options.workerStorage(storage) : storage,
        moderator,
        media,
      }),
      maxConcurrentActivityTaskExecutions: ACTIVITY_SLOTS,
      shutdownGraceTime: 500,
      shutdownForceTime: 2_000,
    });
    const running = worker.run();
    const handle: SagaWorker = {
      async close() {
        workers.delete(handle);
        if (worker.getState() === 'RUNNING') worker.shutdown();
        await running;
      },
    };
    workers.add(handle);
    return handle;
  };
  if (options.worker !== false) await startWorker();
  if (mediaQueue) await startWorker({ taskQueue: mediaQueue });

  const processManager: ProcessManager = createProcessManager(
    { store, pool, codec, temporal: temporal.client, log },
    transcodingReactions({ taskQueue, settings }),
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
    log,
    mediaQueue,
    databaseUrl,
    pool,
    store,
    codec,
    storageRoot,
    storage,
    taskQueue,
    client: temporal.client,
    bundle,
    startWorker,
    async close() {
      await processManager.stop();
      await Promise.all([...workers].map((worker) => worker.close()));
      await closeQuietly(temporal);
      await connection.close();
      await store.close();
      await pool.end();
      await rm(storageRoot, { recursive: true, force: true });
    },
  };
}

async function closeQuietly(temporal: TemporalClient) {
  await temporal.close().catch(() => undefined);
}

export const OWNER_ID = '0b9f6c1e-4a57-4c8e-9d7b-3f2a1e6c5d40';
const OWNER: Actor = { kind: 'user', userId: OWNER_ID, role: 'user' };
const UPLOADS: Actor = { kind: 'system', process: 'uploads' };

/** A media command as the API (the owner) or the upload route would issue it. */
export function command(h: TranscodingHarness, assetId: string, actor: Actor, body: MediaCommand) {
  return execute({ store: h.store, codec: h.codec, log: h.log }, mediaAggregate, mediaStream(assetId), {
    commandId: randomUUID(),
    actor,
    now: NOW,
    command: body,
  });
}

export interface UploadSpec {
  kind: MediaKind;
  file: string;
  fileName: string;
  contentType: string;
}

/**
 * What a finished upload leaves: MediaUploadRequested, the original stored, MediaUploaded (which
 * the process manager answers by starting the saga). Returns the new asset's id.
 */
export async function upload(
  h: TranscodingHarness,
  spec: UploadSpec,
  assetId = randomUUID(),
): Promise<string> {
  await command(h, assetId, OWNER, {
    type: 'RequestUpload',
    assetId,
    kind: spec.kind,
    fileName: spec.fileName,
    contentType: spec.contentType,
    declaredSize: 100_000_000,
    maxSize: 2_000_000_000,
    expiresAt: new Date(NOW.getTime() + 10 * 60_000).toISOString(),
  });
  const key = originalKey(assetId, randomUUID());
  const { size, sha256 } = await h.storage.put(key, createReadStream(spec.file));
  await command(h, assetId, UPLOADS, {
    type: 'RecordUpload',
    storageKey: key,
    size,
    sha256,
    detectedContentType: spec.contentType,
    startedAt: NOW.toISOString(),
  });
  return assetId;
}

export function deleteAsset(h: TranscodingHarness, assetId: string) {
  return command(h, assetId, OWNER, { type: 'DeleteMedia' });
}

/** The saga's handle, once the process manager has started it. */
export async function sagaOf(h: TranscodingHarness, assetId: string) {
  const handle = h.client.workflow.getHandle<typeof transcodeMedia>(transcodingWorkflowId(assetId));
  await vi.waitFor(
    async () => {
      try {
        await handle.describe();
      } catch (error) {
        if (error instanceof WorkflowNotFoundError) throw new Error('not started yet');
        throw error;
      }
    },
    { timeout: 10_000, interval: 50 },
  );
  return handle;
}

export async function outcomeOf(h: TranscodingHarness, assetId: string): Promise<TranscodeOutcome> {
  return (await sagaOf(h, assetId)).result();
}

export async function mediaEvents(h: TranscodingHarness, assetId: string): Promise<MediaEvent[]> {
  const { events } = await loadAggregate(
    { store: h.store, codec: h.codec },
    mediaAggregate,
    mediaStream(assetId),
  );
  return events.map((loaded) => loaded.event);
}

export const eventsOfType = <Type extends MediaEvent['type']>(events: MediaEvent[], type: Type) =>
  events.filter((event): event is Extract<MediaEvent, { type: Type }> => event.type === type);

/** The files stored under the asset's renditions prefix (empty when there are none). */
export async function storedRenditions(h: TranscodingHarness, assetId: string): Promise<string[]> {
  const dir = path.join(h.storageRoot, 'media', assetId, 'renditions');
  const names = await readdir(dir).catch(() => []);
  return names.filter((name) => !name.startsWith('.')).sort();
}

/** How many attempts each run of `activityType` took, from the workflow's history (one entry per scheduling). */
export async function activityAttempts(
  handle: Awaited<ReturnType<typeof sagaOf>>,
  activityType: string,
): Promise<number[]> {
  const history = await handle.fetchHistory();
  const scheduled = new Set<string>();
  const attempts: number[] = [];
  for (const event of history.events ?? []) {
    const name = event.activityTaskScheduledEventAttributes?.activityType?.name;
    if (name === activityType && event.eventId) scheduled.add(event.eventId.toString());
    const started = event.activityTaskStartedEventAttributes;
    if (started?.scheduledEventId && scheduled.has(started.scheduledEventId.toString())) {
      attempts.push(started.attempt ?? 0);
    }
  }
  return attempts;
}

/** Waits until the asset's stream holds an event matching `match`. */
export async function waitForEvent(
  h: TranscodingHarness,
  assetId: string,
  match: (event: MediaEvent) => boolean,
  timeout = 20_000,
): Promise<void> {
  await vi.waitFor(
    async () => {
      expect((await mediaEvents(h, assetId)).some(match)).toBe(true);
    },
    { timeout, interval: 50 },
  );
}
