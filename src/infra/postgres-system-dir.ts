import { chmod, mkdir, stat } from 'node:fs/promises';
import { EmbeddedPostgresError } from './embedded-postgres-error.ts';

/**
 * Where, as root, the binaries and clusters go that the server's user could not reach where they
 * are: a directory under /var/lib (root-only above it, so nobody can slip a link in on the way),
 * owned by root and writable by root only, as the binaries in it are run by the server.
 */
export const DEFAULT_SYSTEM_DIR = '/var/lib/chronicle';

export async function ensureSystemDir(systemDir: string): Promise<void> {
  // Explicitly, not through mkdir's mode: a umask of 077 would hide it from the server's user.
  if (await mkdir(systemDir, { recursive: true })) await chmod(systemDir, 0o755);
  const entry = await stat(systemDir);
  if (!entry.isDirectory() || entry.uid !== 0 || (entry.mode & 0o022) !== 0) {
    throw new EmbeddedPostgresError(
      'SYSTEM_DIR_UNSAFE',
      `${systemDir} must be a directory owned by root and writable by root only (chown root ${systemDir}; chmod 755 ${systemDir})`,
    );
  }
}
