import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { encodeImage, imageRenditions, probeImage } from '../../src/media/images.ts';
import { extractFrame, thumbnailSet } from '../../src/media/stills.ts';
import { type MediaFixtures, mediaFixtures } from '../support/media-fixtures.ts';

let fixtures: MediaFixtures;
let dir: string;

beforeAll(async () => {
  [fixtures, dir] = await Promise.all([mediaFixtures(), mkdtemp(path.join(tmpdir(), 'chronicle-stills-'))]);
});
afterAll(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe('thumbnails', () => {
  it('takes a poster frame with ffmpeg, then the poster and three sizes in WebP and JPEG with sharp', async () => {
    const frame = path.join(dir, 'poster.png');
    await extractFrame(fixtures.video720p, frame, { atSeconds: 0.3 });
    const stills = await thumbnailSet(frame, { sourceWidth: 1280 });
    expect(stills.map(({ name, width, height }) => [name, width, height])).toEqual([
      ['poster-jpeg', 1280, 720],
      ['poster-webp', 1280, 720],
      ['thumb-160-webp', 160, 90],
      ['thumb-160-jpeg', 160, 90],
      ['thumb-320-webp', 320, 180],
      ['thumb-320-jpeg', 320, 180],
      ['thumb-640-webp', 640, 360],
      ['thumb-640-jpeg', 640, 360],
    ]);
    for (const still of stills) {
      expect((await sharp(still.data).metadata()).format).toBe(still.format);
    }
  });
});

describe('images', () => {
  it('never upscales: a 300 px wide image keeps its width', async () => {
    const small = await sharp({ create: { width: 300, height: 200, channels: 3, background: '#3366aa' } })
      .png()
      .toBuffer();
    const file = path.join(dir, 'small.png');
    await sharp(small).toFile(file);
    const renditions = await imageRenditions(file, { sourceWidth: 300 });
    expect(renditions.map(({ name, width }) => [name, width])).toEqual([
      ['image-300-webp', 300],
      ['image-300-avif', 300],
    ]);
  });

  it('turns photos upright (EXIF orientation) and drops their metadata, GPS included', async () => {
    const sideways = path.join(dir, 'sideways.jpg');
    await sharp({ create: { width: 800, height: 600, channels: 3, background: '#aa3366' } })
      .jpeg()
      .withMetadata({ orientation: 6, exif: { IFD3: { GPSLatitudeRef: 'N', GPSLatitude: '51/1 30/1 0/1' } } })
      .toFile(sideways);
    expect(await probeImage(sideways)).toMatchObject({ formatName: 'jpeg', width: 600, height: 800 });
    const upright = await encodeImage(sideways, { name: 'image-480-webp', width: 480, format: 'webp' });
    expect([upright.width, upright.height]).toEqual([480, 640]);
    const metadata = await sharp(upright.data).metadata();
    expect(metadata.exif).toBeUndefined();
    expect(metadata.orientation).toBeUndefined();
  });

  it('refuses what is not an image with a readable reason', async () => {
    await expect(probeImage(fixtures.wav)).rejects.toMatchObject({
      code: 'INVALID_MEDIA',
      reason: expect.stringMatching(/^The file is not an image that can be read/),
    });
  });
});
