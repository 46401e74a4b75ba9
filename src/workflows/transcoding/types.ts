import type {
  Manifest,
  MediaKind,
  Moderation,
  ProcessingStep,
  Rendition,
} from '../../domain/media/media-values.ts';
import type { MediaProbe } from '../../media/types.ts';
import type { TranscodingSettingsInput } from './settings.ts';

export type { Manifest, MediaKind, Moderation, ProcessingStep, Rendition };

/** What the process manager starts the saga with (from MediaUploaded). */
export interface TranscodeMediaInput {
  assetId: string;
  /** The MediaUploaded event: the cause of the saga's commands. */
  causationId?: string;
  correlationId?: string;
  settings?: TranscodingSettingsInput;
}

/** Which saga, which asset, and what to tie its commands to. */
export interface SagaRef {
  sagaId: string;
  assetId: string;
  correlationId: string;
  causationId: string;
}

/** What the saga needs to know about the upload. */
export interface AssetFacts {
  kind: MediaKind;
  fileName: string;
  contentType: string;
  storageKey: string;
}

/** What starting found: an asset to process, or one that needs nothing (deleted, processed already). */
export type StartOutcome = { start: AssetFacts } | { skip: string };

export type { MediaProbe };

/** The video ladder's MP4s, as the HLS step takes them. */
export interface VideoRendition extends Rendition {
  kind: 'video';
}

export interface HlsOutput {
  master: Rendition;
  /** The variant playlists and their segments. */
  renditions: Rendition[];
}

export type TranscodeOutcome =
  | { outcome: 'ready'; renditions: number }
  | { outcome: 'failed'; stage: string; reason: string }
  | { outcome: 'deleted' }
  | { outcome: 'skipped'; reason: string };

/** The step the saga is in, for the progress query. */
export interface TranscodingProgress {
  assetId: string;
  state: 'running' | 'ready' | 'failed' | 'deleted' | 'skipped';
  step: ProcessingStep | 'start' | null;
  /** MP4 renditions finished so far (video). */
  renditionsDone: string[];
}
