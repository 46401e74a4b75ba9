import type { MediaCommand } from '../../../src/domain/media/media-commands.ts';
import type { MediaEvent, MediaEventOf } from '../../../src/domain/media/media-events.ts';
import type { Manifest, Moderation, Probe, Rendition } from '../../../src/domain/media/media-values.ts';
import type { DecisionContext } from '../../../src/domain/shared/decider.ts';
import { asUser, by, theSystem } from '../support/actors.ts';

/** Fixed ids and a fixed `now`: every spec's events are fully determined. */
export const ASSET_ID = '2b8e4f10-6c3a-4d5e-8f71-0a9b8c7d6e5f';
export const OWNER_ID = '3c9f5021-7d4b-4e6f-9082-1bac9d8e7f60';
export const OTHER_ID = '4da06132-8e5c-4f70-a193-2cbd0e9f8071';
export const ADMIN_ID = '5eb17243-9f6d-4081-b2a4-3dce1f0a9182';

export const now = new Date('2025-06-02T09:30:00.000Z');
export const inTenMinutes = '2025-06-02T09:40:00.000Z';

export const owner = by(asUser(OWNER_ID), now);
export const stranger = by(asUser(OTHER_ID), now);
export const admin = by(asUser(ADMIN_ID, 'admin'), now);
export const saga: DecisionContext = by(theSystem('transcoding'), now);
export const uploads: DecisionContext = by(theSystem('uploads'), now);

export const SHA = 'a'.repeat(64);
export const OTHER_SHA = 'b'.repeat(64);
export const ORIGINAL_KEY = `media/${ASSET_ID}/original/upload-1`;

export const requestVideo = (overrides: Partial<Extract<MediaCommand, { type: 'RequestUpload' }>> = {}) =>
  ({
    type: 'RequestUpload',
    assetId: ASSET_ID,
    kind: 'video',
    fileName: 'skate-park.mp4',
    contentType: 'video/mp4',
    declaredSize: 1_000_000,
    maxSize: 2 * 1024 ** 3,
    expiresAt: inTenMinutes,
    ...overrides,
  }) satisfies MediaCommand;

export const recordUpload = (overrides: Partial<Extract<MediaCommand, { type: 'RecordUpload' }>> = {}) =>
  ({
    type: 'RecordUpload',
    storageKey: ORIGINAL_KEY,
    size: 999_000,
    sha256: SHA,
    detectedContentType: 'video/mp4',
    startedAt: now.toISOString(),
    ...overrides,
  }) satisfies MediaCommand;

export const probeFacts: Probe = {
  formatName: 'mov,mp4,m4a,3gp,3g2,mj2',
  durationSeconds: 3,
  width: 1280,
  height: 720,
  videoCodec: 'h264',
  audioCodec: 'aac',
  bitrate: 367_000,
};

export const allowed: Moderation = { checker: 'local-rules', decision: 'allowed', reasons: [] };
export const rejected: Moderation = {
  checker: 'local-rules',
  decision: 'rejected',
  reasons: ['duration above 600 s'],
};

export const rendition = (name: string, overrides: Partial<Rendition> = {}): Rendition => ({
  name,
  kind: 'video',
  storageKey: `media/${ASSET_ID}/renditions/${name}`,
  contentType: 'video/mp4',
  width: 1280,
  height: 720,
  bitrate: 2_500_000,
  durationSeconds: 3,
  size: 900_000,
  sha256: SHA,
  ...overrides,
});

export const manifest: Manifest = {
  renditions: [
    rendition('720p'),
    rendition('hls-master', { kind: 'hls', contentType: 'application/vnd.apple.mpegurl' }),
    rendition('poster-jpeg', { kind: 'thumbnail', contentType: 'image/jpeg' }),
  ],
  hlsMaster: 'hls-master',
  poster: 'poster-jpeg',
};

// ---- history --------------------------------------------------------------------------------------

export const uploadRequested = (): MediaEventOf<'MediaUploadRequested'> => ({
  type: 'MediaUploadRequested',
  data: {
    assetId: ASSET_ID,
    ownerId: OWNER_ID,
    kind: 'video',
    fileName: 'skate-park.mp4',
    contentType: 'video/mp4',
    declaredSize: 1_000_000,
    expiresAt: inTenMinutes,
  },
});

export const uploaded = (sha256 = SHA): MediaEventOf<'MediaUploaded'> => ({
  type: 'MediaUploaded',
  data: {
    assetId: ASSET_ID,
    storageKey: ORIGINAL_KEY,
    size: 999_000,
    sha256,
    detectedContentType: 'video/mp4',
  },
});

export const started = (): MediaEvent => ({ type: 'MediaProcessingStarted', data: { assetId: ASSET_ID } });
export const progressed = (
  step: MediaEventOf<'MediaProcessingProgressed'>['data']['step'],
  percent: number | null,
  detail: string | null = null,
): MediaEvent => ({ type: 'MediaProcessingProgressed', data: { assetId: ASSET_ID, step, detail, percent } });
export const probed = (): MediaEvent => ({ type: 'MediaProbed', data: { assetId: ASSET_ID, ...probeFacts } });
export const moderated = (facts: Moderation = allowed): MediaEvent => ({
  type: 'MediaModerated',
  data: { assetId: ASSET_ID, ...facts },
});
export const ready = (facts: Manifest = manifest): MediaEvent => ({
  type: 'MediaReady',
  data: { assetId: ASSET_ID, manifest: facts },
});
export const failed = (stage = 'probe', reason = 'Not a media file'): MediaEvent => ({
  type: 'MediaProcessingFailed',
  data: { assetId: ASSET_ID, stage, reason },
});
export const deleted = (deletedBy = OWNER_ID): MediaEvent => ({
  type: 'MediaDeleted',
  data: { assetId: ASSET_ID, deletedBy },
});

export const requestedAsset = (): MediaEvent[] => [uploadRequested()];
export const uploadedAsset = (): MediaEvent[] => [uploadRequested(), uploaded()];
export const processingAsset = (): MediaEvent[] => [...uploadedAsset(), started()];
export const readyAsset = (): MediaEvent[] => [...processingAsset(), probed(), moderated(), ready()];
export const failedAsset = (): MediaEvent[] => [...processingAsset(), failed()];
export const deletedAsset = (): MediaEvent[] => [...processingAsset(), deleted()];
