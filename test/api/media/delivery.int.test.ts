import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { Readable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Manifest, Rendition } from '../../../src/domain/media/media-values.ts';
import { renditionKey } from '../../../src/storage/keys.ts';
import { type MediaFixtures, mediaFixtures } from '../../support/media-fixtures.ts';
import { errorCodes } from '../support/identity-app.ts';
import { makeAdmin, registerAndSignIn, type TestUser } from '../support/identity-operations.ts';
import {
  DELETE_MEDIA,
  type MediaApp,
  type MediaView,
  mediaOf,
  requestUpload,
  startMediaApp,
  type UploadTicket,
} from './support.ts';

const sha256 = (bytes: Buffer | string) => createHash('sha256').update(bytes).digest('hex');

let api: MediaApp;
let owner: TestUser;
let fixtures: MediaFixtures;
let video: Buffer;

beforeAll(async () => {
  [api, fixtures] = await Promise.all([startMediaApp(), mediaFixtures()]);
  owner = await registerAndSignIn(api, 'Owner');
  video = await readFile(fixtures.video720p);
});
afterAll(async () => {
  await api?.close();
});

async function uploadedVideo(): Promise<{ ticket: UploadTicket; media: MediaView; originalUrl: string }> {
  const ticket = await requestUpload(api, owner.accessToken, {
    kind: 'VIDEO',
    fileName: 'testsrc.mp4',
    contentType: 'video/mp4',
    size: video.length,
  });
  expect((await api.put(ticket.uploadUrl, video)).statusCode).toBe(200);
  const media = await mediaOf(api, owner.accessToken, ticket.assetId);
  if (!media.originalUrl) throw new Error('no original URL');
  return { ticket, media, originalUrl: media.originalUrl };
}

