import { randomBytes, randomUUID } from 'node:crypto';
import { Readable } from 'node:stream';
import {
  DeleteBucketCommand,
  DeleteObjectsCommand,
  ListMultipartUploadsCommand,
  ListObjectsV2Command,
  S3Client,
} from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { loadConfig } from '../../src/config.ts';
import { createLogger } from '../../src/logger.ts';
import { createStorage } from '../../src/storage/create-storage.ts';
import { originalKey, renditionKey } from '../../src/storage/keys.ts';
import { createS3Storage, type S3ObjectStorage, type S3Settings } from '../../src/storage/s3-storage.ts';
import { countingSource, storageConformance } from './storage-conformance.ts';

const s3 = inject('s3');
const MiB = 1024 * 1024;
/** The smallest part S3 allows, so the multipart path is taken with little data. */
const PART_BYTES = 5 * MiB;

const settingsFor = (bucket: string): S3Settings => ({
  endpoint: s3.endpoint,
  bucket,
  region: 'us-east-1',
  accessKeyId: s3.accessKeyId,
  secretAccessKey: s3.secretAccessKey,
  forcePathStyle: true,
  partBytes: PART_BYTES,
  // A small page, so deleting 40 keys takes several listings.
  listPageSize: 7,
});

const rawClient = () =>
  new S3Client({
    endpoint: s3.endpoint,
    region: 'us-east-1',
    forcePathStyle: true,
    credentials: { accessKeyId: s3.accessKeyId, secretAccessKey: s3.secretAccessKey },
  });

async function allKeys(client: S3Client, bucket: string): Promise<string[]> {
  const keys: string[] = [];
  let token: string | undefined;
  do {
    const page = await client.send(new ListObjectsV2Command({ Bucket: bucket, ContinuationToken: token }));
    keys.push(...(page.Contents ?? []).flatMap((object) => (object.Key ? [object.Key] : [])));
    token = page.IsTruncated ? page.NextContinuationToken : undefined;
  } while (token);
  return keys.sort();
}

async function emptyBucket(client: S3Client, bucket: string): Promise<void> {
  const keys = await allKeys(client, bucket);
  if (keys.length > 0) {
    await client.send(
      new DeleteObjectsCommand({ Bucket: bucket, Delete: { Objects: keys.map((Key) => ({ Key })) } }),
    );
  }
}

