import { describe, expect, it } from 'vitest';
import { base32Decode, base32Encode } from '../../src/auth/base32.ts';

// RFC 4648 section 10.
const vectors: [string, string][] = [
  ['', ''],
  ['f', 'MY======'],
  ['fo', 'MZXQ===='],
  ['foo', 'MZXW6==='],
  ['foob', 'MZXW6YQ='],
  ['fooba', 'MZXW6YTB'],
  ['foobar', 'MZXW6YTBOI======'],
];

describe('base32', () => {
  it.each(vectors)('encodes %j as %j', (text, encoded) => {
    expect(base32Encode(Buffer.from(text))).toBe(encoded);
  });

  it.each(vectors)('decodes %j back from %j', (text, encoded) => {
    expect(Buffer.from(base32Decode(encoded)).toString()).toBe(text);
  });

  it('decodes lower case and unpadded text', () => {
    expect(Buffer.from(base32Decode('mzxw6ytboi')).toString()).toBe('foobar');
  });

  it('round-trips random bytes', () => {
    const bytes = new Uint8Array(Array.from({ length: 37 }, (_, i) => (i * 97 + 13) % 256));
    expect(base32Decode(base32Encode(bytes))).toEqual(bytes);
  });

  it('refuses characters outside the alphabet and impossible lengths', () => {
    expect(() => base32Decode('MZXW6YT1')).toThrow(RangeError);
    expect(() => base32Decode('MZX')).toThrow(RangeError);
  });
});
