import { createHash } from 'node:crypto';
import { Readable } from 'node:stream';
import {
  AbortMultipartUploadCommand,
  CompleteMultipartUploadCommand,
  CreateBucketCommand,
  CreateMultipartUploadCommand,
  DeleteObjectCommand,
  DeleteObjectsCommand,
  GetObjectCommand,
  HeadBucketCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  S3Client,
  UploadPartCommand,
} from '@aws-sdk/client-s3';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import type { DirectObjectAccess } from './direct-access.ts';
import { type ByteRange, InvalidObjectKey, InvalidRange, ObjectNotFound, ObjectTooLarge } from './errors.ts';
import { isValidKey } from './keys.ts';
import type { ObjectStorage, StoredObject } from './port.ts';

export interface S3Settings {
  /** The S3 API's base URL, e.g. `https://s3.eu-west-1.amazonaws.com` or `http://seaweedfs:8333`. */
  endpoint: string;
  bucket: string;
  region: string;
  accessKeyId: string;
  secretAccessKey: string;
  /** `http://endpoint/bucket/key` rather than `http://bucket.endpoint/key` (MinIO, SeaweedFS). */
  forcePathStyle: boolean;
  /**
   * Where clients reach the bucket (a CDN or a proxy in front of the S3 server), when not at
   * `endpoint`: presigned URLs are signed for this address.
   */
  publicBaseUrl?: string;
  /** Bytes per multipart part (S3 wants 5 MiB at least, but for the last). Default 8 MiB. */
  partBytes?: number;
  /** Keys per listing page in `deletePrefix` (S3 allows 1000 at most). */
  listPageSize?: number;
}

export interface S3ObjectStorage extends ObjectStorage {
  direct: DirectObjectAccess;
  /** Creates the bucket when it is missing; a clear error when the credentials may not see it. */
  ensureBucket(): Promise<void>;
  close(): void;
}

const MiB = 1024 * 1024;
/** S3 deletes at most 1000 keys per DeleteObjects and lists at most 1000 per page. */
const MAX_BATCH = 1000;
/** SigV4 presigned URLs live at most seven days. */
const MAX_PRESIGN_SECONDS = 7 * 24 * 3600;

/**
 * The object storage port on an S3-compatible bucket (AWS S3, MinIO, SeaweedFS...).
 *
 * `put` streams: a body that fits in one part is sent with one PutObject, a larger one as a
 * multipart upload of `partBytes` parts, sent one after the other (at most two parts in memory:
 * the one being sent and the next, read to tell the two cases apart). Both are atomic in S3 (the
 * object appears whole when PutObject or CompleteMultipartUpload returns, or not at all), so
 * readers never see half an object. Bytes are counted and hashed on the way in; past `maxBytes`
 * reading stops and the multipart upload is aborted, so nothing is kept. Buffering the whole body
 * instead would hold a 2 GiB video in memory. A process killed mid-upload leaves an incomplete
 * multipart upload, which is no object (no key shows it) and which a bucket lifecycle rule
 * (`AbortIncompleteMultipartUpload`) removes; see docs/storage.md.
 */
