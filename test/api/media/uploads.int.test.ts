import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { Readable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readStreamOrEmpty } from '../../../src/commands/load-aggregate.ts';
import { mediaStream } from '../../../src/domain/media/streams.ts';
import { type MediaFixtures, mediaFixtures } from '../../support/media-fixtures.ts';
import { errorCodes } from '../support/identity-app.ts';
import { makeAdmin, registerAndSignIn, type TestUser } from '../support/identity-operations.ts';
import { type MediaApp, mediaOf, REQUEST_UPLOAD, requestUpload, startMediaApp } from './support.ts';

const sha256 = (bytes: Buffer) => createHash('sha256').update(bytes).digest('hex');

let api: MediaApp;
let owner: TestUser;
let fixtures: MediaFixtures;
let video: Buffer;
let png: Buffer;
let wav: Buffer;

beforeAll(async () => {
  [api, fixtures] = await Promise.all([startMediaApp({ uploadUrlTtlMs: 10 * 60_000 }), mediaFixtures()]);
  owner = await registerAndSignIn(api, 'Owner');
  [video, png, wav] = await Promise.all([
    readFile(fixtures.video720p),
    readFile(fixtures.png),
    readFile(fixtures.wav),
  ]);
});
afterAll(async () => {
  await api?.close();
});

const videoUpload = (size = video.length) =>
  requestUpload(api, owner.accessToken, {
    kind: 'VIDEO',
    fileName: 'testsrc.mp4',
    contentType: 'video/mp4',
    size,
  });

const filesOf = async (assetId: string) => (await api.storedFiles()).filter((file) => file.includes(assetId));

describe('requestUpload', () => {
  it('returns a signed upload URL that expires in 10 minutes', async () => {
    const before = api.clock.now().getTime();
    const ticket = await videoUpload();
    expect(ticket.uploadUrl).toMatch(new RegExp(`^/uploads/${ticket.assetId}\\.\\d+\\.[A-Za-z0-9_-]{43}$`));
    expect(Date.parse(ticket.expiresAt) - before).toBeGreaterThanOrEqual(10 * 60_000 - 1);
    expect(Date.parse(ticket.expiresAt) - before).toBeLessThan(10 * 60_000 + 5_000);
    expect(ticket.maxSize).toBe(video.length);
    // The API's own URL: no headers to sign, and the PUT itself records the upload.
    expect(ticket).toMatchObject({ headers: [], confirmRequired: false });
    const media = await mediaOf(api, owner.accessToken, ticket.assetId);
    expect(media).toMatchObject({
      status: 'REQUESTED',
      kind: 'VIDEO',
      ownerId: owner.id,
      declaredSize: video.length,
      size: null,
      originalUrl: null,
    });
  });

  it('gives the same asset and URL back for a retried request (idempotency key)', async () => {
    const input = {
      kind: 'AUDIO',
      fileName: 'voice.wav',
      contentType: 'audio/wav',
      size: wav.length,
      key: 'voice-note-0001',
    };
    const first = await requestUpload(api, owner.accessToken, input);
    const again = await requestUpload(api, owner.accessToken, input);
    expect(again).toEqual(first);
  });

  it('checks the declared type against the kind, and the size against the kind’s limit', async () => {
    const ask = (kind: string, contentType: string, size: number) =>
      api.gql(REQUEST_UPLOAD, { kind, fileName: 'x', contentType, size }, owner.accessToken);
    expect(errorCodes(await ask('IMAGE', 'video/mp4', 10))).toEqual(['VALIDATION/UNSUPPORTED_CONTENT_TYPE']);
    expect(errorCodes(await ask('FILE', 'text/html', 10))).toEqual(['VALIDATION/UNSUPPORTED_CONTENT_TYPE']);
    expect(errorCodes(await ask('IMAGE', 'image/png', 20 * 1024 ** 2 + 1))).toEqual([
      'VALIDATION/FILE_TOO_LARGE',
    ]);
    expect(errorCodes(await ask('VIDEO', 'video/mp4', 2 * 1024 ** 3 + 1))).toEqual([
      'VALIDATION/FILE_TOO_LARGE',
    ]);
    expect(errorCodes(await ask('VIDEO', 'video/mp4', 2 * 1024 ** 3))).toEqual([]);
    expect(errorCodes(await ask('AUDIO', 'audio/wav', 0))).toEqual(['VALIDATION/INVALID_SIZE']);
  });

  it('is for signed-in callers', async () => {
    const response = await api.gql(REQUEST_UPLOAD, {
      kind: 'IMAGE',
      fileName: 'a.png',
      contentType: 'image/png',
      size: 10,
    });
    expect(errorCodes(response)).toEqual(['UNAUTHENTICATED/SIGN_IN_REQUIRED']);
  });
});