describe('GET /media/:assetId/original', () => {
  it('serves the upload with its type, ETag and private, immutable caching', async () => {
    const { originalUrl } = await uploadedVideo();
    expect(originalUrl).toMatch(
      /^\/media\/[0-9a-f-]{36}\/original\?expires=\d+&signature=[A-Za-z0-9_-]{43}$/,
    );
    const response = await api.fetch(originalUrl);
    expect(response.statusCode).toBe(200);
    expect(response.rawPayload.equals(video)).toBe(true);
    expect(response.headers).toMatchObject({
      'content-type': 'video/mp4',
      'content-length': String(video.length),
      etag: `"${sha256(video)}"`,
      'accept-ranges': 'bytes',
      'x-content-type-options': 'nosniff',
    });
    expect(response.headers['cache-control']).toMatch(/^private, max-age=\d+, immutable$/);
    const maxAge = Number(/max-age=(\d+)/.exec(String(response.headers['cache-control']))?.[1]);
    expect(maxAge).toBeGreaterThan(5 * 3600);
    expect(maxAge).toBeLessThanOrEqual(6 * 3600 + 15 * 60);
  });

  it('answers HEAD with the headers alone', async () => {
    const { originalUrl } = await uploadedVideo();
    const response = await api.app.inject({ method: 'HEAD', url: originalUrl });
    expect(response.statusCode).toBe(200);
    expect(response.headers['content-length']).toBe(String(video.length));
    expect(response.headers['content-type']).toBe('video/mp4');
    expect(response.rawPayload.length).toBe(0);
  });

  it('serves byte ranges for seeking (206), and 416 past the end', async () => {
    const { originalUrl } = await uploadedVideo();
    const middle = await api.fetch(originalUrl, { range: 'bytes=100-1099' });
    expect(middle.statusCode).toBe(206);
    expect(middle.headers['content-range']).toBe(`bytes 100-1099/${video.length}`);
    expect(middle.headers['content-length']).toBe('1000');
    expect(middle.rawPayload.equals(video.subarray(100, 1100))).toBe(true);

    const tail = await api.fetch(originalUrl, { range: 'bytes=-500' });
    expect(tail.statusCode).toBe(206);
    expect(tail.rawPayload.equals(video.subarray(video.length - 500))).toBe(true);

    const open = await api.fetch(originalUrl, { range: `bytes=${video.length - 10}-` });
    expect(open.headers['content-range']).toBe(
      `bytes ${video.length - 10}-${video.length - 1}/${video.length}`,
    );
    expect(open.rawPayload.equals(video.subarray(video.length - 10))).toBe(true);

    const beyond = await api.fetch(originalUrl, { range: `bytes=${video.length}-` });
    expect(beyond.statusCode).toBe(416);
    expect(beyond.headers['content-range']).toBe(`bytes */${video.length}`);
    expect(beyond.json()).toMatchObject({ reason: 'RANGE_NOT_SATISFIABLE' });

    // Several ranges at once: the whole object (allowed by RFC 9110).
    const several = await api.fetch(originalUrl, { range: 'bytes=0-1,5-9' });
    expect(several.statusCode).toBe(200);
    expect(several.rawPayload.length).toBe(video.length);
  });

  it('answers 304 to a client holding the same version, and If-Range decides on ranges', async () => {
    const { originalUrl } = await uploadedVideo();
    const etag = `"${sha256(video)}"`;
    expect((await api.fetch(originalUrl, { 'if-none-match': etag })).statusCode).toBe(304);
    expect((await api.fetch(originalUrl, { range: 'bytes=0-9', 'if-range': etag })).statusCode).toBe(206);
    expect((await api.fetch(originalUrl, { range: 'bytes=0-9', 'if-range': '"other"' })).statusCode).toBe(
      200,
    );
  });

  it('refuses a bad, foreign or expired signature with 403', async () => {
    const { originalUrl, ticket } = await uploadedVideo();
    const tampered = originalUrl.replace(/signature=.{4}/, 'signature=AAAA');
    const unsigned = originalUrl.replace(/\?.*$/, '');
    const longer = originalUrl.replace(
      /expires=(\d+)/,
      (_match, expires: string) => `expires=${Number(expires) + 3600}`,
    );
    const forAnother = api.urls
      .signedMediaUrl(ticket.assetId, '720p', new Date(Date.now() + 60_000))
      .replace('/720p?', '/original?');
    for (const url of [tampered, unsigned, longer, forAnother]) {
      const response = await api.fetch(url);
      expect(response.statusCode).toBe(403);
      expect(response.json()).toMatchObject({ code: 'FORBIDDEN', reason: 'INVALID_SIGNATURE' });
    }
    const expiring = api.urls.signedMediaUrl(
      ticket.assetId,
      'original',
      new Date(api.clock.now().getTime() + 60_000),
    );
    expect((await api.fetch(expiring)).statusCode).toBe(200);
    api.clock.advance(2 * 60_000);
    try {
      expect((await api.fetch(expiring)).statusCode).toBe(403);
    } finally {
      api.clock.advance(-2 * 60_000);
    }
  });

  it('answers 404 for a rendition the asset does not have, and for an asset not uploaded yet', async () => {
    const { ticket } = await uploadedVideo();
    const soon = new Date(Date.now() + 60_000);
    expect((await api.fetch(api.urls.signedMediaUrl(ticket.assetId, '720p', soon))).statusCode).toBe(404);
    const requested = await requestUpload(api, owner.accessToken, {
      kind: 'VIDEO',
      fileName: 'later.mp4',
      contentType: 'video/mp4',
      size: 10,
    });
    const response = await api.fetch(api.urls.signedMediaUrl(requested.assetId, 'original', soon));
    expect(response.statusCode).toBe(404);
    expect(response.json()).toMatchObject({ code: 'NOT_FOUND', reason: 'RENDITION_NOT_FOUND' });
  });
});

