import type { MediaKind } from './media-values.ts';

/**
 * Which media types each kind of asset accepts, and what the bytes really are (magic numbers).
 * Declared types are the uploader's word; the first bytes of the upload decide. Pure, so the
 * upload route (which refuses early with 415) and the decider (which records only what fits) agree.
 */

/** Documents and archives a `file` asset may declare, besides any image, audio or video type. */
export const FILE_CONTENT_TYPES: readonly string[] = [
  'application/pdf',
  'application/zip',
  'application/gzip',
  'application/x-7z-compressed',
  'application/json',
  'application/rtf',
  'application/msword',
  'application/vnd.ms-excel',
  'application/vnd.ms-powerpoint',
  'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
  'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
  'application/vnd.openxmlformats-officedocument.presentationml.presentation',
  'application/vnd.oasis.opendocument.text',
  'application/vnd.oasis.opendocument.spreadsheet',
  'application/vnd.oasis.opendocument.presentation',
  'application/epub+zip',
  'text/plain',
  'text/csv',
  'text/markdown',
  'text/calendar',
  'text/vcard',
];

/**
 * Types that may display active content in a browser (scripts in SVG, HTML): never accepted as an
 * image or a file, whatever the kind, since delivery serves them from the API's own origin.
 */
const ACTIVE_CONTENT = new Set(['image/svg+xml', 'text/html', 'application/xhtml+xml', 'text/xml']);

/** Whether an asset of `kind` may be declared as `contentType` (already normalised). */
export function acceptsDeclared(kind: MediaKind, contentType: string): boolean {
  if (ACTIVE_CONTENT.has(contentType)) return false;
  const family = contentType.split('/', 1)[0];
  switch (kind) {
    case 'video':
    case 'image':
    case 'audio':
      return family === kind;
    case 'file':
      return (
        FILE_CONTENT_TYPES.includes(contentType) ||
        family === 'image' ||
        family === 'audio' ||
        family === 'video'
      );
  }
}

/** `Video/MP4; codecs="avc1"` → `video/mp4`. */
export function normaliseContentType(raw: string): string {
  return (raw.split(';', 1)[0] ?? '').trim().toLowerCase();
}

/** How many leading bytes `sniffFormat` looks at. */
export const SNIFF_BYTES = 64;

/** A container or file format recognised from its first bytes, and what it is called per kind. */
export interface SniffedFormat {
  name: string;
  /** The media type recorded for an asset of each kind this format can be; absent kinds do not fit. */
  contentTypes: Partial<Record<MediaKind, string>>;
}

const format = (name: string, contentTypes: Partial<Record<MediaKind, string>>): SniffedFormat => ({
  name,
  contentTypes,
});

const video = (type: string, audioType = type.replace('video/', 'audio/')) =>
  ({ video: type, audio: audioType, file: type }) as const;
const image = (type: string) => ({ image: type, file: type }) as const;
const audio = (type: string) => ({ audio: type, file: type }) as const;

/**
 * The format of a file from its first bytes (at least `SNIFF_BYTES` of them, or the whole file if
 * shorter), or null when none of the known signatures matches. Executables are recognised so that
 * they are refused even as plain files.
 */
export function sniffFormat(head: Uint8Array): SniffedFormat | null {
  const ascii = (start: number, end: number) => String.fromCharCode(...head.subarray(start, end));
  const startsWith = (...bytes: number[]) => bytes.every((byte, i) => head[i] === byte);
  if (head.length >= 12 && ascii(4, 8) === 'ftyp') return isoMediaFormat(ascii(8, 12));
  // QuickTime files from old cameras start with a moov/mdat/wide/free atom and no ftyp.
  if (head.length >= 8 && ['moov', 'mdat', 'wide', 'free', 'skip'].includes(ascii(4, 8))) {
    return format('quicktime', video('video/quicktime', 'audio/quicktime'));
  }
  if (startsWith(0x1a, 0x45, 0xdf, 0xa3)) {
    return ascii(4, Math.min(head.length, SNIFF_BYTES)).includes('webm')
      ? format('webm', video('video/webm'))
      : format('matroska', video('video/x-matroska', 'audio/x-matroska'));
  }
  if (startsWith(0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a)) return format('png', image('image/png'));
  if (startsWith(0xff, 0xd8, 0xff)) return format('jpeg', image('image/jpeg'));
  if (ascii(0, 6) === 'GIF87a' || ascii(0, 6) === 'GIF89a') return format('gif', image('image/gif'));
  if (ascii(0, 4) === 'RIFF' && ascii(8, 12) === 'WEBP') return format('webp', image('image/webp'));
  if (ascii(0, 4) === 'RIFF' && ascii(8, 12) === 'WAVE') return format('wav', audio('audio/wav'));
  if (ascii(0, 4) === 'RIFF' && ascii(8, 12) === 'AVI ')
    return format('avi', { video: 'video/x-msvideo', file: 'video/x-msvideo' });
  if (ascii(0, 3) === 'ID3' || isMpegAudioFrame(head)) return format('mp3', audio('audio/mpeg'));
  if (head.length >= 2 && head[0] === 0xff && ((head[1] ?? 0) & 0xf6) === 0xf0) {
    return format('aac', audio('audio/aac'));
  }
  if (ascii(0, 4) === 'OggS') {
    return format('ogg', { audio: 'audio/ogg', video: 'video/ogg', file: 'audio/ogg' });
  }
  if (ascii(0, 4) === 'fLaC') return format('flac', audio('audio/flac'));
  if (ascii(0, 5) === '%PDF-') return format('pdf', { file: 'application/pdf' });
  if (startsWith(0x50, 0x4b, 0x03, 0x04)) return format('zip', { file: 'application/zip' });
  if (startsWith(0x1f, 0x8b)) return format('gzip', { file: 'application/gzip' });
  if (startsWith(0x37, 0x7a, 0xbc, 0xaf, 0x27, 0x1c)) {
    return format('7z', { file: 'application/x-7z-compressed' });
  }
  if (startsWith(0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1)) {
    return format('ole2', { file: 'application/x-ole-storage' });
  }
  if (ascii(0, 5) === '{\\rtf') return format('rtf', { file: 'application/rtf' });
  if (isExecutable(head)) return format('executable', {});
  return null;
}

