import { randomBytes } from 'node:crypto';
import { link, mkdir, open, readFile, unlink } from 'node:fs/promises';
import path from 'node:path';
import { type Config, ConfigError } from '../config.ts';

/**
 * The server's secret: it seals the access-token signing keys in the database (they are
 * asymmetric, see signing-key-material.ts) and keys media URLs, webhook signatures and audit
 * snapshot MACs. `AUTH_SECRET` wins (production, several replicas); without it a random key is
 * kept in `<dataDir>/auth-secret`, so `npm start` works on a fresh clone and sessions survive
 * restarts.
 */
export const AUTH_SECRET_FILE = 'auth-secret';
const HEX_SECRET = /^[0-9a-f]{128}$/;

export async function resolveAuthSecret(
  config: Pick<Config, 'AUTH_SECRET'>,
  dataDir: string,
): Promise<Uint8Array> {
  if (config.AUTH_SECRET !== undefined) return new TextEncoder().encode(config.AUTH_SECRET);
  const file = path.join(dataDir, AUTH_SECRET_FILE);
  const existing = await readIfPresent(file);
  return parseKeptSecret(existing ?? (await keepOnce(file, `${randomBytes(64).toString('hex')}\n`)), file);
}

/**
 * The key the API uses, never a new one: for operator commands whose work is only good with the
 * API's key (`chronicle keys rotate` seals the new signing key with it). Undefined when
 * AUTH_SECRET is unset and DATA_DIR keeps none.
 */
export async function existingAuthSecret(
  config: Pick<Config, 'AUTH_SECRET'>,
  dataDir: string,
): Promise<Uint8Array | undefined> {
  if (config.AUTH_SECRET !== undefined) return new TextEncoder().encode(config.AUTH_SECRET);
  const file = path.join(dataDir, AUTH_SECRET_FILE);
  const existing = await readIfPresent(file);
  return existing === undefined ? undefined : parseKeptSecret(existing, file);
}

function parseKeptSecret(text: string, file: string): Uint8Array {
  if (!HEX_SECRET.test(text)) {
    throw new ConfigError([
      { variable: 'AUTH_SECRET', message: `is unset and ${file} does not hold 128 hex characters` },
    ]);
  }
  return Buffer.from(text, 'hex');
}

/** The file's text, trimmed; undefined when there is no such file. */
export async function readIfPresent(file: string): Promise<string | undefined> {
  try {
    return (await readFile(file, 'utf8')).trim();
  } catch (error) {
    if (error instanceof Error && 'code' in error && error.code === 'ENOENT') return undefined;
    throw error;
  }
}

/**
 * Keeps a generated secret in `file` (mode 0600) unless it is there already, and returns what the
 * file holds. Two processes starting together must end up with one key. Each writes a complete
 * private temp file and hard-links it into place; link() never replaces an existing file, so the
 * first wins and everyone reads back the winner. Readers never see a half-written file.
 */
export async function keepOnce(file: string, contents: string): Promise<string> {
  await mkdir(path.dirname(file), { recursive: true });
  const temp = `${file}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`;
  const handle = await open(temp, 'wx', 0o600);
  try {
    await handle.writeFile(contents);
    await handle.sync();
  } finally {
    await handle.close();
  }
  try {
    await link(temp, file);
  } catch (error) {
    if (!(error instanceof Error && 'code' in error && error.code === 'EEXIST')) throw error;
  } finally {
    await unlink(temp);
  }
  return (await readFile(file, 'utf8')).trim();
}
