import { createHash, randomUUID } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { Readable } from 'node:stream';
import {
  DeleteBucketCommand,
  DeleteObjectsCommand,
  ListObjectsV2Command,
  S3Client,
} from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createLogger } from '../../../src/logger.ts';
import { incomingKey } from '../../../src/storage/keys.ts';
import { createS3Storage, type S3ObjectStorage } from '../../../src/storage/s3-storage.ts';
import { type MediaApp, startMediaApp } from '../../api/media/support.ts';
import { fieldOf } from '../../api/support/identity-app.ts';
import { registerAndSignIn, type TestUser } from '../../api/support/identity-operations.ts';
import { mediaFixtures } from '../../support/media-fixtures.ts';
import { startTranscodingPipeline } from './support/pipeline.ts';

const REQUEST_UPLOAD = `mutation ($size: Float!) {
  requestUpload(kind: VIDEO, fileName: "launch.mp4", contentType: "video/mp4", size: $size) {
    assetId uploadUrl expiresAt maxSize confirmRequired headers { name value } } }`;
const CONFIRM_UPLOAD = `mutation ($id: ID!) { confirmUpload(id: $id) { id status size sha256 } }`;
const DELETE_MEDIA = `mutation ($id: ID!) { deleteMedia(id: $id) { id } }`;
const MEDIA = `query ($id: ID!) { media(id: $id) {
  status sha256 originalUrl probe { height }
  manifest { hlsMaster { url } renditions(kinds: [VIDEO]) { name height contentType url } } } }`;

interface Ticket {
  assetId: string;
  uploadUrl: string;
  expiresAt: string;
  maxSize: number;
  confirmRequired: boolean;
  headers: { name: string; value: string }[];
}

interface MediaView {
  status: string;
  sha256: string | null;
  originalUrl: string | null;
  probe: { height: number } | null;
  manifest: {
    hlsMaster: { url: string } | null;
    renditions: { name: string; height: number; contentType: string; url: string }[];
  } | null;
}

const s3 = inject('s3');
const log = createLogger(process.env.TEST_LOG_LEVEL ?? 'silent');
const sha256 = (bytes: Buffer) => createHash('sha256').update(bytes).digest('hex');

/**
 * A video through S3 end to end: the client PUTs the bytes straight to the bucket with the
 * presigned URL it was given (SeaweedFS, credentials required), confirms, the transcoding saga
 * (real worker, ffmpeg) reads the original and writes its renditions through the same S3 storage,
 * and the renditions are fetched with presigned GET URLs, HLS included.
 */