/** ISO base media (MP4, MOV, M4A, 3GP, AVIF, HEIF), by the major brand of the `ftyp` box. */
function isoMediaFormat(brand: string): SniffedFormat {
  if (brand === 'qt  ') return format('quicktime', video('video/quicktime', 'audio/quicktime'));
  if (brand === 'M4A ' || brand === 'M4B ') return format('m4a', audio('audio/mp4'));
  if (brand.startsWith('3g')) return format('3gpp', video('video/3gpp'));
  if (brand === 'avif' || brand === 'avis') return format('avif', image('image/avif'));
  if (['heic', 'heix', 'mif1', 'msf1', 'heim', 'heis'].includes(brand)) {
    return format('heif', image('image/heic'));
  }
  return format('mp4', video('video/mp4'));
}

/** An MPEG audio frame header without an ID3 tag: 11 sync bits, layer III (as MP3 files start). */
function isMpegAudioFrame(head: Uint8Array): boolean {
  const [first, second] = head;
  return first === 0xff && second !== undefined && (second & 0xe0) === 0xe0 && (second & 0x06) === 0x02;
}

function isExecutable(head: Uint8Array): boolean {
  const [a, b, c, d] = head;
  if (a === 0x4d && b === 0x5a) return true; // MZ: Windows PE
  if (a === 0x7f && b === 0x45 && c === 0x4c && d === 0x46) return true; // ELF
  if (a === 0x23 && b === 0x21) return true; // #! script
  const magic = ((a ?? 0) << 24) | ((b ?? 0) << 16) | ((c ?? 0) << 8) | (d ?? 0);
  // Mach-O (both byte orders, 32/64-bit) and universal binaries.
  return [0xfeedface, 0xfeedfacf, 0xcefaedfe, 0xcffaedfe, 0xcafebabe].includes(magic >>> 0);
}

/** Text formats carry no signature: accepted as files on the uploader's word. */
const UNSIGNED_FILE_TYPES = new Set([
  'text/plain',
  'text/csv',
  'text/markdown',
  'text/calendar',
  'text/vcard',
  'application/json',
]);
/** Office and e-book formats are ZIP archives inside; legacy Office files are OLE2 compound files. */
const CONTAINED_IN: Readonly<Record<string, readonly string[]>> = {
  zip: [
    'application/epub+zip',
    'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
    'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
    'application/vnd.openxmlformats-officedocument.presentationml.presentation',
    'application/vnd.oasis.opendocument.text',
    'application/vnd.oasis.opendocument.spreadsheet',
    'application/vnd.oasis.opendocument.presentation',
  ],
  ole2: ['application/msword', 'application/vnd.ms-excel', 'application/vnd.ms-powerpoint'],
};

/**
 * The media type to record for an upload declared as `kind`/`declared` whose first bytes sniffed
 * as `sniffed`, or null when the bytes do not fit (the upload is refused, 415). Video, image and
 * audio must be a recognised format of that kind. A file must be what it claims when its claim has
 * a signature (a file declared as media: media of that family), is taken at its word for text
 * formats that have none, and is never an executable.
 */
export function detectedContentType(
  kind: MediaKind,
  declared: string,
  sniffed: SniffedFormat | null,
): string | null {
  if (kind !== 'file') return sniffed?.contentTypes[kind] ?? null;
  if (sniffed === null) return UNSIGNED_FILE_TYPES.has(declared) ? declared : null;
  if (sniffed.contentTypes.file === declared) return declared;
  if (CONTAINED_IN[sniffed.name]?.includes(declared)) return declared;
  const family = declared.split('/', 1)[0];
  if (family === 'image' || family === 'audio' || family === 'video')
    return sniffed.contentTypes[family] ?? null;
  return null;
}

/** Whether a recorded `detected` type fits an asset of `kind` (the decider's check). */
export function fitsKind(kind: MediaKind, detected: string): boolean {
  if (kind === 'file') return acceptsDeclared('file', detected);
  return detected.split('/', 1)[0] === kind && !ACTIVE_CONTENT.has(detected);
}
