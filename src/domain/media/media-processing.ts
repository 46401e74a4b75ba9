import { deepEqual, validOr } from '../brands/validate.ts';
import type { DecisionContext } from '../shared/decider.ts';
import { conflict, validation } from '../shared/domain-error.ts';
import type { MediaSagaCommand } from './media-commands.ts';
import type { MediaEvent } from './media-events.ts';
import { mediaDeleted, requireSystem } from './media-policy.ts';
import { type MediaAsset, progressKey } from './media-state.ts';
import {
  failureReason,
  failureStage,
  type Manifest,
  manifest as manifestSchema,
  moderation as moderationSchema,
  ORIGINAL_RENDITION,
  probe as probeSchema,
  progressDetail,
  progressPercent,
} from './media-values.ts';

type SagaCommandOf<Type extends MediaSagaCommand['type']> = Extract<MediaSagaCommand, { type: Type }>;

/**
 * The transcoding saga's commands. Each first answers "already recorded?" (then it decides
 * nothing, so an activity may retry) and only then "may this happen now?". Once the asset is
 * deleted, progress and failure reports are dropped (the saga is winding down) and the rest refused.
 */
export function decideForProcessing(
  command: MediaSagaCommand,
  asset: MediaAsset,
  { actor }: DecisionContext,
): MediaEvent[] {
  requireSystem(actor, 'media processing');
  if (asset.status === 'deleted') {
    if (command.type === 'RecordProgress' || command.type === 'FailProcessing') return [];
    throw mediaDeleted();
  }
  const { assetId } = asset;
  switch (command.type) {
    case 'StartProcessing':
      if (asset.status === 'requested') throw notUploaded();
      return asset.status === 'uploaded' ? [{ type: 'MediaProcessingStarted', data: { assetId } }] : [];
    case 'RecordProgress':
      return recordProgress(command, asset);
    case 'RecordProbe': {
      const { type: _, ...raw } = command;
      const probe = validOr(probeSchema, raw, 'INVALID_PROBE', 'probe');
      if (asset.probe) return same(asset.probe, probe, 'PROBE_RECORDED', 'A different probe is recorded');
      requireProcessing(asset);
      return [{ type: 'MediaProbed', data: { assetId, ...probe } }];
    }
    case 'RecordModeration': {
      const { type: _, ...raw } = command;
      const moderation = validOr(moderationSchema, raw, 'INVALID_MODERATION', 'moderation');
      if (asset.moderation) {
        return same(
          asset.moderation,
          moderation,
          'MODERATION_RECORDED',
          'A different moderation is recorded',
        );
      }
      requireProcessing(asset);
      return [{ type: 'MediaModerated', data: { assetId, ...moderation } }];
    }
    case 'MarkReady':
      return markReady(command, asset);
    case 'FailProcessing':
      return failProcessing(command, asset);
    default: {
      const unknown: never = command;
      throw new Error(`Unknown media processing command ${JSON.stringify(unknown)}`);
    }
  }
}

/** Progress is reported while processing and during the clean-up after a failure or success. */
function recordProgress(command: SagaCommandOf<'RecordProgress'>, asset: MediaAsset): MediaEvent[] {
  if (asset.status === 'requested' || asset.status === 'uploaded') {
    throw conflict('NOT_PROCESSING', 'This media is not being processed', { status: asset.status });
  }
  const detail = validOr(progressDetail, command.detail ?? null, 'INVALID_DETAIL', 'progress detail');
  const percent = validOr(progressPercent, command.percent ?? null, 'INVALID_PERCENT', 'progress percent');
  const key = progressKey(command.step, detail);
  if (Object.hasOwn(asset.progress, key) && asset.progress[key] === percent) return [];
  return [
    {
      type: 'MediaProcessingProgressed',
      data: { assetId: asset.assetId, step: command.step, detail, percent },
    },
  ];
}

function markReady(command: SagaCommandOf<'MarkReady'>, asset: MediaAsset): MediaEvent[] {
  const manifest = validManifest(command.manifest);
  if (asset.status === 'ready') {
    return same(asset.manifest, manifest, 'ALREADY_READY', 'This media is ready with other renditions');
  }
  if (asset.status === 'failed') throw conflict('PROCESSING_FAILED', 'Processing this media failed');
  requireProcessing(asset);
  if (asset.moderation?.decision === 'rejected') {
    throw conflict('MODERATION_REJECTED', 'Moderation rejected this media', {
      reasons: asset.moderation.reasons,
    });
  }
  return [{ type: 'MediaReady', data: { assetId: asset.assetId, manifest } }];
}

/** The first failure recorded stands; a repeated or later one decides nothing. */
function failProcessing(command: SagaCommandOf<'FailProcessing'>, asset: MediaAsset): MediaEvent[] {
  if (asset.status === 'failed') return [];
  if (asset.status === 'ready') throw conflict('ALREADY_READY', 'This media is ready');
  if (asset.status === 'requested') throw notUploaded();
  const stage = validOr(failureStage, command.stage, 'INVALID_STAGE', 'failure stage');
  const reason = validOr(failureReason, command.reason, 'INVALID_REASON', 'failure reason');
  return [{ type: 'MediaProcessingFailed', data: { assetId: asset.assetId, stage, reason } }];
}

/**
 * Rendition names are unique and never `original` (the upload's own name); the master playlist
 * and the poster name renditions of the manifest.
 */
function validManifest(raw: Manifest): Manifest {
  const manifest = validOr(manifestSchema, raw, 'INVALID_MANIFEST', 'manifest');
  const names = manifest.renditions.map((rendition) => rendition.name);
  const invalid = (message: string, details: Record<string, unknown>) =>
    validation('INVALID_MANIFEST', message, details);
  if (names.includes(ORIGINAL_RENDITION)) {
    throw invalid(`"${ORIGINAL_RENDITION}" names the upload itself`, { name: ORIGINAL_RENDITION });
  }
  const duplicates = names.filter((name, index) => names.indexOf(name) !== index);
  if (duplicates.length > 0) throw invalid('Rendition names must be unique', { duplicates });
  for (const [field, name] of [
    ['hlsMaster', manifest.hlsMaster],
    ['poster', manifest.poster],
  ] as const) {
    if (name !== null && !names.includes(name)) throw invalid(`${field} names no rendition`, { field, name });
  }
  return manifest;
}

function requireProcessing(asset: MediaAsset): void {
  switch (asset.status) {
    case 'processing':
      return;
    case 'requested':
    case 'uploaded':
      throw conflict('NOT_PROCESSING', 'This media is not being processed', { status: asset.status });
    default:
      throw conflict('PROCESSING_ENDED', `Processing this media has ended (${asset.status})`, {
        status: asset.status,
      });
  }
}

/** An idempotent repeat decides nothing; a different fact where one is recorded is a conflict. */
function same(recorded: unknown, given: unknown, reason: string, message: string): MediaEvent[] {
  if (deepEqual(recorded, given)) return [];
  throw conflict(reason, message);
}

const notUploaded = () => conflict('NOT_UPLOADED', 'Nothing has been uploaded for this media yet');
