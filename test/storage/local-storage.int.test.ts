import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { PassThrough, Readable } from 'node:stream';
import { text } from 'node:stream/consumers';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { InvalidObjectKey, InvalidRange, ObjectNotFound, ObjectTooLarge } from '../../src/storage/errors.ts';
import { assetPrefix, originalKey, renditionKey } from '../../src/storage/keys.ts';
import { createLocalStorage } from '../../src/storage/local-storage.ts';
import type { ObjectStorage } from '../../src/storage/port.ts';

const sha256 = (bytes: Buffer) => createHash('sha256').update(bytes).digest('hex');
const bufferOf = async (stream: Readable) => Buffer.concat(await stream.toArray());

/** Every file under `dir`, relative to it (temporary files included). */
async function filesUnder(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true }).catch(() => []);
  return entries
    .filter((entry) => entry.isFile())
    .map((entry) => relative(dir, join(entry.parentPath, entry.name)))
    .sort();
}

/** A source that yields `chunks` chunks of `size` bytes and counts how many were taken. */
function countingSource(chunks: number, size: number) {
  const pulled = { count: 0 };
  const stream = Readable.from(
    (function* () {
      for (let i = 0; i < chunks; i++) {
        pulled.count++;
        yield Buffer.alloc(size, i % 256);
      }
    })(),
  );
  return { stream, pulled };
}

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

  it('stores a stream and gives back its size and SHA-256', async () => {
    const bytes = randomBytes(300_000);
    const stored = await storage.put(key, Readable.from([bytes.subarray(0, 1000), bytes.subarray(1000)]));
    expect(stored).toEqual({ size: bytes.length, sha256: sha256(bytes) });
    expect(await storage.stat(key)).toEqual({ size: bytes.length });
    expect((await bufferOf(await storage.get(key))).equals(bytes)).toBe(true);
    expect(await filesUnder(root)).toEqual([`media/${assetId}/original/upload-1`]);
  });

  it('is atomic: nothing is visible under the key until the whole object is written', async () => {
    const source = new PassThrough();
    const putting = storage.put(key, source);
    source.write(Buffer.alloc(10_000, 1));
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(await storage.stat(key)).toBeNull();
    await expect(storage.get(key)).rejects.toBeInstanceOf(ObjectNotFound);
    source.end(Buffer.alloc(5_000, 2));
    await putting;
    expect(await storage.stat(key)).toEqual({ size: 15_000 });
  });

  it('replaces an object whole: readers see the old bytes or the new, never a mix', async () => {
    await storage.put(key, Readable.from([Buffer.from('old object')]));
    const reading = await storage.get(key);
    const source = new PassThrough();
    const putting = storage.put(key, source);
    source.write('new ');
    expect(await text(await storage.get(key))).toBe('old object');
    source.end('object!');
    await putting;
    expect(await text(reading)).toBe('old object');
    expect(await text(await storage.get(key))).toBe('new object!');
  });

  it('refuses a stream larger than maxBytes as soon as it grows past it, and keeps nothing', async () => {
    const { stream, pulled } = countingSource(1_000, 1024);
    const refused = storage.put(key, stream, { maxBytes: 10 * 1024 });
    await expect(refused).rejects.toBeInstanceOf(ObjectTooLarge);
    await expect(refused).rejects.toMatchObject({ code: 'OBJECT_TOO_LARGE', key, maxBytes: 10 * 1024 });
    expect(pulled.count).toBeLessThan(50);
    expect(await filesUnder(root)).toEqual([]);
    expect(await storage.stat(key)).toBeNull();
  });

  it('accepts a stream of exactly maxBytes', async () => {
    const { stream } = countingSource(10, 1024);
    expect((await storage.put(key, stream, { maxBytes: 10 * 1024 })).size).toBe(10 * 1024);
  });

  it('keeps nothing when the source fails midway (a client that hangs up)', async () => {
    const source = new PassThrough();
    const putting = storage.put(key, source);
    source.write(Buffer.alloc(64 * 1024));
    setTimeout(() => source.destroy(new Error('client went away')), 10);
    await expect(putting).rejects.toThrow('client went away');
    expect(await filesUnder(root)).toEqual([]);
  });

  it('reads byte ranges, last byte inclusive', async () => {
    const bytes = randomBytes(10_000);
    await storage.put(key, Readable.from([bytes]));
    const range = await bufferOf(await storage.get(key, { start: 100, end: 1_099 }));
    expect(range.equals(bytes.subarray(100, 1_100))).toBe(true);
    const last = await bufferOf(await storage.get(key, { start: 9_999, end: 9_999 }));
    expect(last.equals(bytes.subarray(9_999))).toBe(true);
  });

  it('refuses ranges outside the object and objects that are not there', async () => {
    await storage.put(key, Readable.from([Buffer.alloc(100)]));
    for (const range of [
      { start: 0, end: 100 },
      { start: 50, end: 49 },
      { start: -1, end: 10 },
    ]) {
      await expect(storage.get(key, range)).rejects.toBeInstanceOf(InvalidRange);
    }
    await expect(storage.get(renditionKey(assetId, '720p'))).rejects.toBeInstanceOf(ObjectNotFound);
    expect(await storage.stat(renditionKey(assetId, '720p'))).toBeNull();
  });

  it('deletes an object; deleting a missing one is no error', async () => {
    await storage.put(key, Readable.from([Buffer.from('x')]));
    await storage.delete(key);
    await storage.delete(key);
    expect(await storage.stat(key)).toBeNull();
  });

  it('deletes everything under a prefix and nothing else', async () => {
    const other = randomUUID();
    for (const each of [key, renditionKey(assetId, '720p'), renditionKey(assetId, 'hls-720p-seg-00001')]) {
      await storage.put(each, Readable.from([Buffer.from(each)]));
    }
    await storage.put(renditionKey(other, '720p'), Readable.from([Buffer.from('keep')]));
    await storage.deletePrefix(`media/${assetId}/renditions/hls-`);
    expect(await filesUnder(root)).toEqual(
      [
        `media/${assetId}/original/upload-1`,
        `media/${assetId}/renditions/720p`,
        `media/${other}/renditions/720p`,
      ].sort(),
    );
    await storage.deletePrefix(assetPrefix(assetId));
    expect(await filesUnder(root)).toEqual([`media/${other}/renditions/720p`]);
    await storage.deletePrefix(assetPrefix(randomUUID()));
    await expect(storage.deletePrefix('')).rejects.toBeInstanceOf(InvalidObjectKey);
  });

  it('refuses keys that are not plain relative paths', async () => {
    for (const bad of [
      '',
      '/etc/passwd',
      '../outside',
      'media/../../x',
      'a//b',
      'media/.hidden',
      'a/b/',
      'a b',
    ]) {
      await expect(storage.put(bad, Readable.from([Buffer.from('x')]))).rejects.toBeInstanceOf(
        InvalidObjectKey,
      );
      await expect(storage.stat(bad)).rejects.toBeInstanceOf(InvalidObjectKey);
    }
    expect(await filesUnder(root)).toEqual([]);
  });

  it('tells tools such as ffmpeg where an object lives on disk', async () => {
    await storage.put(key, Readable.from([Buffer.from('bytes')]));
    const path = storage.localPath?.(key);
    expect(path).toBe(join(root, 'media', assetId, 'original', 'upload-1'));
    expect(await readFile(path ?? '', 'utf8')).toBe('bytes');
  });
});
