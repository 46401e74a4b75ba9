import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { generateBackupCodes, hashBackupCode } from '../../src/auth/backup-codes.ts';

describe('backup codes', () => {
  it('makes ten distinct codes of two groups of four unambiguous characters by default', () => {
    const { codes, hashes } = generateBackupCodes();
    expect(codes).toHaveLength(10);
    expect(new Set(codes).size).toBe(10);
    for (const code of codes) expect(code).toMatch(/^[0-9a-hjkmnp-tv-z]{4}-[0-9a-hjkmnp-tv-z]{4}$/);
    expect(hashes).toEqual(codes.map(hashBackupCode));
  });

  it('makes as many as asked', () => {
    expect(generateBackupCodes(3).codes).toHaveLength(3);
  });

  it('stores the SHA-256 of the code without its dash', () => {
    expect(hashBackupCode('k7m2-9xqp')).toBe(createHash('sha256').update('k7m29xqp').digest('hex'));
  });

  it('ignores case, spaces and dashes, and reads look-alike letters as digits', () => {
    const hash = hashBackupCode('k7m2-9xq0');
    for (const typed of ['K7M2-9XQ0', 'k7m2 9xq0', 'k7m29xq0', ' k7m2 - 9xq0 ', 'k7m2-9xqo', 'K7M2-9XQO']) {
      expect(hashBackupCode(typed)).toBe(hash);
    }
    expect(hashBackupCode('1111-1111')).toBe(hashBackupCode('iIlL-1111'));
    expect(hashBackupCode('k7m2-9xq1')).not.toBe(hash);
  });
});
