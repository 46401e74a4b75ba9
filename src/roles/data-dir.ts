import { mkdir, stat } from 'node:fs/promises';
import { ConfigError } from '../config.ts';

/** DATA_DIR must be a directory we can create and use; anything else is a configuration error. */
export async function ensureDataDir(dataDir: string): Promise<void> {
  const existing = await stat(dataDir).catch(() => undefined);
  if (existing && !existing.isDirectory()) {
    throw new ConfigError([{ variable: 'DATA_DIR', message: `${dataDir} exists and is not a directory` }]);
  }
  try {
    await mkdir(dataDir, { recursive: true });
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new ConfigError([{ variable: 'DATA_DIR', message: `cannot create ${dataDir}: ${reason}` }]);
  }
}
