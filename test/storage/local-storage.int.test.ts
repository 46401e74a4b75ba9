import { randomUUID } from 'node:crypto';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { PassThrough, Readable } from 'node:stream';
import { text } from 'node:stream/consumers';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { originalKey } from '../../src/storage/keys.ts';
import { createLocalStorage } from '../../src/storage/local-storage.ts';
import type { ObjectStorage } from '../../src/storage/port.ts';
import { storageConformance } from './storage-conformance.ts';

/** Every file under `dir`, relative to it (temporary files included). */
async function filesUnder(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true }).catch(() => []);
  return entries
    .filter((entry) => entry.isFile())
    .map((entry) => relative(dir, join(entry.parentPath, entry.name)))
    .sort();
}

storageConformance(
  'local object storage',
  async () => {
    const root = await mkdtemp(join(tmpdir(), 'chronicle-storage-'));
    return {
      storage: createLocalStorage(root),
      objects: () => filesUnder(root),
      dispose: () => rm(root, { recursive: true, force: true }),
    };
  },
  { largeBytes: 1024 * 1024 },
);

describe('local object storage', () => {
  let root: string;
  let storage: ObjectStorage;
  const assetId = randomUUID();
  const key = originalKey(assetId, 'upload-1');

  beforeEach(async () => {
    root = await mkdtemp(join(tmpdir(), 'chronicle-storage-'));
    storage = createLocalStorage(root);
  });
  afterEach(async () => {
    await rm(root, { recursive: true, force: true });
  });

  it('keeps serving the old bytes to a reader that opened them before a replacement', async () => {
    await storage.put(key, Readable.from([Buffer.from('old object')]));
    const reading = await storage.get(key);
    const source = new PassThrough();
    const putting = storage.put(key, source);
    source.end('new object!');
    await putting;
    expect(await text(reading)).toBe('old object');
    expect(await text(await storage.get(key))).toBe('new object!');
  });

  it('tells tools such as ffmpeg where an object lives on disk', async () => {
    await storage.put(key, Readable.from([Buffer.from('bytes')]));
    const path = storage.localPath?.(key);
    expect(path).toBe(join(root, 'media', assetId, 'original', 'upload-1'));
    expect(await readFile(path ?? '', 'utf8')).toBe('bytes');
  });

  it('offers no presigned URLs: the API carries the bytes', () => {
    expect(storage.direct).toBeUndefined();
  });
});
