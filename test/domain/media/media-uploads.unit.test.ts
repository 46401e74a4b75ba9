import { describe, expect, it } from 'vitest';
import { mediaDecider } from '../../../src/domain/media/media-decider.ts';
import { fold } from '../../../src/domain/shared/decider.ts';
import { anIntegration, anonymous, asUser, by, theSystem } from '../support/actors.ts';
import { deciderSpec } from '../support/decider-spec.ts';
import {
  ADMIN_ID,
  ASSET_ID,
  admin,
  deleted,
  deletedAsset,
  failedAsset,
  inTenMinutes,
  now,
  OTHER_SHA,
  OWNER_ID,
  owner,
  processingAsset,
  readyAsset,
  recordUpload,
  requestedAsset,
  requestVideo,
  saga,
  stranger,
  uploaded,
  uploadedAsset,
  uploadRequested,
  uploads,
} from './media-fixtures.ts';

const spec = deciderSpec(mediaDecider);

describe('RequestUpload', () => {
  it('opens an upload owned by the user who asks', () => {
    spec.given([]).when(requestVideo(), owner).then([uploadRequested()]);
    expect(fold(mediaDecider, [uploadRequested()])).toMatchObject({
      status: 'requested',
      ownerId: OWNER_ID,
      storageKey: null,
    });
  });

  it('lets an API key upload for its owner', () => {
    spec
      .given([])
      .when(requestVideo(), by(anIntegration(OWNER_ID, ['graphql:write']), now))
      .then([uploadRequested()]);
  });

  it('is for people: the system and anonymous callers own nothing', () => {
    spec.given([]).when(requestVideo(), saga).thenThrows('FORBIDDEN', 'USER_ONLY');
    spec.given([]).when(requestVideo(), by(anonymous, now)).thenThrows('FORBIDDEN', 'USER_ONLY');
  });

  it('normalises the declared content type', () => {
    const [event] = mediaDecider.decide(
      requestVideo({ contentType: 'Video/MP4; codecs="avc1.64001f"' }),
      fold(mediaDecider, []),
      owner,
    );
    expect(event).toMatchObject({ data: { contentType: 'video/mp4' } });
  });

  it.each([
    ['video', 'image/png'],
    ['image', 'video/mp4'],
    ['audio', 'application/pdf'],
    ['image', 'image/svg+xml'],
    ['file', 'text/html'],
    ['file', 'application/x-msdownload'],
  ] as const)('refuses a %s declared as %s', (kind, contentType) => {
    spec
      .given([])
      .when(requestVideo({ kind, contentType }), owner)
      .thenThrows('VALIDATION', 'UNSUPPORTED_CONTENT_TYPE');
  });

  it.each([
    ['image', 'image/webp'],
    ['audio', 'audio/ogg'],
    ['file', 'application/pdf'],
    ['file', 'image/png'],
    ['file', 'text/csv'],
  ] as const)('accepts a %s declared as %s', (kind, contentType) => {
    const [event] = mediaDecider.decide(requestVideo({ kind, contentType }), fold(mediaDecider, []), owner);
    expect(event).toMatchObject({ data: { kind, contentType } });
  });

  it('refuses a declared size above the limit for the kind, and an empty file', () => {
    spec
      .given([])
      .when(
        requestVideo({
          declaredSize: 20 * 1024 ** 2 + 1,
          kind: 'image',
          contentType: 'image/png',
          maxSize: 20 * 1024 ** 2,
        }),
        owner,
      )
      .thenThrows('VALIDATION', 'FILE_TOO_LARGE');
    spec
      .given([])
      .when(requestVideo({ declaredSize: 0 }), owner)
      .thenThrows('VALIDATION', 'INVALID_SIZE');
    spec
      .given([])
      .when(requestVideo({ declaredSize: 1.5 }), owner)
      .thenThrows('VALIDATION', 'INVALID_SIZE');
  });

  it('refuses file names that are paths or carry control characters', () => {
    for (const fileName of [
      '../../etc/passwd',
      'a\\b.mp4',
      'clip\n.mp4',
      '',
      ' '.repeat(3),
      'x'.repeat(256),
    ]) {
      spec.given([]).when(requestVideo({ fileName }), owner).thenThrows('VALIDATION', 'INVALID_FILE_NAME');
    }
  });

  it('refuses an upload URL that would already have expired', () => {
    spec
      .given([])
      .when(requestVideo({ expiresAt: now.toISOString() }), owner)
      .thenThrows('VALIDATION', 'INVALID_EXPIRY');
  });

  it('refuses a second request for the same asset', () => {
    spec.given(requestedAsset()).when(requestVideo(), owner).thenThrows('CONFLICT', 'MEDIA_EXISTS');
  });
});

