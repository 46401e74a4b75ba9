import { describe, expect, it } from 'vitest';
import { isPlaylist, rewritePlaylist } from '../../../src/api/media/hls-playlists.ts';

const renditions = new Set([
  'hls-720p-playlist',
  'hls-720p-seg-00001',
  'hls-720p-init',
  'hls-audio-playlist',
]);
const sign = (name: string) => (renditions.has(name) ? `/media/a/${name}?signed` : null);

describe('rewritePlaylist', () => {
  it('signs segment and variant lines, with or without a file extension', () => {
    const stored = ['#EXTM3U', '#EXTINF:6.0,', 'hls-720p-seg-00001.ts', 'hls-720p-playlist', ''].join('\n');
    expect(rewritePlaylist(stored, sign)).toBe(
      [
        '#EXTM3U',
        '#EXTINF:6.0,',
        '/media/a/hls-720p-seg-00001?signed',
        '/media/a/hls-720p-playlist?signed',
        '',
      ].join('\n'),
    );
  });

  it('signs URI attributes of tags', () => {
    const stored = [
      '#EXT-X-MAP:URI="hls-720p-init.mp4",BYTERANGE="720@0"',
      '#EXT-X-MEDIA:TYPE=AUDIO,GROUP-ID="aac",NAME="en",URI="hls-audio-playlist.m3u8"',
    ].join('\r\n');
    expect(rewritePlaylist(stored, sign).split('\n')).toEqual([
      '#EXT-X-MAP:URI="/media/a/hls-720p-init?signed",BYTERANGE="720@0"',
      '#EXT-X-MEDIA:TYPE=AUDIO,GROUP-ID="aac",NAME="en",URI="/media/a/hls-audio-playlist?signed"',
    ]);
  });

  it('leaves URIs that name no rendition as they are', () => {
    const stored = '#EXTM3U\nhttps://cdn.example.org/seg.ts\nhls-1080p-seg-00001.ts\n';
    expect(rewritePlaylist(stored, sign)).toBe(stored);
  });

  it('knows the playlist media types', () => {
    expect(isPlaylist('application/vnd.apple.mpegurl')).toBe(true);
    expect(isPlaylist('application/x-mpegurl')).toBe(true);
    expect(isPlaylist('video/mp2t')).toBe(false);
  });
});
