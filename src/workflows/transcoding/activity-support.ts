import { createReadStream, createWriteStream } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { ApplicationFailure, activityInfo, cancellationSignal, heartbeat } from '@temporalio/activity';
import { uuidv5 } from '../../commands/event-ids.ts';
import type { MediaSagaCommand } from '../../domain/media/media-commands.ts';
import { mediaAggregate } from '../../domain/media/media-decider.ts';
import type { ProcessingStep, RenditionKind } from '../../domain/media/media-values.ts';
import { mediaStream } from '../../domain/media/streams.ts';
import type { Actor } from '../../domain/shared/decider.ts';
import { MediaError } from '../../media/errors.ts';
import { ModerationUnavailable } from '../../media/moderation/moderator.ts';
import { execute, nowFrom } from '../../services/shared/command-context.ts';
import { renditionKey } from '../../storage/keys.ts';
import { commonActivityFailure } from '../activity-failures.ts';
import type { TranscodingDeps } from './deps.ts';
import { TRANSCODING_PROCESS } from './ids.ts';
import type { Rendition, SagaRef } from './types.ts';

/** Names every id the transcoding saga derives (command ids). */
const TRANSCODING_NAMESPACE = '5b0f8a0e-93c4-4f0b-8d51-6f2c3e7a9d14';

export const SAGA_ACTOR: Actor = { kind: 'system', process: TRANSCODING_PROCESS };

/** The same saga step always gets the same id: a retried activity's command appends nothing new. */
export const sagaCommandId = (saga: string, step: string) => uuidv5(`${saga}:${step}`, TRANSCODING_NAMESPACE);

/** Issues one of the saga's commands on the asset's stream, as `system:transcoding`. */
export function issue(deps: TranscodingDeps, ref: SagaRef, step: string, command: MediaSagaCommand) {
  return execute(deps, mediaAggregate, mediaStream(ref.assetId), {
    commandId: sagaCommandId(ref.sagaId, step),
    correlationId: ref.correlationId,
    causationId: ref.causationId,
    actor: SAGA_ACTOR,
    now: nowFrom(deps),
    command,
  });
}

/**
 * Runs an activity's body and turns what it throws into what Temporal should do about it: media
 * that cannot be read, a domain refusal or invalid input will fail again (non-retryable, typed so
 * the workflow can tell them apart); a cancelled activity reports the cancellation Temporal asked
 * for; anything else (ffmpeg killed, the database away) is retried by the activity's policy.
 */
export async function asActivity<T>(work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    throw activityFailure(error);
  }
}

function activityFailure(error: unknown): unknown {
  const signal = cancellationSignal();
  // Temporal expects the CancelledFailure it aborted us with, not our own wrapping of it.
  if (signal.aborted) return signal.reason;
  if (error instanceof MediaError) {
    return ApplicationFailure.create({
      message: error.reason,
      type: error.code,
      nonRetryable: !error.retryable,
      details: [{ code: error.code, ...error.details }],
    });
  }
  if (error instanceof ModerationUnavailable) {
    return ApplicationFailure.create({
      message: error.message,
      type: error.code,
      nonRetryable: !error.retryable,
    });
  }
  return commonActivityFailure(error) ?? error;
}

/**
 * Runs long work while telling Temporal the activity is alive: a heartbeat on every `beat` (the
 * SDK throttles them) and on a timer besides, for stretches where the tool says nothing (ffmpeg
 * moving the MP4 index to the front). Cancellation arrives with a heartbeat's answer, as the
 * abort of the signal handed to `work`.
 */
export async function withHeartbeat<T>(
  work: (beat: (details?: unknown) => void, signal: AbortSignal) => Promise<T>,
): Promise<T> {
  const { heartbeatTimeoutMs } = activityInfo();
  let last: unknown;
  const beat = (details?: unknown) => {
    if (details !== undefined) last = details;
    heartbeat(last);
  };
  beat();
  const timer = heartbeatTimeoutMs
    ? setInterval(() => beat(), Math.max(100, Math.floor(heartbeatTimeoutMs / 3)))
    : undefined;
  try {
    return await work(beat, cancellationSignal());
  } finally {
    if (timer) clearInterval(timer);
  }
}

