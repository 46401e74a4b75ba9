import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../src/config.ts';
import {
  DEFAULT_VAPID_SUBJECT,
  generateVapidKeyPair,
  resolveVapidKeys,
  VAPID_KEYS_FILE,
} from '../../src/notifications/push/vapid-keys.ts';

const directories: string[] = [];
const aDataDir = async () => {
  const directory = await mkdtemp(path.join(tmpdir(), 'chronicle-vapid-'));
  directories.push(directory);
  return directory;
};
afterEach(async () => {
  await Promise.all(directories.splice(0).map((d) => rm(d, { recursive: true, force: true })));
});

describe('VAPID keys', () => {
  it('unset: made once, kept in DATA_DIR/vapid-keys.json (0600), the same for every process', async () => {
    const dataDir = await aDataDir();
    const config = loadConfig({ DATA_DIR: dataDir });
    const together = await Promise.all([
      resolveVapidKeys(config, dataDir),
      resolveVapidKeys(config, dataDir),
    ]);
    const later = await resolveVapidKeys(config, dataDir);
    expect(together[1]).toEqual(together[0]);
    expect(later).toEqual(together[0]);
    expect(later.subject).toBe(DEFAULT_VAPID_SUBJECT);
    expect(Buffer.from(later.publicKey, 'base64url')).toHaveLength(65);
    const file = path.join(dataDir, VAPID_KEYS_FILE);
    expect((await stat(file)).mode & 0o777).toBe(0o600);
    expect(JSON.parse(await readFile(file, 'utf8'))).toEqual({
      publicKey: later.publicKey,
      privateKey: later.privateKey,
    });
  });

  it('configured: the pair and subject from the environment', async () => {
    const pair = generateVapidKeyPair();
    const config = loadConfig({
      VAPID_PUBLIC_KEY: pair.publicKey,
      VAPID_PRIVATE_KEY: pair.privateKey,
      VAPID_SUBJECT: 'https://chronicle.example/contact',
    });
    expect(await resolveVapidKeys(config, await aDataDir())).toEqual({
      ...pair,
      subject: 'https://chronicle.example/contact',
    });
  });

  it('refuses half a pair, a bad subject, and a private key of another public key', async () => {
    const pair = generateVapidKeyPair();
    expect(() => loadConfig({ VAPID_PUBLIC_KEY: pair.publicKey })).toThrow(/VAPID_PRIVATE_KEY is required/);
    expect(() => loadConfig({ VAPID_SUBJECT: 'ops@chronicle.example' })).toThrow(/VAPID_SUBJECT/);
    expect(() => loadConfig({ VAPID_PUBLIC_KEY: 'short', VAPID_PRIVATE_KEY: pair.privateKey })).toThrow(
      /VAPID_PUBLIC_KEY/,
    );
    const mismatched = loadConfig({
      VAPID_PUBLIC_KEY: generateVapidKeyPair().publicKey,
      VAPID_PRIVATE_KEY: pair.privateKey,
    });
    await expect(resolveVapidKeys(mismatched, await aDataDir())).rejects.toThrow(ConfigError);
  });

  it('a damaged key file stops start-up instead of quietly making new keys', async () => {
    const dataDir = await aDataDir();
    await writeFile(path.join(dataDir, VAPID_KEYS_FILE), '{"publicKey": "x"}\n');
    await expect(resolveVapidKeys(loadConfig({ DATA_DIR: dataDir }), dataDir)).rejects.toThrow(
      /VAPID_PUBLIC_KEY is unset and .* is not a JSON object/,
    );
  });
});