describe.skipIf(!s3.endpoint)('a video uploaded straight to S3, transcoded and delivered from it', () => {
  const bucket = `chronicle-e2e-${randomUUID().slice(0, 8)}`;
  const admin = new S3Client({
    endpoint: s3.endpoint,
    region: 'us-east-1',
    forcePathStyle: true,
    credentials: { accessKeyId: s3.accessKeyId, secretAccessKey: s3.secretAccessKey },
  });
  let storage: S3ObjectStorage;
  let api: MediaApp;
  let user: TestUser;
  let pipeline: { stop(): Promise<void> } | undefined;

  beforeAll(async () => {
    storage = createS3Storage({
      endpoint: s3.endpoint,
      bucket,
      region: 'us-east-1',
      accessKeyId: s3.accessKeyId,
      secretAccessKey: s3.secretAccessKey,
      forcePathStyle: true,
    });
    await storage.ensureBucket();
    api = await startMediaApp({ storage });
    user = await registerAndSignIn(api, 'Uploader');
    pipeline = await startTranscodingPipeline({
      runtime: api.runtime,
      storage: storage,
      log,
      name: 's3-media',
    });
  }, 120_000);

  afterAll(async () => {
    await pipeline?.stop();
    await api?.close();
    const listed = await admin.send(new ListObjectsV2Command({ Bucket: bucket })).catch(() => undefined);
    const keys = (listed?.Contents ?? []).flatMap((object) => (object.Key ? [{ Key: object.Key }] : []));
    if (keys.length > 0)
      await admin.send(new DeleteObjectsCommand({ Bucket: bucket, Delete: { Objects: keys } }));
    await admin.send(new DeleteBucketCommand({ Bucket: bucket })).catch(() => undefined);
    admin.destroy();
    storage?.close();
  });

  const requestUpload = async (size: number) =>
    fieldOf<Ticket>(await api.gql(REQUEST_UPLOAD, { size }, user.accessToken), 'requestUpload');
  const headersOf = (ticket: Ticket) =>
    Object.fromEntries(
      ticket.headers.filter((h) => h.name !== 'content-length').map((h) => [h.name, h.value]),
    );

  it('refuses, at the storage itself, a PUT of another type or length than declared', async () => {
    const bytes = await readFile((await mediaFixtures()).video720p);
    const ticket = await requestUpload(bytes.length);
    expect(ticket.confirmRequired).toBe(true);
    expect(ticket.uploadUrl.startsWith(`${s3.endpoint}/${bucket}/`)).toBe(true);
    expect(ticket.headers).toEqual([
      { name: 'content-type', value: 'video/mp4' },
      { name: 'content-length', value: String(bytes.length) },
    ]);
    const put = (body: Buffer, headers: Record<string, string>) =>
      fetch(ticket.uploadUrl, { method: 'PUT', body, headers });
    expect((await put(bytes, { 'content-type': 'text/html' })).status).toBe(403);
    expect((await put(Buffer.concat([bytes, Buffer.alloc(1)]), headersOf(ticket))).status).toBe(403);
    expect((await put(bytes.subarray(1), headersOf(ticket))).status).toBe(403);
    expect(await storage.stat(incomingKey(ticket.assetId))).toBeNull();
    // Nothing arrived, so there is nothing to confirm.
    const early = await api.gql(CONFIRM_UPLOAD, { id: ticket.assetId }, user.accessToken);
    expect(early.errors?.[0]?.extensions).toMatchObject({ code: 'VALIDATION', reason: 'UPLOAD_NOT_FOUND' });
    // Someone else cannot confirm it, and is not told it exists.
    const stranger = await registerAndSignIn(api, 'Stranger');
    const foreign = await api.gql(CONFIRM_UPLOAD, { id: ticket.assetId }, stranger.accessToken);
    expect(foreign.errors?.[0]?.extensions).toMatchObject({ code: 'NOT_FOUND', reason: 'MEDIA_NOT_FOUND' });
  });

  it('checks what arrived when confirming: the bytes must be the declared kind, the object the declared size', async () => {
    const bytes = await readFile((await mediaFixtures()).video720p);
    const ticket = await requestUpload(bytes.length);
    // Signed type and length, but not a video: S3 takes it, the API sniffs it when confirming.
    const text = Buffer.alloc(bytes.length, 'not a video at all. ');
    expect(
      (await fetch(ticket.uploadUrl, { method: 'PUT', body: text, headers: headersOf(ticket) })).status,
    ).toBe(200);
    const sniffed = await api.gql(CONFIRM_UPLOAD, { id: ticket.assetId }, user.accessToken);
    expect(sniffed.errors?.[0]?.extensions).toMatchObject({
      code: 'VALIDATION',
      reason: 'CONTENT_TYPE_MISMATCH',
    });
    // Only the incoming object is there: no original was kept.
    const keys = (
      await admin.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: `media/${ticket.assetId}/` }))
    ).Contents?.map((object) => object.Key);
    expect(keys).toEqual([incomingKey(ticket.assetId)]);
    // Written around the presigned URL (by someone holding the bucket's keys): size and type are checked too.
    await storage.put(incomingKey(ticket.assetId), Readable.from([bytes.subarray(1)]));
    const short = await api.gql(CONFIRM_UPLOAD, { id: ticket.assetId }, user.accessToken);
    expect(short.errors?.[0]?.extensions).toMatchObject({
      code: 'VALIDATION',
      reason: 'UPLOAD_SIZE_MISMATCH',
    });
    await storage.put(incomingKey(ticket.assetId), Readable.from([bytes]));
    const untyped = await api.gql(CONFIRM_UPLOAD, { id: ticket.assetId }, user.accessToken);
    expect(untyped.errors?.[0]?.extensions).toMatchObject({
      code: 'VALIDATION',
      reason: 'CONTENT_TYPE_MISMATCH',
    });
    // A good upload with the same URL is still accepted.
    expect(
      (await fetch(ticket.uploadUrl, { method: 'PUT', body: bytes, headers: headersOf(ticket) })).status,
    ).toBe(200);
    const confirmed = await api.gql(CONFIRM_UPLOAD, { id: ticket.assetId }, user.accessToken);
    expect(fieldOf<{ sha256: string }>(confirmed, 'confirmUpload').sha256).toBe(sha256(bytes));
    // Deleted at once (its processing stops) so as not to take the worker from the next test.
    fieldOf(await api.gql(DELETE_MEDIA, { id: ticket.assetId }, user.accessToken), 'deleteMedia');
  });

  it('removes a second PUT after confirmation when confirming again, and every object of the asset on deletion', async () => {
    const bytes = await readFile((await mediaFixtures()).video720p);
    const ticket = await requestUpload(bytes.length);
    const put = () => fetch(ticket.uploadUrl, { method: 'PUT', body: bytes, headers: headersOf(ticket) });
    expect((await put()).status).toBe(200);
    const confirmed = await api.gql(CONFIRM_UPLOAD, { id: ticket.assetId }, user.accessToken);
    expect(fieldOf<{ sha256: string }>(confirmed, 'confirmUpload').sha256).toBe(sha256(bytes));
    expect(await storage.stat(incomingKey(ticket.assetId))).toBeNull();
    // The URL is still valid: a second PUT lands (as a crash before the removal would have left it).
    expect((await put()).status).toBe(200);
    expect(await storage.stat(incomingKey(ticket.assetId))).not.toBeNull();
    const again = await api.gql(CONFIRM_UPLOAD, { id: ticket.assetId }, user.accessToken);
    expect(fieldOf<{ sha256: string }>(again, 'confirmUpload').sha256).toBe(sha256(bytes));
    expect(await storage.stat(incomingKey(ticket.assetId))).toBeNull();

    expect((await put()).status).toBe(200);
    fieldOf(await api.gql(DELETE_MEDIA, { id: ticket.assetId }, user.accessToken), 'deleteMedia');
    const listed = await admin.send(
      new ListObjectsV2Command({ Bucket: bucket, Prefix: `media/${ticket.assetId}/` }),
    );
    expect(listed.Contents ?? []).toEqual([]);
  });

  it('uploads with the presigned PUT, confirms, transcodes through S3 and delivers presigned GETs', async () => {
    const bytes = await readFile((await mediaFixtures()).video720p);
    const ticket = await requestUpload(bytes.length);
    const put = await fetch(ticket.uploadUrl, { method: 'PUT', body: bytes, headers: headersOf(ticket) });
    expect(put.status).toBe(200);

    const confirmed = fieldOf<{ status: string; size: number; sha256: string }>(
      await api.gql(CONFIRM_UPLOAD, { id: ticket.assetId }, user.accessToken),
      'confirmUpload',
    );
    expect(confirmed).toMatchObject({ size: bytes.length, sha256: sha256(bytes) });
    expect(confirmed.status).not.toBe('REQUESTED');
    // The incoming object is gone: the presigned URL, still valid, can no longer touch what was recorded.
    expect(await storage.stat(incomingKey(ticket.assetId))).toBeNull();
    const again = await api.gql(CONFIRM_UPLOAD, { id: ticket.assetId }, user.accessToken);
    expect(fieldOf<{ sha256: string }>(again, 'confirmUpload').sha256).toBe(sha256(bytes));
    // The URL is still valid and S3 takes a second PUT, but the recorded original is a copy it cannot reach.
    const other = Buffer.alloc(bytes.length, 7);
    expect(
      (await fetch(ticket.uploadUrl, { method: 'PUT', body: other, headers: headersOf(ticket) })).status,
    ).toBe(200);

    let media: MediaView | undefined;
    const deadline = Date.now() + 100_000;
    while (Date.now() < deadline) {
      media = fieldOf<MediaView>(await api.gql(MEDIA, { id: ticket.assetId }, user.accessToken), 'media');
      if (media.status === 'READY' || media.status === 'FAILED') break;
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
    expect(media?.status).toBe('READY');
    expect(media?.probe?.height).toBe(720);
    const renditions = media?.manifest?.renditions ?? [];
    expect(renditions.map((r) => r.height).sort((a, b) => a - b)).toEqual([360, 480, 720]);

    // Renditions come straight from the bucket, by presigned URL, ranges and cache headers included.
    const smallest = renditions.find((r) => r.height === 360);
    expect(smallest?.url.startsWith(`${s3.endpoint}/${bucket}/media/${ticket.assetId}/renditions/`)).toBe(
      true,
    );
    const ranged = await fetch(smallest?.url ?? '', { headers: { range: 'bytes=0-99' } });
    expect(ranged.status).toBe(206);
    expect(ranged.headers.get('content-type')).toBe('video/mp4');
    expect(ranged.headers.get('cache-control')).toMatch(/^private, max-age=\d+, immutable$/);
    expect((await ranged.arrayBuffer()).byteLength).toBe(100);
    expect(media?.sha256).toBe(sha256(bytes));
    const original = await fetch(media?.originalUrl ?? '');
    expect(original.status).toBe(200);
    expect(sha256(Buffer.from(await original.arrayBuffer()))).toBe(sha256(bytes));

    // Playlists come from the API, rewritten: variants by the API's signed URLs, segments by S3's.
    const master = await api.fetch(media?.manifest?.hlsMaster?.url ?? '');
    expect(master.statusCode).toBe(200);
    const variants = master.body.split('\n').filter((line) => line.startsWith('/media/'));
    expect(variants).toHaveLength(3);
    const variant = await api.fetch(variants[0] ?? '');
    expect(variant.statusCode).toBe(200);
    const segments = variant.body.split('\n').filter((line) => line.startsWith('http'));
    expect(segments.length).toBeGreaterThan(0);
    expect(segments.every((line) => line.startsWith(`${s3.endpoint}/${bucket}/`))).toBe(true);
    const segment = await fetch(segments[0] ?? '');
    expect(segment.status).toBe(200);
    expect((await segment.arrayBuffer()).byteLength).toBeGreaterThan(0);
  }, 150_000);
});
