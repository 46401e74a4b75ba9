import type { Manifest, MediaKind, Moderation, Probe, ProcessingStep } from './media-values.ts';

/** Commands people issue through the API (RequestUpload, DeleteMedia). */
export type MediaUserCommand =
  /**
   * The owner is the actor (an API key's owner). `maxSize` is the configured limit for the kind
   * (the service looks it up); `expiresAt` is when the upload URL stops being accepted.
   */
  | {
      type: 'RequestUpload';
      assetId: string;
      kind: MediaKind;
      fileName: string;
      contentType: string;
      declaredSize: number;
      maxSize: number;
      expiresAt: string;
    }
  /** The owner or a platform admin. */
  | { type: 'DeleteMedia' };

/**
 * Issued by the upload route (actor `system:uploads`) once the object is stored: the upload URL is
 * a capability the route has checked, so no user acts here. `startedAt` is when the upload request
 * arrived: a long upload that started before the URL expired is still accepted.
 */
export interface RecordUploadCommand {
  type: 'RecordUpload';
  storageKey: string;
  size: number;
  sha256: string;
  detectedContentType: string;
  startedAt: string;
}

/**
 * Commands the transcoding saga issues (actor kind `system`). Repeating one whose fact is already
 * recorded decides nothing, so activities may retry.
 */
export type MediaSagaCommand =
  | { type: 'StartProcessing' }
  | { type: 'RecordProgress'; step: ProcessingStep; detail?: string | null; percent?: number | null }
  | ({ type: 'RecordProbe' } & Probe)
  | ({ type: 'RecordModeration' } & Moderation)
  | { type: 'MarkReady'; manifest: Manifest }
  | { type: 'FailProcessing'; stage: string; reason: string };

export type MediaCommand = MediaUserCommand | RecordUploadCommand | MediaSagaCommand;
