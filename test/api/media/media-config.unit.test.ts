import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../../src/config.ts';

describe('media configuration', () => {
  it('defaults to per-kind limits of 2 GiB video, 20 MiB images, 50 MiB audio and files, under DATA_DIR', () => {
    const config = loadConfig({ DATA_DIR: '/var/lib/chronicle' });
    expect(config).toMatchObject({
      MEDIA_DIR: '/var/lib/chronicle/media',
      MEDIA_MAX_VIDEO_BYTES: 2 * 1024 ** 3,
      MEDIA_MAX_IMAGE_BYTES: 20 * 1024 ** 2,
      MEDIA_MAX_AUDIO_BYTES: 50 * 1024 ** 2,
      MEDIA_MAX_FILE_BYTES: 50 * 1024 ** 2,
    });
    expect(loadConfig({}).MEDIA_DIR).toBe(path.resolve('.data', 'media'));
  });

  it('takes other limits and directory, and names a bad value', () => {
    const config = loadConfig({
      MEDIA_DIR: 'media-store',
      MEDIA_MAX_IMAGE_BYTES: '1048576',
      MEDIA_MAX_VIDEO_BYTES: '',
    });
    expect(config.MEDIA_DIR).toBe(path.resolve('media-store'));
    expect(config.MEDIA_MAX_IMAGE_BYTES).toBe(1024 * 1024);
    expect(config.MEDIA_MAX_VIDEO_BYTES).toBe(2 * 1024 ** 3);
    expect(() => loadConfig({ MEDIA_MAX_AUDIO_BYTES: '50MB' })).toThrow(/MEDIA_MAX_AUDIO_BYTES/);
    expect(() => loadConfig({ MEDIA_MAX_FILE_BYTES: '0' })).toThrow(/MEDIA_MAX_FILE_BYTES/);
  });
});
