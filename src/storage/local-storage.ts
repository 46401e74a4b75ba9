import { createHash, randomUUID } from 'node:crypto';
import { type FileHandle, mkdir, open, readdir, rename, rm, stat, unlink } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { type ByteRange, InvalidObjectKey, InvalidRange, ObjectNotFound, ObjectTooLarge } from './errors.ts';
import { isValidKey } from './keys.ts';
import type { ObjectStorage, PutOptions, StoredObject } from './port.ts';

export { isValidKey } from './keys.ts';

/**
 * Object storage in a directory: a key is a relative path under `rootDir`. `put` streams into a
 * temporary file beside the target (same filesystem), flushes it to disk and renames it into place,
 * so a crash leaves the old object or the new one, never half of one. Temporary files a crash
 * leaves behind start with a dot and are never any key's object.
 */
export function createLocalStorage(rootDir: string): ObjectStorage {
  const root = resolve(rootDir);
  const pathOf = (key: string): string => {
    if (!isValidKey(key)) throw new InvalidObjectKey(key);
    return join(root, ...key.split('/'));
  };

  return {
    async put(key, stream, options = {}) {
      const target = pathOf(key);
      const temporary = join(dirname(target), `.${basename(target)}.${randomUUID()}.tmp`);
      const file = await createExclusive(temporary);
      try {
        const stored = await writeMetered(key, stream, file, options);
        await rename(temporary, target);
        await syncDirectory(dirname(target));
        return stored;
      } catch (error) {
        await unlink(temporary).catch(() => undefined);
        throw error;
      }
    },

    async get(key, range) {
      const path = pathOf(key);
      const handle = await open(path, 'r').catch((error: unknown) => {
        throw isMissing(error) ? new ObjectNotFound(key) : error;
      });
      try {
        const { size } = await handle.stat();
        if (range && !withinObject(range, size)) throw new InvalidRange(key, range);
        // The open handle keeps reading the object it opened even if it is replaced or deleted meanwhile.
        return handle.createReadStream(range ? { start: range.start, end: range.end } : {});
      } catch (error) {
        await handle.close();
        throw error;
      }
    },

    async stat(key) {
      try {
        const info = await stat(pathOf(key));
        return info.isFile() ? { size: info.size } : null;
      } catch (error) {
        if (isMissing(error)) return null;
        throw error;
      }
    },

    // Empty directories are left behind: removing them could race a `put` creating a sibling.
    async delete(key) {
      await rm(pathOf(key), { force: true });
    },

    async deletePrefix(prefix) {
      // An empty prefix would be every object: refused rather than honoured.
      const trimmed = prefix.endsWith('/') ? prefix.slice(0, -1) : prefix;
      if (!isValidKey(trimmed)) throw new InvalidObjectKey(prefix);
      const path = join(root, ...trimmed.split('/'));
      if (prefix.endsWith('/')) {
        await rm(path, { recursive: true, force: true });
      } else {
        const parent = dirname(path);
        const entries = await readdir(parent).catch((error: unknown) => {
          if (isMissing(error)) return [];
          throw error;
        });
        const start = basename(path);
        for (const entry of entries) {
          if (entry.startsWith(start)) await rm(join(parent, entry), { recursive: true, force: true });
        }
      }
    },

    localPath: pathOf,
  };
}

/**
 * Opens a new file for writing before any byte is read from the source, creating its directory
 * (again, if a concurrent `deletePrefix` removed it in between).
 */
async function createExclusive(path: string): Promise<FileHandle> {
  for (let attempt = 0; ; attempt++) {
    await mkdir(dirname(path), { recursive: true });
    try {
      return await open(path, 'wx');
    } catch (error) {
      if (!isMissing(error) || attempt >= 2) throw error;
    }
  }
}

/** Copies `stream` into `file`, counting and hashing; refuses past `maxBytes` without reading on. */
async function writeMetered(
  key: string,
  stream: Readable,
  file: FileHandle,
  { maxBytes }: PutOptions,
): Promise<StoredObject> {
  const hash = createHash('sha256');
  let size = 0;
  await pipeline(
    stream,
    async function* meter(source: AsyncIterable<Buffer | string>) {
      for await (const chunk of source) {
        const bytes = typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
        size += bytes.length;
        if (maxBytes !== undefined && size > maxBytes) throw new ObjectTooLarge(key, maxBytes);
        hash.update(bytes);
        yield bytes;
      }
    },
    file.createWriteStream({ flush: true }),
  );
  return { size, sha256: hash.digest('hex') };
}

/** Makes the rename itself durable (the directory entry), where the platform allows it. */
async function syncDirectory(path: string): Promise<void> {
  const directory = await open(path, 'r').catch(() => undefined);
  if (!directory) return;
  try {
    await directory.sync();
  } catch {
    // Some filesystems refuse fsync on directories; the rename is still atomic.
  } finally {
    await directory.close();
  }
}

function withinObject(range: ByteRange, size: number): boolean {
  return (
    Number.isSafeInteger(range.start) &&
    Number.isSafeInteger(range.end) &&
    range.start >= 0 &&
    range.start <= range.end &&
    range.end < size
  );
}

function isMissing(error: unknown): boolean {
  return error instanceof Error && 'code' in error && (error.code === 'ENOENT' || error.code === 'ENOTDIR');
}
