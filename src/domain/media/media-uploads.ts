import { z } from 'zod';
import { validOr } from '../brands/validate.ts';
import type { DecisionContext } from '../shared/decider.ts';
import { conflict, forbidden, validation } from '../shared/domain-error.ts';
import { acceptsDeclared, fitsKind, normaliseContentType } from './content-types.ts';
import type { MediaUserCommand, RecordUploadCommand } from './media-commands.ts';
import type { MediaEvent } from './media-events.ts';
import { deleterOf, mediaDeleted, requireSystem, uploaderOf } from './media-policy.ts';
import type { MediaAsset, MediaState } from './media-state.ts';
import { byteSize, contentType, fileName, mediaKind, sha256Hex, storageKey } from './media-values.ts';

type UserCommandOf<Type extends MediaUserCommand['type']> = Extract<MediaUserCommand, { type: Type }>;

const instant = z.iso.datetime({ offset: true });

/**
 * Opens an upload: the declared type must suit the kind and the declared size the kind's limit.
 * The bytes are checked again when they arrive (RecordUpload).
 */
export function requestUpload(
  command: UserCommandOf<'RequestUpload'>,
  state: MediaState,
  { actor, now }: DecisionContext,
): MediaEvent[] {
  const ownerId = uploaderOf(actor);
  if (state.status !== 'none') throw conflict('MEDIA_EXISTS', 'This media asset already exists');
  const kind = validOr(mediaKind, command.kind, 'INVALID_KIND', 'media kind');
  const name = validOr(fileName, command.fileName, 'INVALID_FILE_NAME', 'file name');
  const type = validOr(
    contentType,
    normaliseContentType(command.contentType),
    'INVALID_CONTENT_TYPE',
    'content type',
  );
  if (!acceptsDeclared(kind, type)) {
    throw validation('UNSUPPORTED_CONTENT_TYPE', `A ${kind} cannot be of type ${type}`, {
      kind,
      contentType: type,
    });
  }
  const size = validOr(byteSize.min(1), command.declaredSize, 'INVALID_SIZE', 'size');
  if (size > command.maxSize) {
    throw validation('FILE_TOO_LARGE', `A ${kind} may be at most ${command.maxSize} bytes`, {
      kind,
      maxSize: command.maxSize,
    });
  }
  const expiresAt = new Date(validOr(instant, command.expiresAt, 'INVALID_EXPIRY', 'expiry'));
  if (expiresAt.getTime() <= now.getTime()) {
    throw validation('INVALID_EXPIRY', 'An upload URL must expire in the future');
  }
  return [
    {
      type: 'MediaUploadRequested',
      data: {
        assetId: command.assetId,
        ownerId,
        kind,
        fileName: name,
        contentType: type,
        declaredSize: size,
        expiresAt: expiresAt.toISOString(),
      },
    },
  ];
}

/**
 * Records the stored original. The upload URL is single use: once an upload is recorded, another
 * is refused (FORBIDDEN, as for an expired URL); recording the very same object again is a retry
 * and decides nothing.
 */
export function recordUpload(
  command: RecordUploadCommand,
  asset: MediaAsset,
  { actor }: DecisionContext,
): MediaEvent[] {
  requireSystem(actor, 'uploads');
  if (asset.status === 'deleted') throw mediaDeleted();
  if (asset.status !== 'requested') {
    if (asset.storageKey === command.storageKey && asset.sha256 === command.sha256) return [];
    throw forbidden('UPLOAD_URL_USED', 'This upload URL has already been used');
  }
  const startedAt = validOr(instant, command.startedAt, 'INVALID_START', 'upload start');
  if (Date.parse(startedAt) > Date.parse(asset.expiresAt)) {
    throw forbidden('UPLOAD_URL_EXPIRED', 'This upload URL has expired', { expiresAt: asset.expiresAt });
  }
  const size = validOr(byteSize.min(1), command.size, 'INVALID_SIZE', 'size');
  if (size > asset.declaredSize) {
    throw validation('UPLOAD_TOO_LARGE', 'The upload is larger than the size declared', {
      declaredSize: asset.declaredSize,
    });
  }
  const detected = validOr(contentType, command.detectedContentType, 'INVALID_CONTENT_TYPE', 'content type');
  if (!fitsKind(asset.kind, detected)) {
    throw validation('CONTENT_TYPE_MISMATCH', `The uploaded bytes are not a ${asset.kind}`, {
      kind: asset.kind,
      detectedContentType: detected,
    });
  }
  return [
    {
      type: 'MediaUploaded',
      data: {
        assetId: asset.assetId,
        storageKey: validOr(storageKey, command.storageKey, 'INVALID_STORAGE_KEY', 'storage key'),
        size,
        sha256: validOr(sha256Hex, command.sha256, 'INVALID_SHA256', 'digest'),
        detectedContentType: detected,
      },
    },
  ];
}

/** Deleting is for good; deleting again decides nothing. */
export function deleteMedia(asset: MediaAsset, { actor }: DecisionContext): MediaEvent[] {
  const deletedBy = deleterOf(asset, actor);
  if (asset.status === 'deleted') return [];
  return [{ type: 'MediaDeleted', data: { assetId: asset.assetId, deletedBy } }];
}
