import { type ChildProcess, spawn } from 'node:child_process';
import { accessSync, constants } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { createConnection } from 'node:net';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import type { Logger } from '../logger.ts';
import { stopProcess } from './process-control.ts';

const PROJECT_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

export interface MailpitOptions {
  binary: string;
  smtpPort: number;
  httpPort: number;
  /** SQLite file that keeps the caught e-mails across restarts; a temporary one when unset. */
  databaseFile?: string;
  log: Logger;
  readyTimeoutMs?: number;
}

export interface MailpitHandle {
  /** `smtp://127.0.0.1:<port>` — plain SMTP, any or no credentials accepted. */
  readonly smtpUrl: string;
  /** The web UI, which is also the root of the REST API (`<uiUrl>/api/v1/...`). */
  readonly uiUrl: string;
  readonly pid: number;
  stop(): Promise<void>;
}

/** `.tools/mailpit/bin/mailpit` as `scripts/bootstrap.mjs` builds it, or undefined when it is not there. */
export function locateMailpit(): string | undefined {
  const binary = path.join(PROJECT_ROOT, '.tools', 'mailpit', 'bin', 'mailpit');
  try {
    accessSync(binary, constants.X_OK);
    return binary;
  } catch {
    return undefined;
  }
}

/**
 * Mailpit, the mail catcher: an SMTP server that keeps every message it receives and shows them in
 * a web UI and a REST API. Loopback only, no version check (no internet), no reverse DNS lookups (a
 * lookup per connection only slows tests down), and a larger store than its 500-message default so
 * a long `npm start` session does not lose the e-mails someone is looking for.
 */
export async function startMailpit(options: MailpitOptions): Promise<MailpitHandle> {
  const { binary, smtpPort, httpPort, databaseFile, log } = options;
  if (databaseFile) await mkdir(path.dirname(databaseFile), { recursive: true });
  const args = [
    '--smtp',
    `127.0.0.1:${smtpPort}`,
    '--listen',
    `127.0.0.1:${httpPort}`,
    '--smtp-auth-accept-any',
    '--smtp-auth-allow-insecure',
    '--smtp-disable-rdns',
    '--disable-version-check',
    '--max',
    '5000',
    '--quiet',
    ...(databaseFile ? ['--database', databaseFile] : []),
  ];
  const child = spawnTiedToParent(binary, args);
  const pid = child.pid;
  if (pid === undefined) throw new Error(`could not start ${binary}`);
  let output = '';
  const keep = (chunk: Buffer) => {
    output = (output + chunk.toString('utf8')).slice(-4_000);
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  const uiUrl = `http://127.0.0.1:${httpPort}`;
  const stop = () => stopProcess(child, 5_000);
  try {
    await waitUntilReady(uiUrl, smtpPort, child, () => output, options.readyTimeoutMs ?? 30_000);
  } catch (error) {
    await stop();
    throw error;
  }
  log.info({ smtpPort, uiUrl, pid }, 'Mailpit is up');
  return { smtpUrl: `smtp://127.0.0.1:${smtpPort}`, uiUrl, pid, stop };
}

/**
 * As the Temporal dev server is started: through `setpriv --pdeathsig` on Linux, so the kernel
 * stops Mailpit when its parent dies without cleaning up (SIGKILL, OOM).
 */
function spawnTiedToParent(binary: string, args: string[]): ChildProcess {
  const setpriv =
    process.platform === 'linux'
      ? ['/usr/bin/setpriv', '/bin/setpriv'].find((file) => {
          try {
            accessSync(file, constants.X_OK);
            return true;
          } catch {
            return false;
          }
        })
      : undefined;
  const [command, commandArgs] = setpriv
    ? [setpriv, ['--pdeathsig', 'TERM', '--', binary, ...args]]
    : [binary, args];
  return spawn(command, commandArgs, { stdio: ['ignore', 'pipe', 'pipe'] });
}

/** Ready once the API answers `/readyz` and the SMTP port greets. */
async function waitUntilReady(
  uiUrl: string,
  smtpPort: number,
  child: ChildProcess,
  output: () => string,
  timeoutMs: number,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null || child.signalCode !== null) {
      throw new Error(`Mailpit exited during start-up (code ${child.exitCode}): ${output().trim()}`);
    }
    const apiReady = await fetch(`${uiUrl}/readyz`, { signal: AbortSignal.timeout(1_000) }).then(
      (response) => response.ok,
      () => false,
    );
    if (apiReady && (await smtpGreets(smtpPort))) return;
    await sleep(100);
  }
  throw new Error(`Mailpit did not come up within ${timeoutMs} ms: ${output().trim()}`);
}

function smtpGreets(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = createConnection({ host: '127.0.0.1', port });
    socket.setTimeout(1_000);
    socket.once('data', (data) => {
      socket.end('QUIT\r\n');
      resolve(data.toString().startsWith('220'));
    });
    socket.once('error', () => resolve(false));
    socket.once('timeout', () => {
      socket.destroy();
      resolve(false);
    });
  });
}