export function createS3Storage(settings: S3Settings): S3ObjectStorage {
  const client = s3Client(settings, settings.endpoint);
  // Presigned URLs are signed for the address clients use, which may be a CDN's.
  const signer = settings.publicBaseUrl ? s3Client(settings, settings.publicBaseUrl) : client;
  const Bucket = settings.bucket;
  const partBytes = Math.max(5 * MiB, settings.partBytes ?? 8 * MiB);
  const pageSize = Math.min(MAX_BATCH, Math.max(1, settings.listPageSize ?? MAX_BATCH));
  const checked = (key: string) => {
    if (!isValidKey(key)) throw new InvalidObjectKey(key);
    return key;
  };

  async function head(key: string) {
    try {
      const found = await client.send(new HeadObjectCommand({ Bucket, Key: checked(key) }));
      return {
        size: found.ContentLength ?? 0,
        contentType: found.ContentType ?? null,
        lastModified: found.LastModified ?? null,
      };
    } catch (error) {
      if (isNotFound(error)) return null;
      throw error;
    }
  }

  const direct: DirectObjectAccess = {
    sharedCache: settings.publicBaseUrl !== undefined,
    async presignPut(key, upload) {
      const { signingDate, expiresIn } = signingWindow(upload.expiresAt, { stable: false });
      const command = new PutObjectCommand({
        Bucket,
        Key: checked(key),
        ContentType: upload.contentType,
        ContentLength: upload.size,
      });
      const url = await getSignedUrl(signer, command, {
        signingDate,
        expiresIn,
        signableHeaders: new Set(['content-type', 'content-length']),
      });
      return {
        url,
        headers: { 'content-type': upload.contentType, 'content-length': String(upload.size) },
      };
    },
    async presignGet(key, response) {
      const { signingDate, expiresIn } = signingWindow(response.expiresAt, { stable: true });
      const command = new GetObjectCommand({
        Bucket,
        Key: checked(key),
        ...(response.contentType ? { ResponseContentType: response.contentType } : {}),
        ...(response.cacheControl ? { ResponseCacheControl: response.cacheControl } : {}),
        ...(response.downloadAs ? { ResponseContentDisposition: attachment(response.downloadAs) } : {}),
      });
      return getSignedUrl(signer, command, { signingDate, expiresIn });
    },
    head,
  };

  return {
    async put(key, stream, options = {}) {
      checked(key);
      const parts = meteredParts(key, stream, partBytes, options.maxBytes);
      const first = await parts.next();
      const second = first.done ? first : await parts.next();
      if (second.done) {
        // One part or none: a single PutObject, atomic by itself.
        const body = first.done ? Buffer.alloc(0) : first.value;
        await client.send(new PutObjectCommand({ Bucket, Key: key, Body: body, ContentLength: body.length }));
        return parts.stored();
      }
      const { UploadId } = await client.send(new CreateMultipartUploadCommand({ Bucket, Key: key }));
      if (!UploadId) throw new Error(`S3 started no multipart upload for ${key}`);
      try {
        const etags: string[] = [];
        const upload = async (body: Buffer) => {
          const { ETag } = await client.send(
            new UploadPartCommand({
              Bucket,
              Key: key,
              UploadId,
              PartNumber: etags.length + 1,
              Body: body,
              ContentLength: body.length,
            }),
          );
          if (!ETag) throw new Error(`S3 gave no ETag for part ${etags.length + 1} of ${key}`);
          etags.push(ETag);
        };
        if (!first.done) await upload(first.value);
        await upload(second.value);
        for await (const part of parts) await upload(part);
        await client.send(
          new CompleteMultipartUploadCommand({
            Bucket,
            Key: key,
            UploadId,
            MultipartUpload: { Parts: etags.map((ETag, index) => ({ ETag, PartNumber: index + 1 })) },
          }),
        );
        return parts.stored();
      } catch (error) {
        // Stops reading the source (a client's upload, another object's download) as well.
        await parts.return(undefined);
        await client
          .send(new AbortMultipartUploadCommand({ Bucket, Key: key, UploadId }))
          .catch(() => undefined);
        throw error;
      }
    },

    async get(key, range) {
      checked(key);
      if (range && !wellFormed(range)) throw new InvalidRange(key, range);
      try {
        const found = await client.send(
          new GetObjectCommand({
            Bucket,
            Key: key,
            ...(range ? { Range: `bytes=${range.start}-${range.end}` } : {}),
          }),
        );
        const body = found.Body;
        if (!(body instanceof Readable)) throw new Error(`S3 answered ${key} without a stream`);
        // S3 shortens a range that runs past the end; the port refuses it, as the local adapter does.
        if (range && !coversRange(found.ContentRange, range)) {
          body.destroy();
          throw new InvalidRange(key, range);
        }
        return body;
      } catch (error) {
        if (isNotFound(error)) throw new ObjectNotFound(key);
        if (range && statusOf(error) === 416) throw new InvalidRange(key, range);
        throw error;
      }
    },

    async stat(key) {
      const found = await head(key);
      return found && { size: found.size };
    },

    async delete(key) {
      await client.send(new DeleteObjectCommand({ Bucket, Key: checked(key) }));
    },

    async deletePrefix(prefix) {
      // An empty prefix would be every object: refused rather than honoured.
      const trimmed = prefix.endsWith('/') ? prefix.slice(0, -1) : prefix;
      if (!isValidKey(trimmed)) throw new InvalidObjectKey(prefix);
      // Each page is deleted before the next is asked for, so the listing always starts afresh:
      // no continuation token to go stale while keys disappear under it.
      for (;;) {
        const page = await client.send(
          new ListObjectsV2Command({ Bucket, Prefix: prefix, MaxKeys: pageSize }),
        );
        const keys = (page.Contents ?? []).flatMap((object) => (object.Key ? [{ Key: object.Key }] : []));
        if (keys.length === 0) return;
        const deleted = await client.send(
          new DeleteObjectsCommand({ Bucket, Delete: { Objects: keys, Quiet: true } }),
        );
        const failed = deleted.Errors ?? [];
        if (failed.length > 0) {
          throw new Error(
            `S3 kept ${failed.length} objects under ${prefix}: ${failed[0]?.Key} (${failed[0]?.Code})`,
          );
        }
        if (!page.IsTruncated) return;
      }
    },

    direct,

    async ensureBucket() {
      try {
        await client.send(new HeadBucketCommand({ Bucket }));
        return;
      } catch (error) {
        const status = statusOf(error);
        if (status === 403 || status === 401) {
          throw new Error(
            `S3 refused access to bucket ${Bucket} at ${settings.endpoint} (check the credentials)`,
          );
        }
        if (status !== 404) {
          throw new Error(
            `S3 at ${settings.endpoint} did not answer for bucket ${Bucket}: ${messageOf(error)}`,
            {
              cause: error,
            },
          );
        }
      }
      try {
        await client.send(new CreateBucketCommand({ Bucket }));
      } catch (error) {
        // Another process made it meanwhile.
        if (errorName(error) === 'BucketAlreadyOwnedByYou') return;
        throw new Error(
          `Bucket ${Bucket} is missing at ${settings.endpoint} and could not be created: ${messageOf(error)}`,
          { cause: error },
        );
      }
    },

    close() {
      client.destroy();
      if (signer !== client) signer.destroy();
    },
  };
}

