import { mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { resolveAuthSecret } from '../../src/auth/auth-secret.ts';
import { ConfigError } from '../../src/config.ts';

let dataDir: string;

beforeEach(async () => {
  dataDir = await mkdtemp(path.join(tmpdir(), 'chronicle-auth-secret-'));
});
afterEach(async () => {
  await rm(dataDir, { recursive: true, force: true });
});

describe('resolveAuthSecret', () => {
  it('uses AUTH_SECRET when set and writes no file', async () => {
    const secret = 'an-auth-secret-of-at-least-32-characters';
    expect(await resolveAuthSecret({ AUTH_SECRET: secret }, dataDir)).toEqual(
      new TextEncoder().encode(secret),
    );
    expect(await readdir(dataDir)).toEqual([]);
  });

  it('creates a private 64-byte key file once and reuses it', async () => {
    const first = await resolveAuthSecret({}, dataDir);
    expect(first).toHaveLength(64);
    const file = path.join(dataDir, 'auth-secret');
    expect((await readFile(file, 'utf8')).trim()).toMatch(/^[0-9a-f]{128}$/);
    expect((await stat(file)).mode & 0o777).toBe(0o600);
    expect(await resolveAuthSecret({}, dataDir)).toEqual(first);
    expect(await readdir(dataDir)).toEqual(['auth-secret']);
  });

  it('creates the data directory if needed', async () => {
    const nested = path.join(dataDir, 'not', 'yet');
    expect(await resolveAuthSecret({}, nested)).toHaveLength(64);
  });

  it('gives everyone starting together the same key', async () => {
    const secrets = await Promise.all(Array.from({ length: 8 }, () => resolveAuthSecret({}, dataDir)));
    for (const secret of secrets) expect(secret).toEqual(secrets[0]);
    expect(await readdir(dataDir)).toEqual(['auth-secret']);
  });

  it('lets AUTH_SECRET win over an existing file', async () => {
    await resolveAuthSecret({}, dataDir);
    const secret = 'an-auth-secret-of-at-least-32-characters';
    expect(await resolveAuthSecret({ AUTH_SECRET: secret }, dataDir)).toEqual(
      new TextEncoder().encode(secret),
    );
  });

  it('stops on a damaged key file rather than replacing it', async () => {
    await writeFile(path.join(dataDir, 'auth-secret'), 'not hex', { mode: 0o600 });
    await expect(resolveAuthSecret({}, dataDir)).rejects.toBeInstanceOf(ConfigError);
  });
});