describe('confirmUpload', () => {
  it('is not needed without direct uploads: the owner is told so, anyone else that there is no such media', async () => {
    const ticket = await videoUpload();
    const confirm = `mutation ($id: ID!) { confirmUpload(id: $id) { id } }`;
    expect(errorCodes(await api.gql(confirm, { id: ticket.assetId }, owner.accessToken))).toEqual([
      'CONFLICT/NOT_A_DIRECT_UPLOAD',
    ]);
    const stranger = await registerAndSignIn(api, 'Stranger');
    expect(errorCodes(await api.gql(confirm, { id: ticket.assetId }, stranger.accessToken))).toEqual([
      'NOT_FOUND/MEDIA_NOT_FOUND',
    ]);
  });
});

describe('PUT /uploads/:token', () => {
  it('stores the body, records MediaUploaded, and the read model says uploaded', async () => {
    const ticket = await videoUpload();
    const response = await api.put(ticket.uploadUrl, video, { 'content-type': 'video/mp4' });
    expect(response.statusCode).toBe(200);
    expect(response.headers.etag).toBe(`"${sha256(video)}"`);
    expect(response.json()).toEqual({
      assetId: ticket.assetId,
      size: video.length,
      sha256: sha256(video),
      contentType: 'video/mp4',
    });
    const events = await readStreamOrEmpty(api.runtime.store, mediaStream(ticket.assetId));
    expect(events.map((event) => event.type)).toEqual(['MediaUploadRequested', 'MediaUploaded']);
    expect(events[1]?.metadata.actor).toBe('system:uploads');
    const media = await mediaOf(api, owner.accessToken, ticket.assetId);
    expect(media).toMatchObject({
      status: 'UPLOADED',
      size: video.length,
      sha256: sha256(video),
      detectedContentType: 'video/mp4',
    });
    const [stored, ...others] = await filesOf(ticket.assetId);
    expect(others).toEqual([]);
    expect(stored).toMatch(new RegExp(`^media/${ticket.assetId}/original/[0-9a-f-]{36}$`));
    expect((await readFile(`${api.mediaDir}/${stored}`)).equals(video)).toBe(true);
  });

  it('takes the body as it is whatever its content type says (no parsing, no 100 KiB limit)', async () => {
    const ticket = await videoUpload();
    expect(video.length).toBeGreaterThan(100 * 1024);
    const response = await api.put(ticket.uploadUrl, video, { 'content-type': 'application/json' });
    expect(response.statusCode).toBe(200);
  });

  it('takes a body sent without a content type', async () => {
    const ticket = await videoUpload();
    const response = await api.app.inject({ method: 'PUT', url: ticket.uploadUrl, payload: video });
    expect(response.statusCode).toBe(200);
  });

  it('records what the bytes are: a PNG declared as JPEG is a PNG', async () => {
    const ticket = await requestUpload(api, owner.accessToken, {
      kind: 'IMAGE',
      fileName: 'photo.jpg',
      contentType: 'image/jpeg',
      size: png.length,
    });
    expect((await api.put(ticket.uploadUrl, png)).json()).toMatchObject({ contentType: 'image/png' });
  });

  it('refuses a body larger than declared with 413 and keeps nothing', async () => {
    const ticket = await videoUpload(video.length - 1);
    const announced = await api.put(ticket.uploadUrl, video);
    expect(announced.statusCode).toBe(413);
    expect(announced.json()).toMatchObject({ code: 'VALIDATION', reason: 'UPLOAD_TOO_LARGE' });
    // Without a Content-Length the body is cut off as it streams in: one byte too many is enough.
    const oneTooMany = await api.put(ticket.uploadUrl, Readable.from(chunks(video, 16 * 1024)));
    expect(oneTooMany.statusCode).toBe(413);
    // Far too many: refused long before the end, and the connection is not read further.
    const small = await videoUpload(20_000);
    const streamed = await api.put(small.uploadUrl, Readable.from(chunks(video, 16 * 1024)));
    expect(streamed.statusCode).toBe(413);
    expect(streamed.headers.connection).toBe('close');
    expect(await filesOf(small.assetId)).toEqual([]);
    expect(await filesOf(ticket.assetId)).toEqual([]);
    expect(await api.storedFiles()).not.toContainEqual(expect.stringMatching(/\.tmp$/));
    expect((await mediaOf(api, owner.accessToken, ticket.assetId)).status).toBe('REQUESTED');
  });

  it('refuses bytes that are not of the declared kind with 415 and keeps nothing', async () => {
    const image = await requestUpload(api, owner.accessToken, {
      kind: 'IMAGE',
      fileName: 'not-an-image.png',
      contentType: 'image/png',
      size: wav.length,
    });
    const response = await api.put(image.uploadUrl, Readable.from(chunks(wav, 8 * 1024)));
    expect(response.statusCode).toBe(415);
    expect(response.json()).toMatchObject({ code: 'VALIDATION', reason: 'CONTENT_TYPE_MISMATCH' });
    const pdf = await requestUpload(api, owner.accessToken, {
      kind: 'FILE',
      fileName: 'report.pdf',
      contentType: 'application/pdf',
      size: png.length,
    });
    expect((await api.put(pdf.uploadUrl, png)).statusCode).toBe(415);
    expect([...(await filesOf(image.assetId)), ...(await filesOf(pdf.assetId))]).toEqual([]);
  });

  it('refuses an expired upload URL with 403', async () => {
    const ticket = await requestUpload(api, owner.accessToken, {
      kind: 'AUDIO',
      fileName: 'voice.wav',
      contentType: 'audio/wav',
      size: wav.length,
    });
    api.clock.advance(10 * 60_000 + 1_000);
    try {
      const response = await api.put(ticket.uploadUrl, wav);
      expect(response.statusCode).toBe(403);
      expect(response.json()).toMatchObject({ code: 'FORBIDDEN', reason: 'UPLOAD_URL_EXPIRED' });
    } finally {
      api.clock.advance(-(10 * 60_000 + 1_000));
    }
    expect(await filesOf(ticket.assetId)).toEqual([]);
  });

  it('accepts an upload URL once: a second PUT gets 403 and the first upload stays', async () => {
    const ticket = await requestUpload(api, owner.accessToken, {
      kind: 'IMAGE',
      fileName: 'pattern.png',
      contentType: 'image/png',
      size: png.length,
    });
    expect((await api.put(ticket.uploadUrl, png)).statusCode).toBe(200);
    const reused = await api.put(ticket.uploadUrl, png);
    expect(reused.statusCode).toBe(403);
    expect(reused.json()).toMatchObject({ code: 'FORBIDDEN', reason: 'UPLOAD_URL_USED' });
    expect(await filesOf(ticket.assetId)).toHaveLength(1);
    expect((await mediaOf(api, owner.accessToken, ticket.assetId)).sha256).toBe(sha256(png));
  });

  it('lets one of two racing PUTs with one URL win; the other’s bytes are not kept', async () => {
    const ticket = await requestUpload(api, owner.accessToken, {
      kind: 'IMAGE',
      fileName: 'pattern.png',
      contentType: 'image/png',
      size: png.length,
    });
    const statuses = (
      await Promise.all([api.put(ticket.uploadUrl, png), api.put(ticket.uploadUrl, png)])
    ).map((response) => response.statusCode);
    expect(statuses.sort()).toEqual([200, 403]);
    expect(await filesOf(ticket.assetId)).toHaveLength(1);
  });

  it('refuses a forged or mangled token with 403', async () => {
    const ticket = await videoUpload();
    const forged = ticket.uploadUrl.replace(
      /\.(\d+)\./,
      (_match, expires: string) => `.${Number(expires) + 60_000}.`,
    );
    for (const url of [forged, `${ticket.uploadUrl.slice(0, -2)}xx`, '/uploads/nonsense']) {
      const response = await api.put(url, video);
      expect(response.statusCode).toBe(403);
      expect(response.json()).toMatchObject({ reason: 'UPLOAD_URL_INVALID' });
    }
    expect(await filesOf(ticket.assetId)).toEqual([]);
  });

  it('refuses an empty upload', async () => {
    const ticket = await requestUpload(api, owner.accessToken, {
      kind: 'FILE',
      fileName: 'notes.txt',
      contentType: 'text/plain',
      size: 10,
    });
    const response = await api.put(ticket.uploadUrl, Buffer.alloc(0));
    expect(response.statusCode).toBe(400);
    expect(response.json()).toMatchObject({ reason: 'EMPTY_UPLOAD' });
    expect(await filesOf(ticket.assetId)).toEqual([]);
  });
});

describe('media(id)', () => {
  it('is for the owner and admins', async () => {
    const ticket = await videoUpload();
    const stranger = await registerAndSignIn(api, 'Stranger');
    const admin = await makeAdmin(api);
    expect(
      (
        await api.gql(
          `query ($id: ID!) { media(id: $id) { id } }`,
          { id: ticket.assetId },
          stranger.accessToken,
        )
      ).data,
    ).toEqual({
      media: null,
    });
    expect((await mediaOf(api, admin.accessToken, ticket.assetId)).id).toBe(ticket.assetId);
  });
});

function* chunks(bytes: Buffer, size: number) {
  for (let start = 0; start < bytes.length; start += size) yield bytes.subarray(start, start + size);
}
