import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { transcodeAudio } from '../../src/media/audio.ts';
import { MediaError } from '../../src/media/errors.ts';
import { masterPlaylist, packageHls, parseMediaPlaylist } from '../../src/media/hls.ts';
import { probe } from '../../src/media/probe.ts';
import { transcodeRendition } from '../../src/media/video.ts';
import { type MediaFixtures, mediaFixtures } from '../support/media-fixtures.ts';

const run = promisify(execFile);

let fixtures: MediaFixtures;
let dir: string;

beforeAll(async () => {
  [fixtures, dir] = await Promise.all([mediaFixtures(), mkdtemp(path.join(tmpdir(), 'chronicle-ffmpeg-'))]);
});
afterAll(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
});

async function ffmpegChildren(marker: string): Promise<string[]> {
  const { stdout } = await run('ps', ['-eo', 'args=']);
  return stdout.split('\n').filter((line) => line.includes('ffmpeg') && line.includes(marker));
}

describe('probe', () => {
  it('reads container, duration, dimensions, codecs and bitrate', async () => {
    expect(await probe(fixtures.video720p)).toEqual({
      formatName: 'mov,mp4,m4a,3gp,3g2,mj2',
      durationSeconds: 3,
      width: 1280,
      height: 720,
      videoCodec: 'h264',
      audioCodec: 'aac',
      bitrate: expect.any(Number),
      frameRate: 25,
      audioChannels: 1,
    });
    expect(await probe(fixtures.wav)).toMatchObject({
      formatName: 'wav',
      width: null,
      videoCodec: null,
      audioCodec: 'pcm_s16le',
      durationSeconds: 2,
    });
  });

  it('refuses what is not media with a reason a person can read, never a server path', async () => {
    const junk = path.join(dir, 'junk.bin');
    await writeFile(junk, 'this is not a video at all');
    // A playlist posing as a video would have ffmpeg open what it lists: local files, URLs.
    const playlist = path.join(dir, 'playlist.bin');
    await writeFile(
      playlist,
      '#EXTM3U\n#EXT-X-TARGETDURATION:10\n#EXTINF:10,\nhttp://169.254.169.254/latest.ts\n#EXT-X-ENDLIST\n',
    );
    for (const [file, reason] of [
      [fixtures.corruptMp4, /MP4 index \(the moov atom\) is missing/],
      [junk, /^The file is not audio, video or an image that can be read/],
      [playlist, /^The file is not in an audio or video format that is accepted/],
    ] as const) {
      const error = await probe(file).catch((caught: unknown) => caught);
      expect(error).toBeInstanceOf(MediaError);
      if (!(error instanceof MediaError)) throw error;
      expect({ code: error.code, retryable: error.retryable }).toEqual({
        code: 'INVALID_MEDIA',
        retryable: false,
      });
      expect(error.reason).toMatch(reason);
      expect(error.reason).not.toContain(dir);
    }
  });
});

describe('transcodeRendition', () => {
  it('makes an H.264/AAC MP4 at the asked height, reporting progress up to 100 %', async () => {
    const output = path.join(dir, '360p.mp4');
    const percents: number[] = [];
    const result = await transcodeRendition(fixtures.video720p, output, {
      height: 360,
      preset: 'ultrafast',
      onProgress: ({ percent }) => percents.push(percent ?? -1),
    });
    expect(result).toMatchObject({ width: 640, height: 360, videoCodec: 'h264', audioCodec: 'aac' });
    expect(percents.at(-1)).toBe(100);
    expect([...percents].sort((a, b) => a - b)).toEqual(percents);
    // A keyframe every 2 s, so HLS can cut 6 s segments without re-encoding.
    const { stdout } = await run('ffprobe', [
      ...['-v', 'error', '-select_streams', 'v:0', '-skip_frame', 'nokey'],
      ...['-show_entries', 'frame=pts_time', '-of', 'csv=p=0', output],
    ]);
    const keyframes = stdout
      .split('\n')
      .filter((line) => line.trim() !== '')
      .map((line) => Number.parseFloat(line));
    expect(keyframes).toEqual([0, 2]);
  });

  it('never upscales: asking for 1080p of a 720p source gives 720p', async () => {
    const result = await transcodeRendition(fixtures.video720p, path.join(dir, 'asked-1080p.mp4'), {
      height: 1080,
      preset: 'ultrafast',
    });
    expect([result.width, result.height]).toEqual([1280, 720]);
  });

  it('kills ffmpeg when the signal aborts, and rejects as cancelled', async () => {
    const output = path.join(dir, 'aborted-720p.mp4');
    const controller = new AbortController();
    const transcoding = transcodeRendition(fixtures.video720p, output, {
      height: 720,
      preset: 'veryslow',
      threads: 1,
      signal: controller.signal,
      onProgress: () => controller.abort(),
    });
    await expect(transcoding).rejects.toMatchObject({ code: 'CANCELLED' });
    expect(await ffmpegChildren(output)).toEqual([]);
  });
});