/** A scratch directory for one attempt, removed afterwards whatever happens. */
export async function inWorkDir<T>(deps: TranscodingDeps, work: (dir: string) => Promise<T>): Promise<T> {
  const dir = await mkdtemp(path.join(deps.media?.workDir ?? tmpdir(), 'chronicle-transcode-'));
  try {
    return await work(dir);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/**
 * A path ffmpeg can read the object from: the object itself with a filesystem adapter, otherwise a
 * download into `workDir`. A missing original will stay missing: not retried.
 */
export async function localCopy(deps: TranscodingDeps, key: string, workDir: string, signal: AbortSignal) {
  const { storage } = deps;
  if ((await storage.stat(key)) === null) {
    throw ApplicationFailure.create({
      message: 'The uploaded file is missing from storage',
      type: 'ORIGINAL_MISSING',
      nonRetryable: true,
    });
  }
  if (storage.localPath) return storage.localPath(key);
  const target = path.join(workDir, `input-${path.basename(key)}`);
  await pipeline(await storage.get(key), createWriteStream(target), { signal });
  return target;
}

export interface StoredRendition {
  name: string;
  kind: RenditionKind;
  contentType: string;
  width?: number | null;
  height?: number | null;
  bitrate?: number | null;
  durationSeconds?: number | null;
}

/**
 * Stores a finished file as one of the asset's renditions. `put` replaces atomically, so a rerun
 * overwrites what an interrupted attempt stored and readers never see half a rendition.
 */
export async function storeRendition(
  deps: TranscodingDeps,
  assetId: string,
  source: string | Buffer,
  rendition: StoredRendition,
): Promise<Rendition> {
  const storageKey = renditionKey(assetId, rendition.name);
  const body = typeof source === 'string' ? createReadStream(source) : Readable.from([source]);
  const { size, sha256 } = await deps.storage.put(storageKey, body);
  return {
    name: rendition.name,
    kind: rendition.kind,
    storageKey,
    contentType: rendition.contentType,
    width: positiveInt(rendition.width),
    height: positiveInt(rendition.height),
    bitrate: nonNegative(rendition.bitrate),
    durationSeconds: nonNegative(rendition.durationSeconds),
    size,
    sha256,
  };
}

const positiveInt = (value: number | null | undefined) =>
  value !== null && value !== undefined && Number.isInteger(value) && value > 0 ? value : null;
const nonNegative = (value: number | null | undefined) =>
  value !== null && value !== undefined && Number.isFinite(value) && value >= 0 ? value : null;

/** The prefix every rendition of the asset is stored under (what a clean-up removes). */
export const renditionsPrefix = (assetId: string) => renditionKey(assetId, '');

/**
 * Records an activity's own progress as RecordProgress commands at each quarter (0, 25, 50, 75,
 * then 100 when done), one after the other in the background. Each quarter has its own command id,
 * so a retried attempt that reaches a quarter again appends nothing. Progress is informational:
 * a failure to record it is logged, never fails the work.
 */
export function progressRecorder(deps: TranscodingDeps, ref: SagaRef, step: ProcessingStep, detail: string) {
  const log = deps.log.child({ component: 'transcoding-activities', assetId: ref.assetId, step, detail });
  let recorded = -1;
  let chain: Promise<void> = Promise.resolve();
  const record = (percent: number) => {
    chain = chain
      .then(async () => {
        await issue(deps, ref, `progress:${step}:${detail}:${percent}`, {
          type: 'RecordProgress',
          step,
          detail,
          percent,
        });
      })
      .catch((error: unknown) => log.warn({ err: error, percent }, 'progress not recorded'));
  };
  return {
    update(percent: number | null) {
      const quarter = percent === null ? 0 : Math.min(75, Math.floor(percent / 25) * 25);
      if (quarter <= recorded) return;
      recorded = quarter;
      record(quarter);
    },
    async done(): Promise<void> {
      record(100);
      await chain;
    },
    /** Waits for what is queued (after a failure: nothing more is recorded). */
    settled: () => chain,
  };
}