describe('RecordUpload', () => {
  it('records the stored original and what its bytes are', () => {
    spec.given(requestedAsset()).when(recordUpload(), uploads).then([uploaded()]);
    expect(fold(mediaDecider, uploadedAsset())).toMatchObject({
      status: 'uploaded',
      size: 999_000,
      sha256: expect.any(String),
      detectedContentType: 'video/mp4',
    });
  });

  it('is recorded by the upload route, never by a user', () => {
    spec.given(requestedAsset()).when(recordUpload(), owner).thenThrows('FORBIDDEN', 'SYSTEM_ONLY');
  });

  it('is single use: a second upload is refused, the same one again changes nothing', () => {
    spec
      .given(uploadedAsset())
      .when(recordUpload({ sha256: OTHER_SHA, storageKey: `media/${ASSET_ID}/original/upload-2` }), uploads)
      .thenThrows('FORBIDDEN', 'UPLOAD_URL_USED');
    spec.given(uploadedAsset()).when(recordUpload(), uploads).thenNothing();
    spec
      .given(processingAsset())
      .when(recordUpload({ sha256: OTHER_SHA }), uploads)
      .thenThrows('FORBIDDEN', 'UPLOAD_URL_USED');
  });

  it('accepts an upload that started before the URL expired, however long it took', () => {
    spec
      .given(requestedAsset())
      .when(
        recordUpload({ startedAt: inTenMinutes }),
        by(theSystem('uploads'), new Date('2025-06-02T11:00:00Z')),
      )
      .then([uploaded()]);
  });

  it('refuses an upload that started after the URL expired', () => {
    spec
      .given(requestedAsset())
      .when(recordUpload({ startedAt: '2025-06-02T09:40:00.001Z' }), uploads)
      .thenThrows('FORBIDDEN', 'UPLOAD_URL_EXPIRED');
  });

  it('refuses more bytes than declared', () => {
    spec
      .given(requestedAsset())
      .when(recordUpload({ size: 1_000_001 }), uploads)
      .thenThrows('VALIDATION', 'UPLOAD_TOO_LARGE');
  });

  it('refuses bytes that are not of the declared kind', () => {
    spec
      .given(requestedAsset())
      .when(recordUpload({ detectedContentType: 'image/png' }), uploads)
      .thenThrows('VALIDATION', 'CONTENT_TYPE_MISMATCH');
  });

  it('refuses an upload to a deleted asset', () => {
    spec
      .given([...requestedAsset(), deleted()])
      .when(recordUpload(), uploads)
      .thenThrows('CONFLICT', 'MEDIA_DELETED');
  });

  it('needs an asset', () => {
    spec.given([]).when(recordUpload(), uploads).thenThrows('NOT_FOUND', 'MEDIA_NOT_FOUND');
  });
});

describe('DeleteMedia', () => {
  it.each([
    ['requested', requestedAsset],
    ['uploaded', uploadedAsset],
    ['processing', processingAsset],
    ['ready', readyAsset],
    ['failed', failedAsset],
  ])('deletes %s media for its owner', (_status, history) => {
    spec.given(history()).when({ type: 'DeleteMedia' }, owner).then([deleted()]);
  });

  it('lets a platform admin, the owner’s API key and the system delete', () => {
    spec
      .given(readyAsset())
      .when({ type: 'DeleteMedia' }, admin)
      .then([deleted(ADMIN_ID)]);
    spec
      .given(readyAsset())
      .when({ type: 'DeleteMedia' }, by(anIntegration(OWNER_ID, ['graphql:write']), now))
      .then([deleted(OWNER_ID)]);
    spec
      .given(readyAsset())
      .when({ type: 'DeleteMedia' }, saga)
      .then([deleted('system:transcoding')]);
  });

  it('refuses anyone else', () => {
    spec.given(readyAsset()).when({ type: 'DeleteMedia' }, stranger).thenThrows('FORBIDDEN', 'NOT_OWNER');
    spec
      .given(readyAsset())
      .when({ type: 'DeleteMedia' }, by(asUser(OWNER_ID.replace('3c9f', '0000'), 'moderator'), now))
      .thenThrows('FORBIDDEN', 'NOT_OWNER');
    spec
      .given(readyAsset())
      .when({ type: 'DeleteMedia' }, by(anonymous, now))
      .thenThrows('FORBIDDEN', 'NOT_OWNER');
  });

  it('is terminal: deleting again changes nothing, other commands are refused', () => {
    spec.given(deletedAsset()).when({ type: 'DeleteMedia' }, owner).thenNothing();
    spec.given(deletedAsset()).when(requestVideo(), owner).thenThrows('CONFLICT', 'MEDIA_EXISTS');
    expect(fold(mediaDecider, deletedAsset())).toMatchObject({ status: 'deleted' });
  });

  it('still checks who asks when already deleted', () => {
    spec.given(deletedAsset()).when({ type: 'DeleteMedia' }, stranger).thenThrows('FORBIDDEN', 'NOT_OWNER');
  });

  it('needs an asset', () => {
    spec.given([]).when({ type: 'DeleteMedia' }, owner).thenThrows('NOT_FOUND', 'MEDIA_NOT_FOUND');
  });
});
