import type { MediaEvent, MediaEventOf } from './media-events.ts';
import type { Manifest, MediaKind, MediaStatus, Moderation, Probe, ProcessingStep } from './media-values.ts';

export interface MediaAsset {
  status: MediaStatus;
  assetId: string;
  ownerId: string;
  kind: MediaKind;
  fileName: string;
  /** As declared when the upload was requested. */
  contentType: string;
  declaredSize: number;
  expiresAt: string;
  /** Set once uploaded: where the original is, how big it is, its digest and what it really is. */
  storageKey: string | null;
  size: number | null;
  sha256: string | null;
  detectedContentType: string | null;
  probe: Probe | null;
  moderation: Moderation | null;
  manifest: Manifest | null;
  failure: { stage: string; reason: string } | null;
  /** The last progress reported per step and detail (`step|detail` → percent), to drop repeats. */
  progress: Readonly<Record<string, number | null>>;
}

export type MediaState = { status: 'none' } | MediaAsset;

export const initialMediaState: MediaState = { status: 'none' };

export const progressKey = (step: ProcessingStep, detail: string | null) => `${step}|${detail ?? ''}`;

export function evolveMedia(state: MediaState, event: MediaEvent): MediaState {
  if (event.type === 'MediaUploadRequested') return requested(event);
  if (state.status === 'none') return state;
  return evolveAsset(state, event);
}

function requested({ data }: MediaEventOf<'MediaUploadRequested'>): MediaAsset {
  return {
    ...data,
    status: 'requested',
    storageKey: null,
    size: null,
    sha256: null,
    detectedContentType: null,
    probe: null,
    moderation: null,
    manifest: null,
    failure: null,
    progress: {},
  };
}

function evolveAsset(asset: MediaAsset, event: MediaEvent): MediaAsset {
  switch (event.type) {
    case 'MediaUploaded': {
      const { storageKey, size, sha256, detectedContentType } = event.data;
      return { ...asset, status: 'uploaded', storageKey, size, sha256, detectedContentType };
    }
    case 'MediaProcessingStarted':
      return { ...asset, status: 'processing' };
    case 'MediaProcessingProgressed': {
      const { step, detail, percent } = event.data;
      return { ...asset, progress: { ...asset.progress, [progressKey(step, detail)]: percent } };
    }
    case 'MediaProbed': {
      const { assetId: _, ...probe } = event.data;
      return { ...asset, probe };
    }
    case 'MediaModerated': {
      const { assetId: _, ...moderation } = event.data;
      return { ...asset, moderation };
    }
    case 'MediaReady':
      return { ...asset, status: 'ready', manifest: event.data.manifest };
    case 'MediaProcessingFailed': {
      const { stage, reason } = event.data;
      return { ...asset, status: 'failed', failure: { stage, reason } };
    }
    case 'MediaDeleted':
      return { ...asset, status: 'deleted' };
    default:
      return asset;
  }
}