function s3Client(settings: S3Settings, endpoint: string): S3Client {
  return new S3Client({
    endpoint,
    region: settings.region,
    forcePathStyle: settings.forcePathStyle,
    credentials: { accessKeyId: settings.accessKeyId, secretAccessKey: settings.secretAccessKey },
    // Checksums only where S3 requires them: S3-compatible servers do not all take the SDK's
    // default CRC32 trailers, and presigned URLs must not carry a checksum of an empty body.
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
    maxAttempts: 3,
  });
}

/**
 * The stream as parts of `partBytes` (the last may be shorter), counted and hashed; past
 * `maxBytes` it throws ObjectTooLarge without reading on. `stored()` is the whole once drained.
 */
function meteredParts(key: string, stream: Readable, partBytes: number, maxBytes: number | undefined) {
  const hash = createHash('sha256');
  let size = 0;
  let drained = false;
  const parts = (async function* () {
    let pending: Buffer[] = [];
    let pendingBytes = 0;
    for await (const chunk of stream) {
      const bytes: Buffer = typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
      size += bytes.length;
      if (maxBytes !== undefined && size > maxBytes) {
        stream.destroy();
        throw new ObjectTooLarge(key, maxBytes);
      }
      hash.update(bytes);
      pending.push(bytes);
      pendingBytes += bytes.length;
      while (pendingBytes >= partBytes) {
        const joined = Buffer.concat(pending);
        yield joined.subarray(0, partBytes);
        pending = [joined.subarray(partBytes)];
        pendingBytes = joined.length - partBytes;
      }
    }
    drained = true;
    if (pendingBytes > 0) yield Buffer.concat(pending);
  })();
  return Object.assign(parts, {
    stored(): StoredObject {
      if (!drained) throw new Error(`The body of ${key} was not read to its end`);
      return { size, sha256: hash.digest('hex') };
    },
  });
}

/**
 * When a presigned URL is signed and for how long. `stable` ones (deliveries) are signed as of the
 * start of the current quarter hour, so that URLs handed out for one object and expiry within it
 * are the same and browsers' and CDNs' caches hit; uploads are signed as of now.
 */
function signingWindow(expiresAt: Date, { stable }: { stable: boolean }) {
  const quarter = 15 * 60_000;
  const signingDate = new Date(stable ? Math.floor(Date.now() / quarter) * quarter : Date.now());
  const seconds = Math.ceil((expiresAt.getTime() - signingDate.getTime()) / 1000);
  return { signingDate, expiresIn: Math.min(MAX_PRESIGN_SECONDS, Math.max(1, seconds)) };
}

function wellFormed(range: ByteRange): boolean {
  return (
    Number.isSafeInteger(range.start) &&
    Number.isSafeInteger(range.end) &&
    range.start >= 0 &&
    range.start <= range.end
  );
}

/** Whether `Content-Range: bytes start-end/size` is exactly the range asked for. */
function coversRange(contentRange: string | undefined, range: ByteRange): boolean {
  const match = /^bytes (\d+)-(\d+)\/(\d+|\*)$/.exec(contentRange ?? '');
  return match !== null && Number(match[1]) === range.start && Number(match[2]) === range.end;
}

/** `attachment` with an ASCII fallback name and the exact one in RFC 5987 form. */
function attachment(fileName: string): string {
  const ascii = fileName.replace(/[^\x20-\x7e]|["\\%]/g, '_');
  return `attachment; filename="${ascii}"; filename*=UTF-8''${encodeURIComponent(fileName)}`;
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message || error.name : String(error);
}

function errorName(error: unknown): string | undefined {
  return error instanceof Error ? error.name : undefined;
}

function statusOf(error: unknown): number | undefined {
  if (typeof error !== 'object' || error === null || !('$metadata' in error)) return undefined;
  const metadata = error.$metadata;
  if (typeof metadata !== 'object' || metadata === null || !('httpStatusCode' in metadata)) return undefined;
  return typeof metadata.httpStatusCode === 'number' ? metadata.httpStatusCode : undefined;
}

/** A missing object; a missing bucket is a configuration fault, not an absent object. */
function isNotFound(error: unknown): boolean {
  const name = errorName(error);
  if (name === 'NoSuchBucket') return false;
  return name === 'NoSuchKey' || name === 'NotFound' || statusOf(error) === 404;
}
