import { scryptSync } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  hashPassword,
  MAX_PASSWORD_LENGTH,
  MIN_PASSWORD_LENGTH,
  verifyAgainstDummy,
  verifyPassword,
} from '../../src/auth/passwords.ts';

describe('passwords', () => {
  it('stores a self-describing scrypt string that verifies the password', async () => {
    const stored = await hashPassword('correct horse battery');
    expect(stored).toMatch(/^scrypt\$32768\$8\$1\$[A-Za-z0-9+/]{22}==\$[A-Za-z0-9+/]{43}=$/);
    expect(await verifyPassword('correct horse battery', stored)).toBe(true);
  });

  it('refuses a wrong password', async () => {
    const stored = await hashPassword('correct horse battery');
    expect(await verifyPassword('correct horse batterY', stored)).toBe(false);
  });

  it('salts each hash, so the same password hashes differently', async () => {
    const [first, second] = await Promise.all([hashPassword('same password'), hashPassword('same password')]);
    expect(first).not.toBe(second);
  });

  it('answers false, without throwing, for a stored string it cannot read', async () => {
    const stored = await hashPassword('correct horse battery');
    const [, , , , salt, key] = stored.split('$');
    for (const malformed of [
      '',
      'not a hash',
      'bcrypt$2b$10$abc',
      stored.replace('scrypt$', 'argon2$'),
      `scrypt$32768$8$1$${salt}`,
      `scrypt$1000$8$1$${salt}$${key}`, // N not a power of two
      `scrypt$1073741824$8$1$${salt}$${key}`, // N so large it would exhaust memory
      `scrypt$32768$8$1$${salt}$***`,
      `${stored}$extra`,
    ]) {
      expect(await verifyPassword('correct horse battery', malformed)).toBe(false);
    }
  });

  it('reads the cost from the stored string, so hashes made at another cost still verify', async () => {
    const salt = Buffer.from('0123456789abcdef');
    const key = scryptSync('correct horse battery', salt, 32, { N: 2 ** 14, r: 8, p: 1 });
    const stored = `scrypt$16384$8$1$${salt.toString('base64')}$${key.toString('base64')}`;
    expect(await verifyPassword('correct horse battery', stored)).toBe(true);
    expect(await verifyPassword('correct horse battery', stored.replace('$16384$', '$32768$'))).toBe(false);
  });

  it('spends a verification on an unknown account and says no', async () => {
    expect(await verifyAgainstDummy('whatever they typed')).toBe(false);
  });

  it('publishes the password policy', () => {
    expect(MIN_PASSWORD_LENGTH).toBe(10);
    expect(MAX_PASSWORD_LENGTH).toBe(256);
  });
});
