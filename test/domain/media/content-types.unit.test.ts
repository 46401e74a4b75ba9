import { readFile } from 'node:fs/promises';
import { beforeAll, describe, expect, it } from 'vitest';
import { detectedContentType, SNIFF_BYTES, sniffFormat } from '../../../src/domain/media/content-types.ts';
import { type MediaFixtures, mediaFixtures } from '../../support/media-fixtures.ts';

const bytes = (...parts: (string | number[])[]) =>
  new Uint8Array(
    Buffer.concat(
      parts.map((part) => (typeof part === 'string' ? Buffer.from(part, 'latin1') : Buffer.from(part))),
    ),
  );
const ftyp = (brand: string) => bytes([0, 0, 0, 0x18], 'ftyp', brand, [0, 0, 0, 0], 'isom');

describe('sniffFormat', () => {
  it.each([
    ['MP4', ftyp('isom'), 'mp4'],
    ['MOV', ftyp('qt  '), 'quicktime'],
    ['M4A', ftyp('M4A '), 'm4a'],
    ['AVIF', ftyp('avif'), 'avif'],
    ['old QuickTime (moov first)', bytes([0, 0, 0, 8], 'moov'), 'quicktime'],
    ['WebM', bytes([0x1a, 0x45, 0xdf, 0xa3, 0x9f, 0x42, 0x86, 0x81, 0x01, 0x42, 0x82, 0x84], 'webm'), 'webm'],
    ['Matroska', bytes([0x1a, 0x45, 0xdf, 0xa3, 0xa3, 0x42, 0x82, 0x88], 'matroska'), 'matroska'],
    ['PNG', bytes([0x89], 'PNG', [0x0d, 0x0a, 0x1a, 0x0a]), 'png'],
    ['JPEG', bytes([0xff, 0xd8, 0xff, 0xe0]), 'jpeg'],
    ['GIF', bytes('GIF89a'), 'gif'],
    ['WebP', bytes('RIFF', [1, 2, 3, 4], 'WEBPVP8 '), 'webp'],
    ['WAV', bytes('RIFF', [1, 2, 3, 4], 'WAVEfmt '), 'wav'],
    ['MP3 with ID3', bytes('ID3', [4, 0]), 'mp3'],
    ['MP3 frame', bytes([0xff, 0xfb, 0x90, 0x64]), 'mp3'],
    ['Ogg', bytes('OggS', [0]), 'ogg'],
    ['FLAC', bytes('fLaC'), 'flac'],
    ['PDF', bytes('%PDF-1.7'), 'pdf'],
    ['ZIP', bytes('PK', [3, 4]), 'zip'],
    ['a Windows executable', bytes('MZ', [0x90, 0]), 'executable'],
    ['an ELF binary', bytes([0x7f], 'ELF'), 'executable'],
    ['a script', bytes('#!/bin/sh'), 'executable'],
  ])('recognises %s', (_what, head, name) => {
    expect(sniffFormat(head)?.name).toBe(name);
  });

  it('knows nothing of text, or of too few bytes', () => {
    expect(sniffFormat(bytes('hello, world'))).toBeNull();
    expect(sniffFormat(bytes([0x89]))).toBeNull();
    expect(sniffFormat(new Uint8Array())).toBeNull();
  });

  describe('on generated media', () => {
    let fixtures: MediaFixtures;
    beforeAll(async () => {
      fixtures = await mediaFixtures();
    });
    const head = async (path: string) => new Uint8Array((await readFile(path)).subarray(0, SNIFF_BYTES));

    it('reads ffmpeg’s MP4, PNG and WAV', async () => {
      expect(sniffFormat(await head(fixtures.video720p))?.name).toBe('mp4');
      expect(sniffFormat(await head(fixtures.png))?.name).toBe('png');
      expect(sniffFormat(await head(fixtures.wav))?.name).toBe('wav');
    });
  });
});

describe('detectedContentType', () => {
  const as = (head: Uint8Array) => sniffFormat(head);

  it('names media by the kind declared', () => {
    expect(detectedContentType('video', 'video/mp4', as(ftyp('isom')))).toBe('video/mp4');
    expect(detectedContentType('audio', 'audio/mp4', as(ftyp('isom')))).toBe('audio/mp4');
    expect(detectedContentType('audio', 'audio/webm', as(bytes([0x1a, 0x45, 0xdf, 0xa3], 'webm')))).toBe(
      'audio/webm',
    );
    expect(
      detectedContentType('image', 'image/jpeg', as(bytes([0x89], 'PNG', [0x0d, 0x0a, 0x1a, 0x0a]))),
    ).toBe('image/png');
  });

  it('refuses bytes of another kind, or unknown bytes, for media', () => {
    expect(
      detectedContentType('video', 'video/mp4', as(bytes([0x89], 'PNG', [0x0d, 0x0a, 0x1a, 0x0a]))),
    ).toBeNull();
    expect(detectedContentType('image', 'image/png', as(ftyp('isom')))).toBeNull();
    expect(detectedContentType('audio', 'audio/wav', null)).toBeNull();
    expect(detectedContentType('video', 'video/mp4', as(bytes('%PDF-1.4')))).toBeNull();
  });

  it('holds files to their claim, takes text at its word, and never accepts executables', () => {
    expect(detectedContentType('file', 'application/pdf', as(bytes('%PDF-1.4')))).toBe('application/pdf');
    expect(detectedContentType('file', 'application/pdf', as(bytes('PK', [3, 4])))).toBeNull();
    expect(
      detectedContentType(
        'file',
        'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
        as(bytes('PK', [3, 4])),
      ),
    ).toBe('application/vnd.openxmlformats-officedocument.wordprocessingml.document');
    expect(detectedContentType('file', 'text/csv', null)).toBe('text/csv');
    expect(detectedContentType('file', 'application/pdf', null)).toBeNull();
    expect(detectedContentType('file', 'text/plain', as(bytes('MZ', [0x90, 0])))).toBeNull();
    expect(detectedContentType('file', 'image/png', as(bytes([0xff, 0xd8, 0xff])))).toBe('image/jpeg');
  });
});
