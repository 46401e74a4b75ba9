import { describe, expect, it } from 'vitest';
import { HLS_MASTER, hlsPlaylistName, hlsSegmentName, isHlsSegmentName } from '../../src/media/hls-names.ts';
import { imageWidthsFor } from '../../src/media/images.ts';
import { ladderFor } from '../../src/media/ladder.ts';
import { posterTime } from '../../src/media/stills.ts';
import { renditionArgs } from '../../src/media/video.ts';

const rungs = (width: number, height: number) => ladderFor({ width, height }).map((rung) => rung.name);

describe('the video ladder', () => {
  it('never goes above the source: a 720p source gets 720p, 480p and 360p', () => {
    expect(rungs(1280, 720)).toEqual(['720p', '480p', '360p']);
    expect(rungs(1920, 1080)).toEqual(['1080p', '720p', '480p', '360p']);
    expect(rungs(3840, 2160)).toEqual(['1080p', '720p', '480p', '360p']);
  });

  it('measures portrait video by its short side', () => {
    expect(rungs(1080, 1920)).toEqual(['1080p', '720p', '480p', '360p']);
    expect(rungs(720, 1280)).toEqual(['720p', '480p', '360p']);
  });

  it('gives a source below 360p one rendition at its own (even) size', () => {
    expect(ladderFor({ width: 427, height: 241 })).toEqual([
      expect.objectContaining({ name: '240p', height: 240 }),
    ]);
  });

  it('has nothing for a source without a picture', () => {
    expect(ladderFor({ width: null, height: null })).toEqual([]);
  });
});

describe('the image ladder', () => {
  it('keeps the widths up to the image, never upscaling; a narrow image keeps its width', () => {
    expect(imageWidthsFor(4000)).toEqual([480, 720, 1080, 1920]);
    expect(imageWidthsFor(1280)).toEqual([480, 720, 1080]);
    expect(imageWidthsFor(300)).toEqual([300]);
  });
});

describe('HLS names', () => {
  it('are rendition names a playlist can use as they are', () => {
    expect(HLS_MASTER).toBe('hls-master.m3u8');
    expect(hlsPlaylistName('720p')).toBe('hls-720p-playlist.m3u8');
    expect(hlsSegmentName('720p', 1)).toBe('hls-720p-seg-00001.ts');
    expect(isHlsSegmentName('hls-720p-seg-00001.ts')).toBe(true);
    expect(isHlsSegmentName('../original')).toBe(false);
  });
});

describe('the poster frame', () => {
  it('is a tenth into the video, at most 5 s in', () => {
    expect(posterTime(3)).toBeCloseTo(0.3);
    expect(posterTime(600)).toBe(5);
    expect(posterTime(null)).toBe(0);
  });
});

describe('rendition encoding', () => {
  const source = { width: 1920, height: 1080, audioChannels: 6 };
  const argsFor = (height: number) => renditionArgs('in.mp4', 'out.mp4', { height, source });
  const flagValue = (args: string[], flag: string) => args[args.indexOf(flag) + 1];

  it('caps each rung at its own bitrate, scales by the short side and downmixes to stereo', () => {
    expect([480, 720, 1080].map((height) => flagValue(argsFor(height), '-maxrate'))).toEqual([
      '1400k',
      '2800k',
      '5000k',
    ]);
    expect(flagValue(argsFor(480), '-vf')).toBe('scale=-2:480:flags=bicubic,format=yuv420p');
    expect(flagValue(argsFor(480), '-ac')).toBe('2');
    const portrait = renditionArgs('in.mp4', 'out.mp4', {
      height: 480,
      source: { width: 1080, height: 1920, audioChannels: 1 },
    });
    expect(flagValue(portrait, '-vf')).toBe('scale=480:-2:flags=bicubic,format=yuv420p');
  });

  it('puts a keyframe every 2 s, so HLS can cut 6 s segments without re-encoding', () => {
    expect(flagValue(argsFor(720), '-force_key_frames')).toBe('expr:gte(t,n_forced*2)');
  });
});
