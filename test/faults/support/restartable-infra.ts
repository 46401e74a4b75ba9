import { chmod, mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { type EmbeddedPostgresHandle, startEmbeddedPostgres } from '../../../src/infra/embedded-postgres.ts';
import { migrate } from '../../../src/infra/migrate.ts';
import { isRunning, waitForExit } from '../../../src/infra/process-control.ts';
import {
  startTemporalDevServer,
  type TemporalDevServerHandle,
} from '../../../src/infra/temporal-dev-server.ts';
import { createLogger, type Logger } from '../../../src/logger.ts';
import { freePort } from '../../support/ports.ts';
import { findRedisServer, type RedisServerHandle, startRedisServer } from '../../support/redis-server.ts';

/**
 * Infrastructure a fault scenario may take away and bring back. The run's shared PostgreSQL,
 * Temporal and Redis (global setup) serve other test files at the same time, so a scenario that
 * restarts one starts its own: same port and same data across restarts, so the processes under
 * test reconnect to what they were using, as they would after a real restart.
 */
export interface Restartable {
  /** Whether the server is running now. */
  readonly running: boolean;
  /** Stops the server; its data stays. */
  stop(): Promise<void>;
  /** Starts it again on the same port with the same data. */
  start(): Promise<void>;
  /** Stops it for good and removes its data. Safe to call twice, and after a failed start. */
  dispose(): Promise<void>;
}

export interface RestartablePostgres extends Restartable {
  readonly port: number;
  readonly adminUrl: string;
  /**
   * Stops the server. `fast` is a clean shutdown (sessions are disconnected, the server exits);
   * `immediate` is a crash: the postmaster quits without a checkpoint and recovers from WAL on the
   * next start.
   */
  stop(mode?: 'fast' | 'immediate'): Promise<void>;
  /** A new database on this server with Chronicle's migrations applied. */
  migratedDatabase(prefix: string): Promise<string>;
}

export interface RestartableTemporal extends Restartable {
  /** host:port for `@temporalio/client`; the same across restarts. */
  readonly address: string;
}

export interface RestartableRedis extends Restartable {
  readonly url: string;
}

function harnessLog(component: string): Logger {
  return createLogger(process.env.TEST_LOG_LEVEL ?? 'warn', { component });
}

async function tempDir(prefix: string): Promise<string> {
  const dir = await mkdtemp(path.join(tmpdir(), prefix));
  // As root PostgreSQL runs as `postgres`, which must be able to enter the directory.
  await chmod(dir, 0o755);
  return dir;
}

/** A PostgreSQL of the scenario's own (the embedded-postgres binaries), on a fixed port. */
export async function startRestartablePostgres(): Promise<RestartablePostgres> {
  const dataDir = await tempDir('chronicle-fault-pg-');
  const port = await freePort();
  const log = harnessLog('fault-postgres');
  let handle: EmbeddedPostgresHandle | undefined;
  const urlFor = (database: string) => `postgres://postgres:chronicle@127.0.0.1:${port}/${database}`;
  const postmasterPid = async (): Promise<number | undefined> => {
    const text = await readFile(path.join(dataDir, 'postgres', 'postmaster.pid'), 'utf8').catch(() => '');
    const pid = Number.parseInt(text.split('\n')[0] ?? '', 10);
    return Number.isInteger(pid) && pid > 0 ? pid : undefined;
  };
  const stop = async (mode: 'fast' | 'immediate' = 'fast') => {
    const current = handle;
    handle = undefined;
    if (!current) return;
    if (mode === 'immediate') {
      const pid = await postmasterPid();
      if (pid !== undefined && isRunning(pid)) {
        // SIGQUIT is PostgreSQL's immediate shutdown: no checkpoint, crash recovery on restart.
        process.kill(pid, 'SIGQUIT');
        if (!(await waitForExit(pid, 15_000))) throw new Error(`postmaster ${pid} ignored SIGQUIT`);
        return;
      }
    }
    await current.stop();
  };
  const start = async () => {
    if (handle) return;
    handle = await startEmbeddedPostgres({ dataDir, port, log });
  };
  const dispose = async () => {
    await stop('fast').catch(() => stop('immediate'));
    const pid = await postmasterPid();
    if (pid !== undefined && isRunning(pid)) {
      process.kill(pid, 'SIGKILL');
      await waitForExit(pid, 5_000);
    }
    await rm(dataDir, { recursive: true, force: true });
  };
  try {
    await start();
  } catch (error) {
    await dispose();
    throw error;
  }
  return {
    port,
    adminUrl: urlFor('postgres'),
    get running() {
      return handle !== undefined;
    },
    stop,
    start,
    dispose,
    async migratedDatabase(prefix) {
      const name = `${prefix}_${Math.random().toString(36).slice(2, 10)}`;
      const admin = new pg.Client({ connectionString: urlFor('postgres') });
      await admin.connect();
      try {
        await admin.query(`create database ${pg.escapeIdentifier(name)}`);
      } finally {
        await admin.end();
      }
      await migrate(urlFor(name), harnessLog('fault-migrate'));
      return urlFor(name);
    },
  };
}

/** A Temporal dev server of the scenario's own; its SQLite file survives restarts. */
export async function startRestartableTemporal(): Promise<RestartableTemporal> {
  const dataDir = await tempDir('chronicle-fault-temporal-');
  const port = await freePort();
  const log = harnessLog('fault-temporal');
  let handle: TemporalDevServerHandle | undefined;
  const stop = async () => {
    const current = handle;
    handle = undefined;
    await current?.stop();
  };
  const start = async () => {
    if (handle) return;
    handle = await startTemporalDevServer({ dataDir, port, log, readyTimeoutMs: 45_000 });
  };
  const dispose = async () => {
    await stop();
    await rm(dataDir, { recursive: true, force: true });
  };
  try {
    await start();
  } catch (error) {
    await dispose();
    throw error;
  }
  return {
    address: `127.0.0.1:${port}`,
    get running() {
      return handle !== undefined;
    },
    stop,
    start,
    dispose,
  };
}

/**
 * A Redis of the scenario's own, or undefined when `redis-server` is not installed. Redis keeps
 * nothing across restarts here (no persistence): Chronicle only uses it for pub/sub and counters.
 */
export async function startRestartableRedis(): Promise<RestartableRedis | undefined> {
  const binary = findRedisServer();
  if (!binary) return undefined;
  const port = await freePort();
  let handle: RedisServerHandle | undefined;
  const stop = async () => {
    const current = handle;
    handle = undefined;
    await current?.stop();
  };
  const start = async () => {
    if (handle) return;
    handle = await startRedisServer(binary, port);
  };
  await start();
  return {
    url: `redis://127.0.0.1:${port}`,
    get running() {
      return handle !== undefined;
    },
    stop,
    start,
    dispose: stop,
  };
}

export interface ReadinessSample {
  at: number;
  /** HTTP status of `/health/ready`, or 0 when the request itself failed. */
  status: number;
}

export interface ReadinessWatch {
  readonly samples: readonly ReadinessSample[];
  /** When the first sample with `status` at or after `from` was taken, if any yet. */
  firstAfter(from: number, status: number): number | undefined;
  stop(): Promise<void>;
}

/**
 * Polls an API process's `/health/ready` every `intervalMs` and keeps every answer, so a
 * scenario can say when readiness dropped to 503 and when it came back to 200.
 */
export function watchReadiness(apiUrl: string, intervalMs = 100): ReadinessWatch {
  const samples: ReadinessSample[] = [];
  let stopped = false;
  const loop = (async () => {
    while (!stopped) {
      const at = Date.now();
      const status = await fetch(`${apiUrl}/health/ready`, { signal: AbortSignal.timeout(5_000) })
        .then(async (response) => {
          await response.arrayBuffer();
          return response.status;
        })
        .catch(() => 0);
      samples.push({ at, status });
      await new Promise((resolve) => setTimeout(resolve, intervalMs));
    }
  })();
  return {
    samples,
    firstAfter: (from, status) => samples.find((sample) => sample.at >= from && sample.status === status)?.at,
    async stop() {
      stopped = true;
      await loop;
    },
  };
}

/**
 * The last `chars` of each named process's output, for a failing scenario's report: what the
 * processes said is usually the quickest way to see why a fault was not survived.
 */
export function outputTails(outputs: Record<string, () => string | undefined>, chars = 4_000): string {
  return Object.entries(outputs)
    .map(([name, output]) => `===== ${name} =====\n${(output() ?? '').slice(-chars)}`)
    .join('\n');
}

/**
 * Runs clean-up steps one after another, each whatever the ones before did, then throws the first
 * failure: a step that fails must not leave a server or child process of a later step running.
 */
export async function settleAll(steps: readonly (() => unknown)[]): Promise<void> {
  const failures: unknown[] = [];
  for (const step of steps) {
    try {
      await step();
    } catch (error) {
      failures.push(error);
    }
  }
  if (failures.length > 0) throw failures[0];
}
