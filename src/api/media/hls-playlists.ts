/** The media types of HLS playlists (RFC 8216 names the first; players still send the second). */
export const PLAYLIST_CONTENT_TYPES: readonly string[] = [
  'application/vnd.apple.mpegurl',
  'audio/mpegurl',
  'application/x-mpegurl',
];

export const isPlaylist = (contentType: string) => PLAYLIST_CONTENT_TYPES.includes(contentType);

/** Playlists are read whole to be rewritten; a real one is a few kilobytes per hour of video. */
export const MAX_PLAYLIST_BYTES = 4 * 1024 * 1024;

/** Extensions the saga's playlists may give rendition names (`hls-720p-seg-00001.ts`). */
const EXTENSION = /\.(ts|m3u8|m4s|mp4|m4a|aac|vtt|webvtt)$/;

/**
 * Rewrites a stored playlist for delivery: every URI in it (a segment or variant playlist line, or
 * a `URI="..."` attribute of `EXT-X-MAP`, `EXT-X-MEDIA`, `EXT-X-I-FRAME-STREAM-INF`...) that names a
 * rendition of the asset becomes that rendition's signed URL. Stored playlists name renditions by
 * their names (optionally with a file extension); anything else (absolute URLs) is left as it is.
 */
export function rewritePlaylist(playlist: string, urlOf: (rendition: string) => string | null): string {
  const resolve = (uri: string) => urlOf(uri) ?? urlOf(uri.replace(EXTENSION, '')) ?? uri;
  return playlist
    .split(/\r?\n/)
    .map((line) => {
      const trimmed = line.trim();
      if (trimmed === '') return line;
      if (trimmed.startsWith('#')) {
        return line.replace(/URI="([^"]*)"/g, (_match, uri: string) => `URI="${resolve(uri)}"`);
      }
      return resolve(trimmed);
    })
    .join('\n');
}
