import { z } from 'zod';
import type { EventCatalogue } from '../shared/event-catalogue.ts';
import {
  actorRef,
  byteSize,
  contentType,
  failureReason,
  failureStage,
  fileName,
  manifest,
  mediaKind,
  moderation,
  PROCESSING_STEPS,
  probe,
  progressDetail,
  progressPercent,
  sha256Hex,
  storageKey,
} from './media-values.ts';

const assetId = z.uuid();

/**
 * A media asset (video, image, audio, file): requested, uploaded through a signed URL, processed
 * by the transcoding saga into renditions, deleted. Storage keys never leave the backend.
 */
export const mediaEventSchemas = {
  MediaUploadRequested: z.object({
    assetId,
    ownerId: z.uuid(),
    kind: mediaKind,
    fileName,
    contentType,
    declaredSize: byteSize.min(1),
    /** Until when the upload URL is accepted. */
    expiresAt: z.iso.datetime(),
  }),
  /** `detectedContentType` is what the bytes are, as sniffed; the object is stored before this is. */
  MediaUploaded: z.object({
    assetId,
    storageKey,
    size: byteSize,
    sha256: sha256Hex,
    detectedContentType: contentType,
  }),
  MediaProcessingStarted: z.object({ assetId }),
  MediaProcessingProgressed: z.object({
    assetId,
    step: z.enum(PROCESSING_STEPS),
    detail: progressDetail,
    percent: progressPercent,
  }),
  MediaProbed: probe.extend({ assetId }),
  MediaModerated: moderation.extend({ assetId }),
  MediaReady: z.object({ assetId, manifest }),
  MediaProcessingFailed: z.object({ assetId, stage: failureStage, reason: failureReason }),
  MediaDeleted: z.object({ assetId, deletedBy: actorRef }),
};

type Schemas = typeof mediaEventSchemas;
export type MediaEvent = {
  [Type in keyof Schemas]: { type: Type; data: z.infer<Schemas[Type]> };
}[keyof Schemas];
export type MediaEventOf<Type extends MediaEvent['type']> = Extract<MediaEvent, { type: Type }>;

/** Storage keys are how the backend finds bytes: integrators see everything else. */
const PRIVATE_FIELDS = new Set(['storageKey']);

const definition = <Type extends MediaEvent['type'], Shape extends z.ZodRawShape>(
  type: Type,
  schema: z.ZodObject<Shape>,
) => ({
  type,
  schemaVersion: 1,
  schema,
  publicFields: Object.keys(schema.shape).filter((field) => !PRIVATE_FIELDS.has(field)),
});

export const mediaEventCatalogue: EventCatalogue<MediaEvent> = {
  MediaUploadRequested: definition('MediaUploadRequested', mediaEventSchemas.MediaUploadRequested),
  MediaUploaded: definition('MediaUploaded', mediaEventSchemas.MediaUploaded),
  MediaProcessingStarted: definition('MediaProcessingStarted', mediaEventSchemas.MediaProcessingStarted),
  MediaProcessingProgressed: definition(
    'MediaProcessingProgressed',
    mediaEventSchemas.MediaProcessingProgressed,
  ),
  MediaProbed: definition('MediaProbed', mediaEventSchemas.MediaProbed),
  MediaModerated: definition('MediaModerated', mediaEventSchemas.MediaModerated),
  // The manifest's renditions carry storage keys inside; a top-level filter cannot drop them, so
  // integrators get the asset id and fetch renditions (signed URLs) through the API.
  MediaReady: { ...definition('MediaReady', mediaEventSchemas.MediaReady), publicFields: ['assetId'] },
  MediaProcessingFailed: definition('MediaProcessingFailed', mediaEventSchemas.MediaProcessingFailed),
  MediaDeleted: definition('MediaDeleted', mediaEventSchemas.MediaDeleted),
};
