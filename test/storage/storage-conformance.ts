import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { PassThrough, Readable } from 'node:stream';
import { text } from 'node:stream/consumers';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { InvalidObjectKey, InvalidRange, ObjectNotFound, ObjectTooLarge } from '../../src/storage/errors.ts';
import { assetPrefix, originalKey, renditionKey } from '../../src/storage/keys.ts';
import type { ObjectStorage } from '../../src/storage/port.ts';

/** What the conformance suite needs of an adapter under test. */
export interface ConformanceFixture {
  storage: ObjectStorage;
  /**
   * Everything the backend holds, sorted: for the filesystem every file (temporary ones too), for
   * S3 every key in the bucket. "Leaves nothing" is checked against it.
   */
  objects(): Promise<string[]>;
  /** Removes everything, so the next test starts from an empty store. */
  dispose(): Promise<void>;
}

export interface ConformanceOptions {
  /** Bytes in a stream big enough to take the adapter's multipart path, if it has one. */
  largeBytes: number;
}

const sha256 = (bytes: Buffer) => createHash('sha256').update(bytes).digest('hex');
const bufferOf = async (stream: Readable) => Buffer.concat(await stream.toArray());
const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** A source that yields `chunks` chunks of `size` bytes and counts how many were taken. */
export function countingSource(chunks: number, size: number) {
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

/**
 * The promises of the ObjectStorage port (src/storage/port.ts), which every adapter must keep:
 * atomic puts, refusals that leave nothing, inclusive ranges, typed errors, prefix deletion.
 */
export function storageConformance(
  name: string,
  makeFixture: () => Promise<ConformanceFixture>,
  options: ConformanceOptions,
) {
  describe(`${name}: the object storage port`, () => {
    let fixture: ConformanceFixture;
    let storage: ObjectStorage;
    let assetId: string;
    let key: string;

    beforeEach(async () => {
      fixture = await makeFixture();
      storage = fixture.storage;
      assetId = randomUUID();
      key = originalKey(assetId, 'upload-1');
    });
    afterEach(async () => {
      await fixture.dispose();
    });

    it('stores a stream and gives back its size and SHA-256', async () => {
      const bytes = randomBytes(300_000);
      const stored = await storage.put(key, Readable.from([bytes.subarray(0, 1000), bytes.subarray(1000)]));
      expect(stored).toEqual({ size: bytes.length, sha256: sha256(bytes) });
      expect(await storage.stat(key)).toEqual({ size: bytes.length });
      expect((await bufferOf(await storage.get(key))).equals(bytes)).toBe(true);
      expect(await fixture.objects()).toEqual([key]);
    });

    it('stores an empty stream as an empty object', async () => {
      expect(await storage.put(key, Readable.from([]))).toEqual({ size: 0, sha256: sha256(Buffer.alloc(0)) });
      expect(await storage.stat(key)).toEqual({ size: 0 });
    });

    it('stores a stream larger than one part whole, with its SHA-256', async () => {
      const bytes = randomBytes(options.largeBytes);
      const chunks = Array.from({ length: Math.ceil(bytes.length / 65_536) }, (_, i) =>
        bytes.subarray(i * 65_536, (i + 1) * 65_536),
      );
      expect(await storage.put(key, Readable.from(chunks))).toEqual({
        size: bytes.length,
        sha256: sha256(bytes),
      });
      expect(sha256(await bufferOf(await storage.get(key)))).toBe(sha256(bytes));
      expect(await fixture.objects()).toEqual([key]);
    });

    it('is atomic: nothing is visible under the key until the whole object is written', async () => {
      const source = new PassThrough();
      const putting = storage.put(key, source);
      // More than a part, so an adapter that uploads in parts has sent some before the end.
      source.write(Buffer.alloc(options.largeBytes, 1));
      await pause(300);
      expect(await storage.stat(key)).toBeNull();
      await expect(storage.get(key)).rejects.toBeInstanceOf(ObjectNotFound);
      source.end(Buffer.alloc(5_000, 2));
      await putting;
      expect(await storage.stat(key)).toEqual({ size: options.largeBytes + 5_000 });
    });

    it('replaces an object whole: readers see the old bytes or the new, never a mix', async () => {
      await storage.put(key, Readable.from([Buffer.from('old object')]));
      const source = new PassThrough();
      const putting = storage.put(key, source);
      source.write('new ');
      await pause(50);
      expect(await text(await storage.get(key))).toBe('old object');
      source.end('object!');
      await putting;
      expect(await text(await storage.get(key))).toBe('new object!');
    });

    it('refuses a stream larger than maxBytes as soon as it grows past it, and keeps nothing', async () => {
      const { stream, pulled } = countingSource(1_000, 1024);
      const refused = storage.put(key, stream, { maxBytes: 10 * 1024 });
      await expect(refused).rejects.toBeInstanceOf(ObjectTooLarge);
      await expect(refused).rejects.toMatchObject({ code: 'OBJECT_TOO_LARGE', key, maxBytes: 10 * 1024 });
      expect(pulled.count).toBeLessThan(50);
      expect(await fixture.objects()).toEqual([]);
      expect(await storage.stat(key)).toBeNull();
    });

    it('refuses past maxBytes after parts were already sent, and keeps nothing', async () => {
      const chunk = 256 * 1024;
      const maxBytes = options.largeBytes + chunk;
      const { stream } = countingSource(Math.ceil((2 * options.largeBytes) / chunk), chunk);
      await expect(storage.put(key, stream, { maxBytes })).rejects.toBeInstanceOf(ObjectTooLarge);
      expect(await fixture.objects()).toEqual([]);
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
      expect(await fixture.objects()).toEqual([]);
    });

    it('reads byte ranges, last byte inclusive', async () => {
      const bytes = randomBytes(10_000);
      await storage.put(key, Readable.from([bytes]));
      const range = await bufferOf(await storage.get(key, { start: 100, end: 1_099 }));
      expect(range.equals(bytes.subarray(100, 1_100))).toBe(true);
      const last = await bufferOf(await storage.get(key, { start: 9_999, end: 9_999 }));
      expect(last.equals(bytes.subarray(9_999))).toBe(true);
    });

    it('refuses ranges outside the object and objects that are not there, typed', async () => {
      await storage.put(key, Readable.from([Buffer.alloc(100)]));
      for (const range of [
        { start: 0, end: 100 },
        { start: 100, end: 150 },
        { start: 50, end: 49 },
        { start: -1, end: 10 },
      ]) {
        await expect(storage.get(key, range)).rejects.toBeInstanceOf(InvalidRange);
      }
      const missing = renditionKey(assetId, '720p');
      await expect(storage.get(missing)).rejects.toBeInstanceOf(ObjectNotFound);
      await expect(storage.get(missing, { start: 0, end: 1 })).rejects.toMatchObject({
        code: 'OBJECT_NOT_FOUND',
        key: missing,
      });
      expect(await storage.stat(missing)).toBeNull();
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
      expect(await fixture.objects()).toEqual(
        [key, renditionKey(assetId, '720p'), renditionKey(other, '720p')].sort(),
      );
      await storage.deletePrefix(assetPrefix(assetId));
      expect(await fixture.objects()).toEqual([renditionKey(other, '720p')]);
      await storage.deletePrefix(assetPrefix(randomUUID()));
      await expect(storage.deletePrefix('')).rejects.toBeInstanceOf(InvalidObjectKey);
    });

    it('deletes a prefix holding more keys than one listing page', async () => {
      const keys = Array.from({ length: 40 }, (_, i) =>
        renditionKey(assetId, `hls-seg-${String(i).padStart(5, '0')}`),
      );
      await Promise.all(keys.map((each) => storage.put(each, Readable.from([Buffer.from(each)]))));
      await storage.put(renditionKey(randomUUID(), 'keep'), Readable.from([Buffer.from('keep')]));
      await storage.deletePrefix(assetPrefix(assetId));
      expect(await fixture.objects()).toHaveLength(1);
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
        await expect(storage.get(bad)).rejects.toBeInstanceOf(InvalidObjectKey);
      }
      expect(await fixture.objects()).toEqual([]);
    });
  });
}
