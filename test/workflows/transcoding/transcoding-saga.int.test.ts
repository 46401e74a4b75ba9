import { execFile } from 'node:child_process';
import { createHash, randomUUID } from 'node:crypto';
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { Readable } from 'node:stream';
import { promisify } from 'node:util';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import type { Rendition } from '../../../src/domain/media/media-values.ts';
import { renditionKey } from '../../../src/storage/keys.ts';
import { type MediaFixtures, mediaFixtures } from '../../support/media-fixtures.ts';
import {
  activityAttempts,
  eventsOfType,
  mediaEvents,
  outcomeOf,
  sagaOf,
  startTranscodingHarness,
  storedRenditions,
  type TranscodingHarness,
  upload,
} from './support/harness.ts';

const run = promisify(execFile);

let h: TranscodingHarness;
let fixtures: MediaFixtures;

beforeAll(async () => {
  [h, fixtures] = await Promise.all([startTranscodingHarness(), mediaFixtures()]);
});
afterAll(async () => {
  await h?.close();
});

async function readyManifest(assetId: string) {
  const [ready, ...again] = eventsOfType(await mediaEvents(h, assetId), 'MediaReady');
  expect(again).toEqual([]);
  if (!ready) throw new Error('the asset is not ready');
  return ready.data.manifest;
}

const named = (renditions: Rendition[], name: string) => {
  const found = renditions.find((rendition) => rendition.name === name);
  if (!found) throw new Error(`no rendition ${name}`);
  return found;
};

/** Every rendition's recorded size and SHA-256 are those of the object stored under its key. */
async function expectStoredAsRecorded(renditions: Rendition[]) {
  for (const rendition of renditions) {
    const bytes = await readFile(h.storage.localPath?.(rendition.storageKey) ?? '');
    expect({ name: rendition.name, size: bytes.length, sha256: sha256(bytes) }).toEqual({
      name: rendition.name,
      size: rendition.size,
      sha256: rendition.sha256,
    });
  }
}

const sha256 = (bytes: Buffer) => createHash('sha256').update(bytes).digest('hex');

const probedStream = z.object({
  codec_name: z.string(),
  width: z.number().optional(),
  height: z.number().optional(),
  channels: z.number().optional(),
});
const probedFile = z.object({
  programs: z.array(z.object({ streams: z.array(probedStream) })).default([]),
  streams: z.array(probedStream).default([]),
});

async function ffprobeJson(file: string, entries: string) {
  const { stdout } = await run('ffprobe', ['-v', 'error', '-show_entries', entries, '-of', 'json', file]);
  return probedFile.parse(JSON.parse(stdout));
}