describe('HLS', () => {
  it('cuts a rendition into 6 s segments named after it, and a master playlist ffprobe can follow', async () => {
    const source = path.join(dir, 'source-13s.mp4');
    await run('ffmpeg', [
      ...['-hide_banner', '-loglevel', 'error', '-y'],
      ...['-f', 'lavfi', '-i', 'testsrc=size=640x360:rate=25:duration=13'],
      ...['-f', 'lavfi', '-i', 'sine=frequency=440:duration=13'],
      ...['-c:v', 'libx264', '-preset', 'ultrafast', '-c:a', 'aac', '-shortest', source],
    ]);
    const mp4 = path.join(dir, '360p-13s.mp4');
    const rendition = await transcodeRendition(source, mp4, { height: 360, preset: 'ultrafast' });
    const hlsDir = await mkdtemp(path.join(dir, 'hls-'));
    const packaged = await packageHls(mp4, hlsDir, { rendition: '360p', width: 640, height: 360 });

    expect(packaged.segments.map(({ name, durationSeconds }) => [name, Math.round(durationSeconds)])).toEqual(
      [
        ['hls-360p-seg-00001.ts', 6],
        ['hls-360p-seg-00002.ts', 6],
        ['hls-360p-seg-00003.ts', 1],
      ],
    );
    expect(packaged.playlist.name).toBe('hls-360p-playlist.m3u8');
    expect(
      parseMediaPlaylist(await readFile(packaged.playlist.file, 'utf8')).map((entry) => entry.uri),
    ).toEqual(packaged.segments.map((segment) => segment.name));
    expect(packaged.variant).toMatchObject({
      codecs: expect.stringMatching(/^avc1\.[0-9a-f]{6},mp4a\.40\.2$/),
    });
    expect(packaged.variant.bandwidth).toBeGreaterThanOrEqual(packaged.variant.averageBandwidth);
    expect(rendition.durationSeconds).toBeCloseTo(13, 0);

    const master = path.join(hlsDir, 'hls-master.m3u8');
    await writeFile(master, masterPlaylist([packaged.variant]));
    expect(await readFile(master, 'utf8')).toContain(`BANDWIDTH=${packaged.variant.bandwidth},`);
    const { stdout } = await run('ffprobe', [
      '-v',
      'error',
      '-show_entries',
      'stream=codec_name,height',
      '-of',
      'json',
      master,
    ]);
    expect(JSON.parse(stdout).streams).toEqual([{ codec_name: 'h264', height: 360 }, { codec_name: 'aac' }]);
  });
});

describe('audio', () => {
  it('encodes a voice message as mono AAC (m4a) and Opus (ogg) at speech bitrates', async () => {
    const source = await probe(fixtures.wav);
    for (const [format, file, codec] of [
      ['aac', 'voice.m4a', 'aac'],
      ['opus', 'voice.ogg', 'opus'],
    ] as const) {
      const output = path.join(dir, file);
      await transcodeAudio(fixtures.wav, output, { format, source });
      expect(await probe(output)).toMatchObject({ audioCodec: codec, audioChannels: 1, videoCodec: null });
      expect((await stat(output)).size).toBeLessThan(25_000);
    }
  });
});
