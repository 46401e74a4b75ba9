import { createReadStream } from 'node:fs';
import { readdir } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { incomingKey } from '../../../src/storage/keys.ts';
import type { ObjectStorage } from '../../../src/storage/port.ts';
import { purgeWorkflowId } from '../../../src/workflows/transcoding/ids.ts';
import { type MediaFixtures, mediaFixtures } from '../../support/media-fixtures.ts';
import {
  deleteAsset,
  outcomeOf,
  startTranscodingHarness,
  type TranscodingHarness,
  upload,
} from './support/harness.ts';

let h: TranscodingHarness;
let fixtures: MediaFixtures;
/** The prefixes the workers asked to delete, each with whether that attempt failed. */
const deletions: { prefix: string; failed: boolean }[] = [];

/** The storage directory, except that the first `deletePrefix` of each asset prefix fails. */
function failingOnce(storage: ObjectStorage): ObjectStorage {
  const failedBefore = new Set<string>();
  return {
    ...storage,
    async deletePrefix(prefix) {
      const fails = /^media\/[^/]+\/$/.test(prefix) && !failedBefore.has(prefix);
      deletions.push({ prefix, failed: fails });
      if (fails) {
        failedBefore.add(prefix);
        throw new Error('The storage is unavailable');
      }
      await storage.deletePrefix(prefix);
    },
  };
}

beforeAll(async () => {
  [h, fixtures] = await Promise.all([
    startTranscodingHarness({ workerStorage: failingOnce }),
    mediaFixtures(),
  ]);
});
afterAll(async () => {
  await h?.close();
});

/** Every file stored for the asset, whatever its kind (original, renditions, incoming). */
async function storedFiles(assetId: string): Promise<string[]> {
  const dir = path.join(h.storageRoot, 'media', assetId);
  const entries = await readdir(dir, { recursive: true, withFileTypes: true }).catch(() => []);
  return entries.filter((entry) => entry.isFile()).map((entry) => entry.name);
}

describe('purging a deleted asset', () => {
  it('removes the original, the renditions and the incoming object even when the first attempt fails', async () => {
    const assetId = await upload(h, {
      kind: 'image',
      file: fixtures.png,
      fileName: 'pattern.png',
      contentType: 'image/png',
    });
    expect(await outcomeOf(h, assetId)).toMatchObject({ outcome: 'ready' });
    // What a crash between recording a direct upload and removing its incoming object leaves.
    await h.storage.put(incomingKey(assetId), createReadStream(fixtures.png));
    const before = await storedFiles(assetId);
    expect(before).toContain('upload');
    expect(before.length).toBeGreaterThan(2);

    await deleteAsset(h, assetId);
    const purge = h.client.workflow.getHandle(purgeWorkflowId(assetId));
    // The process manager starts the purge once it reads MediaDeleted.
    await vi.waitFor(() => purge.describe(), { timeout: 10_000, interval: 50 });
    await purge.result();

    expect(await storedFiles(assetId)).toEqual([]);
    expect(deletions.filter((each) => each.prefix === `media/${assetId}/`)).toEqual([
      { prefix: `media/${assetId}/`, failed: true },
      { prefix: `media/${assetId}/`, failed: false },
    ]);
  });
});
