/**
 * RFC 4648 base32 (the alphabet authenticator apps expect for TOTP secrets). Small enough to own
 * rather than add a dependency for.
 */
const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';

export function base32Encode(bytes: Uint8Array): string {
  let output = '';
  let buffer = 0;
  let bits = 0;
  for (const byte of bytes) {
    buffer = (buffer << 8) | byte;
    bits += 8;
    while (bits >= 5) {
      bits -= 5;
      output += ALPHABET[(buffer >>> bits) & 31];
    }
  }
  if (bits > 0) output += ALPHABET[(buffer << (5 - bits)) & 31];
  return output.padEnd(Math.ceil(output.length / 8) * 8, '=');
}

/** Case-insensitive, padding optional. Throws a RangeError for text that is not base32. */
export function base32Decode(text: string): Uint8Array {
  const symbols = text.toUpperCase().replace(/=+$/, '');
  // 2, 4, 5 and 7 symbols are the only partial groups an encoder can produce (1, 2, 3, 4 bytes).
  if (![0, 2, 4, 5, 7].includes(symbols.length % 8))
    throw new RangeError('base32 text has an invalid length');
  const bytes = new Uint8Array(Math.floor((symbols.length * 5) / 8));
  let buffer = 0;
  let bits = 0;
  let index = 0;
  for (const symbol of symbols) {
    const value = ALPHABET.indexOf(symbol);
    if (value === -1) throw new RangeError(`base32 text holds an invalid character '${symbol}'`);
    buffer = ((buffer << 5) | value) & 0xffff;
    bits += 5;
    if (bits >= 8) {
      bits -= 8;
      bytes[index++] = (buffer >>> bits) & 0xff;
    }
  }
  return bytes;
}
