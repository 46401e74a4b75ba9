/** Apple's recommendation (and a multiple of the renditions' keyframe interval). */
export const HLS_SEGMENT_SECONDS = 6;

/**
 * HLS names. Every file is a rendition of the asset, stored under its name, and playlists refer
 * to variant playlists and segments by exactly that name (`hls-720p-seg-00001.ts`): the delivery
 * route signs each line of a playlist as the rendition it names, and the files in storage form a
 * directory any HLS reader (ffprobe, a player) can follow. The extensions are part of the names,
 * so players and CDNs that look at URLs know what they fetch.
 */
export const HLS_MASTER = 'hls-master.m3u8';
export const hlsPlaylistName = (rendition: string) => `hls-${rendition}-playlist.m3u8`;
export const hlsSegmentName = (rendition: string, index: number) =>
  `hls-${rendition}-seg-${String(index).padStart(5, '0')}.ts`;

const SEGMENT_NAME = /^hls-[a-z0-9]+-seg-\d{5,}\.ts$/;

/** Whether a playlist line names one of the asset's HLS segments. */
export const isHlsSegmentName = (line: string) => SEGMENT_NAME.test(line);