describe('renditions of a ready asset', () => {
  /** What the transcoding saga leaves: objects under rendition keys, then a manifest naming them. */
  async function readyWithHls() {
    const { ticket } = await uploadedVideo();
    const { assetId } = ticket;
    const objects: Record<string, { kind: Rendition['kind']; contentType: string; body: string | Buffer }> = {
      'hls-master': {
        kind: 'hls',
        contentType: 'application/vnd.apple.mpegurl',
        body: [
          '#EXTM3U',
          '#EXT-X-VERSION:3',
          '#EXT-X-STREAM-INF:BANDWIDTH=2800000,RESOLUTION=1280x720',
          'hls-720p-playlist.m3u8',
          '#EXT-X-STREAM-INF:BANDWIDTH=800000,RESOLUTION=640x360',
          'hls-360p-playlist',
          '',
        ].join('\n'),
      },
      'hls-720p-playlist': {
        kind: 'hls',
        contentType: 'application/vnd.apple.mpegurl',
        body: [
          '#EXTM3U',
          '#EXT-X-TARGETDURATION:6',
          '#EXT-X-MAP:URI="hls-720p-init.mp4"',
          '#EXTINF:6.0,',
          'hls-720p-seg-00001.ts',
          '#EXTINF:3.0,',
          'hls-720p-seg-00002',
          '#EXT-X-ENDLIST',
          '',
        ].join('\n'),
      },
      'hls-360p-playlist': { kind: 'hls', contentType: 'application/vnd.apple.mpegurl', body: '#EXTM3U\n' },
      'hls-720p-init': { kind: 'hls', contentType: 'video/mp4', body: 'init' },
      'hls-720p-seg-00001': { kind: 'hls', contentType: 'video/mp2t', body: Buffer.alloc(1880, 0x47) },
      'hls-720p-seg-00002': { kind: 'hls', contentType: 'video/mp2t', body: Buffer.alloc(940, 0x47) },
      '720p': { kind: 'video', contentType: 'video/mp4', body: video },
      'poster-jpeg': {
        kind: 'thumbnail',
        contentType: 'image/jpeg',
        body: Buffer.from([0xff, 0xd8, 0xff, 0xe0]),
      },
    };
    const renditions: Rendition[] = [];
    for (const [name, { kind, contentType, body }] of Object.entries(objects)) {
      const key = renditionKey(assetId, name);
      const stored = await api.storage.put(key, Readable.from([Buffer.from(body)]));
      renditions.push({
        name,
        kind,
        storageKey: key,
        contentType,
        width: null,
        height: null,
        bitrate: null,
        durationSeconds: null,
        ...stored,
      });
    }
    const manifest: Manifest = { renditions, hlsMaster: 'hls-master', poster: 'poster-jpeg' };
    await api.asSaga(assetId, { type: 'StartProcessing' });
    await api.asSaga(assetId, { type: 'RecordProgress', step: 'renditions', detail: '720p', percent: 100 });
    await api.asSaga(assetId, { type: 'MarkReady', manifest });
    return { assetId, objects, media: await mediaOf(api, owner.accessToken, assetId) };
  }

  it('lists every rendition with a signed URL that serves it', async () => {
    const { media, objects } = await readyWithHls();
    expect(media.status).toBe('READY');
    expect(media.manifest?.hlsMaster?.name).toBe('hls-master');
    expect(media.manifest?.poster?.name).toBe('poster-jpeg');
    const rendition = media.manifest?.renditions.find((each) => each.name === '720p');
    if (!rendition) throw new Error('no 720p rendition');
    const response = await api.fetch(rendition.url, { range: 'bytes=0-99' });
    expect(response.statusCode).toBe(206);
    expect(response.headers['content-type']).toBe('video/mp4');
    expect(response.rawPayload.equals(video.subarray(0, 100))).toBe(true);
    const poster = await api.fetch(media.manifest?.poster?.url ?? '');
    expect(poster.headers['content-type']).toBe('image/jpeg');
    expect(poster.rawPayload.equals(Buffer.from(objects['poster-jpeg']?.body ?? ''))).toBe(true);
  });

  it('filters renditions by kind', async () => {
    const { assetId } = await readyWithHls();
    const response = await api.gql(
      `query ($id: ID!) { media(id: $id) { manifest { renditions(kinds: [VIDEO, THUMBNAIL]) { name } } } }`,
      { id: assetId },
      owner.accessToken,
    );
    expect(response.data).toEqual({
      media: { manifest: { renditions: [{ name: '720p' }, { name: 'poster-jpeg' }] } },
    });
  });

  it('rewrites HLS playlists so every URI in them is a signed URL that plays', async () => {
    const { media, assetId } = await readyWithHls();
    const master = await api.fetch(media.manifest?.hlsMaster?.url ?? '');
    expect(master.statusCode).toBe(200);
    expect(master.headers['content-type']).toBe('application/vnd.apple.mpegurl');
    expect(master.headers['cache-control']).toBe('private, no-cache');
    expect(master.headers.etag).toBeUndefined();
    const variants = master.body.split('\n').filter((line) => line && !line.startsWith('#'));
    expect(variants).toHaveLength(2);
    expect(variants[0]).toMatch(new RegExp(`^/media/${assetId}/hls-720p-playlist\\?expires=\\d+&signature=`));
    expect(variants[1]).toMatch(new RegExp(`^/media/${assetId}/hls-360p-playlist\\?`));

    const variant = await api.fetch(variants[0] ?? '');
    expect(variant.statusCode).toBe(200);
    const lines = variant.body.split('\n');
    expect(lines).toContain('#EXTINF:6.0,');
    expect(lines.find((line) => line.startsWith('#EXT-X-MAP'))).toMatch(
      new RegExp(`^#EXT-X-MAP:URI="/media/${assetId}/hls-720p-init\\?expires=\\d+&signature=[^"]+"$`),
    );
    const segments = lines.filter((line) => line && !line.startsWith('#'));
    expect(segments.map((line) => line.replace(/\?.*/, ''))).toEqual([
      `/media/${assetId}/hls-720p-seg-00001`,
      `/media/${assetId}/hls-720p-seg-00002`,
    ]);
    const segment = await api.fetch(segments[0] ?? '');
    expect(segment.statusCode).toBe(200);
    expect(segment.headers['content-type']).toBe('video/mp2t');
    expect(segment.rawPayload.length).toBe(1880);
  });

  it('deleting the asset removes its objects; its URLs answer 404 and its upload URL 403', async () => {
    const { assetId, media } = await readyWithHls();
    const stranger = await registerAndSignIn(api, 'Stranger');
    expect(errorCodes(await api.gql(DELETE_MEDIA, { id: assetId }, stranger.accessToken))).toEqual([
      'FORBIDDEN/NOT_OWNER',
    ]);
    const deleted = await api.gql(DELETE_MEDIA, { id: assetId }, owner.accessToken);
    expect(deleted.errors).toBeUndefined();
    expect(deleted.data?.deleteMedia).toMatchObject({
      id: assetId,
      status: 'DELETED',
      manifest: null,
      originalUrl: null,
    });
    expect((await api.storedFiles()).filter((file) => file.includes(assetId))).toEqual([]);
    for (const url of [media.originalUrl ?? '', media.manifest?.hlsMaster?.url ?? '']) {
      expect((await api.fetch(url)).statusCode).toBe(404);
    }
    // Deleting again changes nothing; an admin still sees what it was.
    expect((await api.gql(DELETE_MEDIA, { id: assetId }, owner.accessToken)).errors).toBeUndefined();
    const admin = await makeAdmin(api);
    expect(await mediaOf(api, admin.accessToken, assetId)).toMatchObject({
      status: 'DELETED',
      deletedAt: expect.any(String),
    });
  });

  it('an asset deleted before its upload refuses the upload URL', async () => {
    const ticket = await requestUpload(api, owner.accessToken, {
      kind: 'VIDEO',
      fileName: 'never.mp4',
      contentType: 'video/mp4',
      size: video.length,
    });
    expect((await api.gql(DELETE_MEDIA, { id: ticket.assetId }, owner.accessToken)).errors).toBeUndefined();
    const response = await api.put(ticket.uploadUrl, video);
    expect(response.statusCode).toBe(403);
    expect(response.json()).toMatchObject({ reason: 'MEDIA_DELETED' });
  });
});

describe('files', () => {
  it('are offered as downloads under their own name, never rendered as the browser guesses', async () => {
    const notes = Buffer.from('Meeting notes\n- ship media\n');
    const ticket = await requestUpload(api, owner.accessToken, {
      kind: 'FILE',
      fileName: 'Café notes.txt',
      contentType: 'text/plain',
      size: notes.length,
    });
    expect((await api.put(ticket.uploadUrl, notes)).statusCode).toBe(200);
    const { originalUrl } = await mediaOf(api, owner.accessToken, ticket.assetId);
    const response = await api.fetch(originalUrl ?? '');
    expect(response.statusCode).toBe(200);
    expect(response.headers['content-type']).toBe('text/plain');
    expect(response.headers['x-content-type-options']).toBe('nosniff');
    expect(response.headers['content-disposition']).toBe(
      `attachment; filename="Caf_ notes.txt"; filename*=UTF-8''Caf%C3%A9%20notes.txt`,
    );
    expect(response.body).toBe(notes.toString());
  });
});