// One bucket for the file (SeaweedFS gives each bucket volumes of its own), emptied between tests.
describe.skipIf(!s3.endpoint)('S3 object storage (SeaweedFS)', () => {
  const bucket = `chronicle-test-${randomUUID().slice(0, 8)}`;
  const client = rawClient();
  let storage: S3ObjectStorage;

  beforeAll(async () => {
    storage = createS3Storage(settingsFor(bucket));
    await storage.ensureBucket();
    // Creating it again finds it there.
    await storage.ensureBucket();
  });
  afterAll(async () => {
    await emptyBucket(client, bucket);
    await client.send(new DeleteBucketCommand({ Bucket: bucket })).catch(() => undefined);
    storage?.close();
    client.destroy();
  });

  storageConformance(
    'S3 object storage',
    async () => ({
      storage,
      objects: () => allKeys(client, bucket),
      dispose: () => emptyBucket(client, bucket),
    }),
    { largeBytes: PART_BYTES + 1024 },
  );

  it('aborts the multipart upload of a refused stream: no parts are left in the bucket', async () => {
    const key = originalKey(randomUUID(), 'upload-1');
    const { stream } = countingSource(48, 256 * 1024);
    await expect(storage.put(key, stream, { maxBytes: PART_BYTES + 1024 })).rejects.toMatchObject({
      code: 'OBJECT_TOO_LARGE',
    });
    const pending = await client.send(new ListMultipartUploadsCommand({ Bucket: bucket, Prefix: key }));
    expect(pending.Uploads ?? []).toEqual([]);
    expect(await storage.stat(key)).toBeNull();
  });

  it('hands out presigned URLs that fetch the object without credentials', async () => {
    const key = renditionKey(randomUUID(), 'poster.webp');
    const bytes = randomBytes(2_000);
    await storage.put(key, Readable.from([bytes]));
    const expiresAt = new Date(Date.now() + 3_600_000);
    const url = await storage.direct.presignGet(key, {
      expiresAt,
      contentType: 'image/webp',
      cacheControl: 'private, max-age=3600, immutable',
    });
    // Signed as of the quarter hour: the same URL for the same object and expiry, so caches hit.
    expect(
      await storage.direct.presignGet(key, {
        expiresAt,
        contentType: 'image/webp',
        cacheControl: 'private, max-age=3600, immutable',
      }),
    ).toBe(url);
    const response = await fetch(url);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('image/webp');
    expect(response.headers.get('cache-control')).toBe('private, max-age=3600, immutable');
    expect(Buffer.from(await response.arrayBuffer()).equals(bytes)).toBe(true);
    const ranged = await fetch(url, { headers: { range: 'bytes=10-19' } });
    expect(ranged.status).toBe(206);
    expect(Buffer.from(await ranged.arrayBuffer()).equals(bytes.subarray(10, 20))).toBe(true);
    // Unsigned, or with the signature altered: refused.
    expect((await fetch(url.split('?')[0] ?? '')).status).toBe(403);
    expect((await fetch(url.replace(/X-Amz-Signature=[0-9a-f]/, 'X-Amz-Signature=x'))).status).toBe(403);
    await emptyBucket(client, bucket);
  });

  it('signs URLs for S3_PUBLIC_BASE_URL, where clients reach the bucket, and lets shared caches keep them', async () => {
    const key = renditionKey(randomUUID(), '360p');
    await storage.put(key, Readable.from([Buffer.from('rendition bytes')]));
    // The same server under another name, as a CDN or proxy in front of it would be.
    const publicBaseUrl = s3.endpoint.replace('127.0.0.1', 'localhost');
    const fronted = createS3Storage({ ...settingsFor(bucket), publicBaseUrl });
    try {
      expect(fronted.direct.sharedCache).toBe(true);
      expect(storage.direct.sharedCache).toBe(false);
      const url = await fronted.direct.presignGet(key, {
        expiresAt: new Date(Date.now() + 600_000),
        contentType: 'video/mp4',
        cacheControl: 'public, max-age=600, immutable',
      });
      expect(url.startsWith(`${publicBaseUrl}/${bucket}/${key}?`)).toBe(true);
      const response = await fetch(url);
      expect(response.status).toBe(200);
      expect(response.headers.get('cache-control')).toBe('public, max-age=600, immutable');
      expect(await response.text()).toBe('rendition bytes');
    } finally {
      fronted.close();
      await emptyBucket(client, bucket);
    }
  });

  it('is what createStorage builds when S3 is configured, with the bucket made if missing', async () => {
    const fresh = `chronicle-made-${randomUUID().slice(0, 8)}`;
    const config = loadConfig({
      S3_ENDPOINT: s3.endpoint,
      S3_BUCKET: fresh,
      S3_ACCESS_KEY_ID: s3.accessKeyId,
      S3_SECRET_ACCESS_KEY: s3.secretAccessKey,
      S3_FORCE_PATH_STYLE: 'true',
      DATA_DIR: '/nonexistent-chronicle-test',
    });
    const configured = await createStorage(config, createLogger('silent'));
    try {
      expect(configured.storage.direct).toBeDefined();
      expect(configured.storage.localPath).toBeUndefined();
      const key = originalKey(randomUUID(), 'upload-1');
      await configured.storage.put(key, Readable.from([Buffer.from('x')]));
      expect(await allKeys(client, fresh)).toEqual([key]);
      await emptyBucket(client, fresh);
    } finally {
      configured.close();
      await client.send(new DeleteBucketCommand({ Bucket: fresh })).catch(() => undefined);
    }
  });

  it('names the bucket and the credentials when they do not let it in', async () => {
    const locked = createS3Storage({ ...settingsFor(bucket), secretAccessKey: 'not-the-secret' });
    try {
      await expect(locked.ensureBucket()).rejects.toThrow(`S3 refused access to bucket ${bucket}`);
    } finally {
      locked.close();
    }
  });
});
