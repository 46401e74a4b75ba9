import type { EventCodec } from '../../commands/event-codec.ts';
import { type MediaEvent, mediaEventCatalogue } from '../../domain/media/media-events.ts';
import type { Projection, ReadModelWriter, Row } from '../projection.ts';
import { occurredAt } from './occurred-at.ts';

/**
 * Media assets as the API reads them: status, what the upload turned out to be, the saga's findings
 * (probe, moderation), the manifest of renditions, the last progress report and any failure.
 * `storage_key` (the original) and the manifest's keys are for delivery only, never shown.
 */
export function mediaProjection(codec: Pick<EventCodec, 'decode'>): Projection {
  return {
    name: 'media',
    version: 1,
    eventTypes: Object.keys(mediaEventCatalogue),
    tables: {
      media_assets: {
        columns: `asset_id uuid not null, owner_id uuid not null, kind text not null, status text not null,
          file_name text not null, content_type text not null, declared_size bigint not null,
          upload_expires_at timestamptz not null, size bigint, sha256 text, detected_content_type text,
          storage_key text, probe jsonb, moderation jsonb, manifest jsonb, failure jsonb, progress jsonb,
          created_at timestamptz not null, updated_at timestamptz not null, uploaded_at timestamptz,
          ready_at timestamptz, deleted_at timestamptz`,
        primaryKey: ['asset_id'],
        indexes: ['(owner_id, created_at desc, asset_id desc)', '(status, updated_at)'],
      },
    },
    async apply(recorded, writer) {
      const decoded = await codec.decode(mediaEventCatalogue, recorded);
      if (decoded) await applyMediaEvent(decoded.event, writer, occurredAt(recorded));
    },
  };
}

async function applyMediaEvent(event: MediaEvent, writer: ReadModelWriter, at: string): Promise<void> {
  const update = (changes: Row) =>
    writer.update('media_assets', { asset_id: event.data.assetId }, { ...changes, updated_at: at });
  switch (event.type) {
    case 'MediaUploadRequested': {
      const { assetId, ownerId, kind, fileName, contentType, declaredSize, expiresAt } = event.data;
      writer.upsert('media_assets', {
        asset_id: assetId,
        owner_id: ownerId,
        kind,
        status: 'requested',
        file_name: fileName,
        content_type: contentType,
        declared_size: declaredSize,
        upload_expires_at: expiresAt,
        created_at: at,
        updated_at: at,
      });
      return;
    }
    case 'MediaUploaded': {
      const { storageKey, size, sha256, detectedContentType } = event.data;
      return update({
        status: 'uploaded',
        storage_key: storageKey,
        size,
        sha256,
        detected_content_type: detectedContentType,
        uploaded_at: at,
      });
    }
    case 'MediaProcessingStarted':
      return update({ status: 'processing' });
    case 'MediaProcessingProgressed': {
      const { step, detail, percent } = event.data;
      return update({ progress: { step, detail, percent, at } });
    }
    case 'MediaProbed': {
      const { assetId: _, ...probe } = event.data;
      return update({ probe });
    }
    case 'MediaModerated': {
      const { assetId: _, ...moderation } = event.data;
      return update({ moderation: { ...moderation, at } });
    }
    case 'MediaReady':
      return update({ status: 'ready', manifest: event.data.manifest, ready_at: at });
    case 'MediaProcessingFailed': {
      const { stage, reason } = event.data;
      return update({ status: 'failed', failure: { stage, reason, at } });
    }
    case 'MediaDeleted':
      return update({ status: 'deleted', deleted_at: at });
  }
}