describe('the transcoding saga', () => {
  it('turns a 720p video into the 720p/480p/360p ladder (no 1080p), HLS a player can read, and thumbnails', async () => {
    const assetId = await upload(h, {
      kind: 'video',
      file: fixtures.video720p,
      fileName: 'test pattern.mp4',
      contentType: 'video/mp4',
    });

    expect(await outcomeOf(h, assetId)).toMatchObject({ outcome: 'ready' });
    const manifest = await readyManifest(assetId);
    const mp4s = manifest.renditions.filter((rendition) => rendition.kind === 'video');
    expect(
      mp4s.map(({ name, width, height, contentType }) => ({ name, width, height, contentType })),
    ).toEqual([
      { name: '720p', width: 1280, height: 720, contentType: 'video/mp4' },
      { name: '480p', width: 854, height: 480, contentType: 'video/mp4' },
      { name: '360p', width: 640, height: 360, contentType: 'video/mp4' },
    ]);
    for (const mp4 of mp4s) expect(mp4.durationSeconds).toBeCloseTo(3, 0);
    expect(manifest.hlsMaster).toBe('hls-master.m3u8');
    expect(manifest.poster).toBe('poster-jpeg');

    // The master playlist, read from storage as a player would, lists the three variants.
    const master = h.storage.localPath?.(renditionKey(assetId, 'hls-master.m3u8')) ?? '';
    const probed = await ffprobeJson(master, 'program=program_id:stream=codec_name,width,height');
    const variants = probed.programs.map((program) => program.streams.find((stream) => stream.width));
    expect(variants.map((stream) => [stream?.codec_name, stream?.height])).toEqual([
      ['h264', 720],
      ['h264', 480],
      ['h264', 360],
    ]);
    const masterText = await readFile(master, 'utf8');
    expect(masterText).toContain('hls-480p-playlist.m3u8');
    const playlist = await readFile(
      h.storage.localPath?.(renditionKey(assetId, 'hls-480p-playlist.m3u8')) ?? '',
      'utf8',
    );
    expect(playlist).toContain('#EXT-X-TARGETDURATION:');
    expect(playlist).toContain('\nhls-480p-seg-00001.ts\n');
    const hlsNames = manifest.renditions.filter((rendition) => rendition.kind === 'hls').map((r) => r.name);
    expect(hlsNames).toEqual(
      expect.arrayContaining([
        'hls-master.m3u8',
        'hls-720p-playlist.m3u8',
        'hls-720p-seg-00001.ts',
        'hls-360p-seg-00001.ts',
      ]),
    );

    const stills = manifest.renditions.filter((rendition) => rendition.kind === 'thumbnail');
    expect(stills.map(({ name, width, contentType }) => [name, width, contentType])).toEqual([
      ['poster-jpeg', 1280, 'image/jpeg'],
      ['poster-webp', 1280, 'image/webp'],
      ['thumb-160-webp', 160, 'image/webp'],
      ['thumb-160-jpeg', 160, 'image/jpeg'],
      ['thumb-320-webp', 320, 'image/webp'],
      ['thumb-320-jpeg', 320, 'image/jpeg'],
      ['thumb-640-webp', 640, 'image/webp'],
      ['thumb-640-jpeg', 640, 'image/jpeg'],
    ]);
    await expectStoredAsRecorded(manifest.renditions);
    expect(await storedRenditions(h, assetId)).toEqual(manifest.renditions.map((r) => r.name).sort());

    const events = await mediaEvents(h, assetId);
    expect(eventsOfType(events, 'MediaProcessingStarted')).toHaveLength(1);
    expect(eventsOfType(events, 'MediaProbed').map((event) => event.data)).toEqual([
      expect.objectContaining({ width: 1280, height: 720, videoCodec: 'h264', audioCodec: 'aac' }),
    ]);
    expect(eventsOfType(events, 'MediaModerated').map((event) => event.data)).toEqual([
      { assetId, checker: 'local-rules', decision: 'allowed', reasons: [] },
    ]);
    const progress = eventsOfType(events, 'MediaProcessingProgressed').map(
      ({ data }) => `${data.step}:${data.detail ?? ''}:${data.percent}`,
    );
    expect(progress).toEqual(
      expect.arrayContaining([
        'probe::0',
        'moderation::100',
        'renditions:720p:0',
        'renditions:720p:100',
        'renditions:360p:100',
        'renditions::100',
        'hls::100',
        'thumbnails::100',
      ]),
    );
    expect(progress).not.toContain(expect.stringMatching(/^renditions:1080p/));
  });

  it('turns an image into WebP and AVIF at the ladder widths up to its own (1280: no 1920) and square crops', async () => {
    const assetId = await upload(h, {
      kind: 'image',
      file: fixtures.png,
      fileName: 'pattern.png',
      contentType: 'image/png',
    });

    expect(await outcomeOf(h, assetId)).toMatchObject({ outcome: 'ready' });
    const manifest = await readyManifest(assetId);
    expect(manifest.renditions.map(({ name, kind, width, height }) => [name, kind, width, height])).toEqual([
      ['image-480-webp', 'image', 480, 270],
      ['image-480-avif', 'image', 480, 270],
      ['image-720-webp', 'image', 720, 405],
      ['image-720-avif', 'image', 720, 405],
      ['image-1080-webp', 'image', 1080, 608],
      ['image-1080-avif', 'image', 1080, 608],
      ['square-256-webp', 'image', 256, 256],
      ['square-64-webp', 'image', 64, 64],
    ]);
    for (const name of ['square-256-webp', 'square-64-webp']) {
      const square = named(manifest.renditions, name);
      const stored = await sharp(h.storage.localPath?.(square.storageKey) ?? '').metadata();
      expect([stored.format, stored.width, stored.height]).toEqual(['webp', square.width, square.width]);
    }
    const avif = named(manifest.renditions, 'image-1080-avif');
    expect(avif.contentType).toBe('image/avif');
    const decoded = await sharp(h.storage.localPath?.(avif.storageKey) ?? '').metadata();
    expect([decoded.format, decoded.width]).toEqual(['heif', 1080]);
    await expectStoredAsRecorded(manifest.renditions);
    const [probed] = eventsOfType(await mediaEvents(h, assetId), 'MediaProbed');
    expect(probed?.data).toMatchObject({
      formatName: 'png',
      width: 1280,
      height: 720,
      durationSeconds: null,
    });
  });

  it('turns a voice message (WAV) into AAC and Opus', async () => {
    const assetId = await upload(h, {
      kind: 'audio',
      file: fixtures.wav,
      fileName: 'voice message.wav',
      contentType: 'audio/wav',
    });

    expect(await outcomeOf(h, assetId)).toEqual({ outcome: 'ready', renditions: 2 });
    const manifest = await readyManifest(assetId);
    expect(manifest.renditions.map(({ name, kind, contentType }) => [name, kind, contentType])).toEqual([
      ['audio-aac', 'audio', 'audio/mp4'],
      ['audio-opus', 'audio', 'audio/ogg'],
    ]);
    for (const [name, codec] of [
      ['audio-aac', 'aac'],
      ['audio-opus', 'opus'],
    ] as const) {
      const rendition = named(manifest.renditions, name);
      expect(rendition.durationSeconds).toBeCloseTo(2, 0);
      const probed = await ffprobeJson(
        h.storage.localPath?.(rendition.storageKey) ?? '',
        'stream=codec_name,channels',
      );
      expect(probed.streams).toEqual([{ codec_name: codec, channels: 1 }]);
    }
    await expectStoredAsRecorded(manifest.renditions);
  });

  it('fails a corrupt video at once with a readable reason, without retrying, and removes partial outputs', async () => {
    const assetId = randomUUID();
    // What an earlier, interrupted attempt could have left behind.
    await h.storage.put(renditionKey(assetId, '720p'), Readable.from([Buffer.from('half a rendition')]));
    await upload(
      h,
      { kind: 'video', file: fixtures.corruptMp4, fileName: 'broken.mp4', contentType: 'video/mp4' },
      assetId,
    );

    const outcome = await outcomeOf(h, assetId);
    expect(outcome).toEqual({
      outcome: 'failed',
      stage: 'probe',
      reason: expect.stringMatching(
        /^The file is not playable media: its MP4 index \(the moov atom\) is missing/,
      ),
    });
    const events = await mediaEvents(h, assetId);
    expect(eventsOfType(events, 'MediaProcessingFailed').map((event) => event.data)).toEqual([
      { assetId, stage: 'probe', reason: outcome.outcome === 'failed' ? outcome.reason : '' },
    ]);
    expect(eventsOfType(events, 'MediaReady')).toEqual([]);
    expect(await storedRenditions(h, assetId)).toEqual([]);
    // Invalid media is not retried: one attempt.
    expect(await activityAttempts(await sagaOf(h, assetId), 'probeMedia')).toEqual([1]);
  });

  it('makes a plain file ready without renditions', async () => {
    // Beside the storage, which the harness removes.
    const file = path.join(h.storageRoot, `notes-${randomUUID()}.txt`);
    await writeFile(file, 'meeting notes\n');
    const assetId = await upload(h, { kind: 'file', file, fileName: 'notes.txt', contentType: 'text/plain' });

    expect(await outcomeOf(h, assetId)).toEqual({ outcome: 'ready', renditions: 0 });
    const events = await mediaEvents(h, assetId);
    expect(eventsOfType(events, 'MediaProbed')).toEqual([]);
    expect(eventsOfType(events, 'MediaModerated').map((event) => event.data.checker)).toEqual([
      'local-rules',
    ]);
    expect(await readyManifest(assetId)).toEqual({ renditions: [], hlsMaster: null, poster: null });
  });
});
