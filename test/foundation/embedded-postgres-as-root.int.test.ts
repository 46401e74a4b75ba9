import { execFileSync } from 'node:child_process';
import { statSync } from 'node:fs';
import {
  chmod,
  lstat,
  mkdir,
  mkdtemp,
  readdir,
  readFile,
  readlink,
  rm,
  symlink,
  writeFile,
} from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type EmbeddedPostgresHandle, startEmbeddedPostgres } from '../../src/infra/embedded-postgres.ts';
import { EmbeddedPostgresError } from '../../src/infra/embedded-postgres-error.ts';
import { packagedBinariesDir } from '../../src/infra/postgres-binaries.ts';
import { createLogger } from '../../src/logger.ts';
import { runCli } from '../support/cli.ts';
import { freePort } from '../support/ports.ts';

const asRoot = process.getuid?.() === 0;
const log = createLogger(process.env.TEST_LOG_LEVEL ?? 'warn', { component: 'test-postgres' });

/** Whether the `postgres` user can enter `dir`, asked of the kernel as that user. */
function postgresCanEnter(dir: string): boolean {
  try {
    execFileSync('runuser', ['-u', 'postgres', '--', 'test', '-x', dir]);
    return true;
  } catch {
    return false;
  }
}

async function query(handle: EmbeddedPostgresHandle, sql: string) {
  const client = new pg.Client({ connectionString: handle.adminUrl });
  await client.connect();
  try {
    return (await client.query(sql)).rows;
  } finally {
    await client.end();
  }
}

/**
 * The checkout as root in `/root/<dir>` (mode 700): the server runs as `postgres`, which can enter
 * neither the directory holding the binaries nor DATA_DIR. Here both sit in a fresh mode-700
 * directory (the binaries through a link to the project's own), and `systemDir` is a temporary
 * stand-in for /var/lib/chronicle.
 */
describe.skipIf(!asRoot)('the embedded PostgreSQL, as root, from a directory postgres cannot enter', () => {
  let hidden: string;
  let systemDir: string;
  let binariesDir: string;
  beforeAll(async () => {
    hidden = await mkdtemp(path.join(tmpdir(), 'chronicle-hidden-'));
    await chmod(hidden, 0o700);
    systemDir = await mkdtemp(path.join(tmpdir(), 'chronicle-system-'));
    await chmod(systemDir, 0o755);
    binariesDir = path.join(hidden, 'native');
    await symlink(packagedBinariesDir(), binariesDir);
  });
  afterAll(async () => {
    await rm(hidden, { recursive: true, force: true });
    await rm(systemDir, { recursive: true, force: true });
  });

  it('runs from copies it can reach, keeps the data across restarts, and starts over when DATA_DIR goes', async () => {
    const dataDir = path.join(hidden, 'data');
    await mkdir(dataDir, { mode: 0o755 });
    expect(postgresCanEnter(path.join(binariesDir, 'bin'))).toBe(false);
    expect(postgresCanEnter(dataDir)).toBe(false);
    const start = async () =>
      startEmbeddedPostgres({ dataDir, port: await freePort(), log, binariesDir, systemDir });

    const first = await start();
    try {
      expect(first.databaseDir.startsWith(path.join(systemDir, 'clusters'))).toBe(true);
      expect(await readlink(path.join(dataDir, 'postgres'))).toBe(first.databaseDir);
      expect(postgresCanEnter(first.databaseDir)).toBe(true);
      expect(await query(first, `select current_setting('data_directory') as dir`)).toEqual([
        { dir: first.databaseDir },
      ]);
      // The server runs from the copy under systemDir, not from the directory postgres cannot enter.
      const { version } = JSON.parse(
        await readFile(path.join(packagedBinariesDir(), '..', 'package.json'), 'utf8'),
      ) as { version: string };
      const copy = `${version}-${process.platform}-${process.arch}`;
      expect(await readdir(path.join(systemDir, 'postgres'))).toEqual([copy]);
      // Its processes (this connection's backend, looked at while it lives) run the copy, as postgres.
      const client = new pg.Client({ connectionString: first.adminUrl });
      await client.connect();
      try {
        const { pid } = (await client.query<{ pid: number }>('select pg_backend_pid() as pid')).rows[0] ?? {};
        expect(await readlink(`/proc/${pid}/exe`)).toBe(
          path.join(systemDir, 'postgres', copy, 'bin', 'postgres'),
        );
        const postgresUid = Number(execFileSync('id', ['-u', 'postgres'], { encoding: 'utf8' }));
        expect(statSync(`/proc/${pid}`).uid).toBe(postgresUid);
      } finally {
        await client.end();
      }
      await query(first, 'create table kept (note text); insert into kept values ($$still here$$)');
    } finally {
      await first.stop();
    }

    const again = await start();
    try {
      expect(again.databaseDir).toBe(first.databaseDir);
      expect(await query(again, 'select note from kept')).toEqual([{ note: 'still here' }]);
    } finally {
      await again.stop();
    }

    // Deleting DATA_DIR's cluster (the link) is starting over: a new, empty cluster. The old one is
    // set aside, not deleted: the link may have been lost by accident (a restore that drops links).
    await rm(path.join(dataDir, 'postgres'));
    const fresh = await start();
    try {
      expect(await query(fresh, `select to_regclass('kept') as kept`)).toEqual([{ kept: null }]);
    } finally {
      await fresh.discard();
    }
    const clusters = await readdir(path.dirname(first.databaseDir));
    const aside = clusters.filter((name) =>
      name.startsWith(`${path.basename(first.databaseDir)}.set-aside-`),
    );
    expect(aside).toHaveLength(1);
    await lstat(path.join(path.dirname(first.databaseDir), aside[0] as string, 'PG_VERSION'));
  }, 120_000);

  it('refuses in one line when the cluster it cannot reach already holds data', async () => {
    const dataDir = path.join(hidden, 'with-cluster');
    await mkdir(path.join(dataDir, 'postgres'), { recursive: true });
    await writeFile(path.join(dataDir, 'postgres', 'PG_VERSION'), '18\n');
    const started = startEmbeddedPostgres({ dataDir, port: await freePort(), log, binariesDir, systemDir });
    await expect(started).rejects.toBeInstanceOf(EmbeddedPostgresError);
    await expect(started).rejects.toMatchObject({
      reason: 'CLUSTER_UNREACHABLE',
      message: expect.stringMatching(
        /^user postgres cannot reach the PostgreSQL cluster in .*; move DATA_DIR/,
      ),
    });

    // Through the CLI: the same line, no stack, exit 1.
    const result = await runCli(['migrate'], { DATA_DIR: dataDir, LOG_LEVEL: 'warn' }, 60_000);
    expect(result.code).toBe(1);
    expect(result.stderr.trim().split('\n')).toEqual([
      expect.stringMatching(/^chronicle: user postgres cannot reach the PostgreSQL cluster in /),
    ]);
  }, 90_000);

  it('refuses a directory for the copies that others could write to', async () => {
    const unsafe = await mkdtemp(path.join(tmpdir(), 'chronicle-unsafe-'));
    try {
      await chmod(unsafe, 0o777);
      const started = startEmbeddedPostgres({
        dataDir: path.join(hidden, 'unsafe'),
        port: await freePort(),
        log,
        binariesDir,
        systemDir: unsafe,
      });
      await expect(started).rejects.toMatchObject({
        reason: 'SYSTEM_DIR_UNSAFE',
        message: expect.stringContaining(`chmod 755 ${unsafe}`),
      });
    } finally {
      await rm(unsafe, { recursive: true, force: true });
    }
  });
});
