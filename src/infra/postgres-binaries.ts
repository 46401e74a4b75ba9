import { createHash, randomBytes } from 'node:crypto';
import { chmod, cp, lstat, mkdir, readFile, realpath, rename, rm, stat } from 'node:fs/promises';
import { createRequire } from 'node:module';
import path from 'node:path';
import type { Logger } from '../logger.ts';
import { EmbeddedPostgresError } from './embedded-postgres-error.ts';
import { canReach, type ServerUser } from './postgres-server-user.ts';
import { ensureSystemDir } from './postgres-system-dir.ts';

/** The programs Chronicle runs; `lib` and `share` sit beside `bin`, where they look for them. */
const PROGRAMS = ['initdb', 'postgres', 'pg_ctl'] as const;
export type PostgresProgram = (typeof PROGRAMS)[number];

export interface PostgresBinaries {
  /** The directory holding `bin`, `lib` and `share`. */
  readonly dir: string;
  program(name: PostgresProgram): string;
}

/** `native/` of the platform package `embedded-postgres` installed (binaries built to be relocated). */
export function packagedBinariesDir(): string {
  const require = createRequire(import.meta.url);
  // The package exports only its entry point (dist/index.js), not package.json; native/ sits beside dist/.
  const entry = require.resolve(`@embedded-postgres/${process.platform}-${process.arch}`);
  return path.join(path.dirname(entry), '..', 'native');
}

const binariesIn = (dir: string): PostgresBinaries => ({
  dir,
  program: (name) => path.join(dir, 'bin', name),
});

/**
 * The binaries the server's user can run. Usually those in node_modules; but a checkout in a
 * directory that user cannot enter (`/root/<dir>`, mode 700, as root in a container) hides them,
 * so they are copied once per version into `<systemDir>/postgres/<version>-<platform>-<arch>`
 * (root-owned, readable by all) and run from there. Copied under a temporary name and renamed,
 * so a start that dies half-way, or two starting at once, never leave a partial copy in use.
 */
export async function reachableBinaries(
  user: ServerUser | undefined,
  options: { source: string; systemDir: string; log: Logger },
): Promise<PostgresBinaries> {
  const packaged = binariesIn(options.source);
  await ensureExecutable(packaged);
  if (await canReach(user, programPaths(packaged))) return packaged;
  // Through any link: the package (and its version) is the one the binaries really sit in.
  const source = await realpath(options.source);
  const copy = binariesIn(path.join(options.systemDir, 'postgres', await copyName(source)));
  await ensureSystemDir(options.systemDir);
  if (!(await isComplete(copy))) {
    options.log.info(
      { from: source, to: copy.dir },
      `user ${user?.name} cannot reach the PostgreSQL binaries; copying them where it can`,
    );
    await copyInto(source, copy.dir);
  }
  if (!(await canReach(user, programPaths(copy)))) {
    throw new EmbeddedPostgresError(
      'BINARIES_UNREACHABLE',
      `user ${user?.name} can reach neither ${options.source} nor ${copy.dir}; make one of them searchable for it (chmod o+x on each parent directory), or set DATABASE_URL`,
    );
  }
  return copy;
}

const programPaths = (binaries: PostgresBinaries) => PROGRAMS.map((name) => binaries.program(name));

async function isComplete(binaries: PostgresBinaries): Promise<boolean> {
  const found = await Promise.all(programPaths(binaries).map((file) => stat(file).catch(() => undefined)));
  return found.every((entry) => entry?.isFile());
}

async function copyInto(source: string, target: string): Promise<void> {
  if (await mkdir(path.dirname(target), { recursive: true })) await chmod(path.dirname(target), 0o755);
  const partial = `${target}.partial-${process.pid}-${randomBytes(4).toString('hex')}`;
  try {
    // verbatimSymlinks: the library links (libpq.so -> libpq.so.5.18) stay relative links in the copy.
    await cp(source, partial, { recursive: true, verbatimSymlinks: true });
    await chmod(partial, 0o755);
    await rename(partial, target).catch(async (error: NodeJS.ErrnoException) => {
      // Another start finished its copy first: use that one.
      if (!['EEXIST', 'ENOTEMPTY'].includes(error.code ?? '')) throw error;
    });
  } finally {
    await rm(partial, { recursive: true, force: true });
  }
}

/** One copy per version (and platform): an upgraded package gets a copy of its own. */
async function copyName(nativeDir: string): Promise<string> {
  const text = await readFile(path.join(nativeDir, '..', 'package.json'), 'utf8').catch(() => '{}');
  const version = (JSON.parse(text) as { version?: unknown }).version;
  if (typeof version === 'string' && /^[\w.+-]+$/.test(version)) {
    return `${version}-${process.platform}-${process.arch}`;
  }
  // Binaries from outside a package: named after where they are and when they were written.
  const { mtimeMs } = await stat(path.join(nativeDir, 'bin', 'postgres'));
  const key = createHash('sha256').update(`${nativeDir}:${mtimeMs}`).digest('hex').slice(0, 16);
  return `unpackaged-${key}-${process.platform}-${process.arch}`;
}

/**
 * Some installs lose the executable bits (an archive, a copy); restore them, but only when one is
 * missing, as a chmod on a read-only file system would fail even when nothing needs changing.
 */
async function ensureExecutable(binaries: PostgresBinaries): Promise<void> {
  for (const file of programPaths(binaries)) {
    const entry = await lstat(file).catch(() => undefined);
    if (entry?.isFile() && (entry.mode & 0o555) !== 0o555) await chmod(file, entry.mode | 0o555);
  }
}
