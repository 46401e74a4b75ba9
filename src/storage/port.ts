import type { Readable } from 'node:stream';
import type { DirectObjectAccess } from './direct-access.ts';
import type { ByteRange } from './errors.ts';

export type { ByteRange } from './errors.ts';

export interface PutOptions {
  /** Refuse (ObjectTooLarge) and keep nothing as soon as the stream grows past this many bytes. */
  maxBytes?: number;
}

export interface StoredObject {
  size: number;
  /** Lower-case hex SHA-256 of the bytes stored. */
  sha256: string;
}

/**
 * Where media bytes live: the local filesystem by default (`createLocalStorage`) or an S3-compatible
 * bucket (`createS3Storage`), chosen by configuration (`createStorage`), without callers changing. Keys are `/`-separated segments of `[A-Za-z0-9._-]`, e.g.
 * `media/<assetId>/original/<uploadId>`, `media/<assetId>/renditions/<name>` (see `keys.ts`).
 *
 * - `put` is atomic: readers see the whole object or none (never a half-written one), a failed or
 *   refused put leaves nothing, and a put over an existing key replaces it whole.
 * - Errors are typed: `ObjectTooLarge`, `ObjectNotFound`, `InvalidObjectKey`, `InvalidRange`.
 */
export interface ObjectStorage {
  /** Stores the stream's bytes under `key`, hashing them on the way. */
  put(key: string, stream: Readable, options?: PutOptions): Promise<StoredObject>;
  /** The object's bytes, or those of `range` (inclusive, within the object). */
  get(key: string, range?: ByteRange): Promise<Readable>;
  stat(key: string): Promise<{ size: number } | null>;
  /** Removes the object; removing a missing one is not an error. */
  delete(key: string): Promise<void>;
  /** Removes every object whose key starts with `prefix` (e.g. `media/<assetId>/`). */
  deletePrefix(prefix: string): Promise<void>;
  /**
   * Where the object is (or would be) on the local filesystem, for tools such as ffmpeg that read
   * and write files. Only adapters backed by a local filesystem have it; with others, download to
   * a temporary directory and `put` the results. Writing there directly is not atomic.
   */
  localPath?(key: string): string;
  /**
   * Presigned URLs clients use to upload and fetch objects themselves. Only adapters whose objects
   * clients can reach have it (S3); without it the API carries the bytes.
   */
  direct?: DirectObjectAccess;
}
