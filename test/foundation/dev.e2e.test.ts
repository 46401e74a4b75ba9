import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isRunning } from '../../src/infra/process-control.ts';
import { CLI, cleanEnv, runCli } from '../support/cli.ts';
import { freePort } from '../support/ports.ts';
import { descendantsOf, processesMentioning } from '../support/process-tree.ts';

interface DevRun {
  child: ChildProcess;
  databaseUrl: string;
  output: () => string;
}

let dataDir: string;
let ports: { api: number; postgres: number; temporal: number; temporalUi: number };
const runs: DevRun[] = [];

beforeAll(async () => {
  dataDir = await mkdtemp(path.join(tmpdir(), 'chronicle-dev-'));
  ports = {
    api: await freePort(),
    postgres: await freePort(),
    temporal: await freePort(),
    temporalUi: await freePort(),
  };
});

afterAll(async () => {
  // Only reached with something running when a test failed half-way.
  for (const { child } of runs)
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  for (const pid of processesMentioning(dataDir)) process.kill(pid, 'SIGKILL');
  await rm(dataDir, { recursive: true, force: true });
});

/** Starts `chronicle dev` as a real child process and waits until /health/ready says 200. */
async function startDev(): Promise<DevRun> {
  const child = spawn(
    process.execPath,
    [
      CLI,
      'dev',
      `--postgres-port=${ports.postgres}`,
      `--temporal-port=${ports.temporal}`,
      `--temporal-ui-port=${ports.temporalUi}`,
    ],
    {
      env: cleanEnv({ PORT: String(ports.api), DATA_DIR: dataDir, LOG_LEVEL: 'warn' }),
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => {
    output += chunk.toString();
  });
  child.stderr?.on('data', (chunk: Buffer) => {
    output += chunk.toString();
  });
  const run = { child, databaseUrl: '', output: () => output };
  runs.push(run);
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`chronicle dev exited with ${child.exitCode}:\n${output}`);
    const ready = await fetch(`http://127.0.0.1:${ports.api}/health/ready`).catch(() => undefined);
    if (ready?.status === 200) {
      const databaseUrl = /PostgreSQL\s+(postgres:\/\/\S+)/.exec(output)?.[1];
      if (!databaseUrl) throw new Error(`no PostgreSQL URL in the banner:\n${output}`);
      return { ...run, databaseUrl };
    }
    await sleep(250);
  }
  throw new Error(`chronicle dev was not ready within 60 s:\n${output}`);
}

/** Sends `signal`, returns how long the process took to exit and which of its processes remain. */
async function stopDev(run: DevRun, signal: NodeJS.Signals) {
  const pid = run.child.pid;
  if (pid === undefined) throw new Error('no pid');
  const children = descendantsOf(pid);
  const exited = once(run.child, 'exit');
  const started = Date.now();
  run.child.kill(signal);
  const [code] = await exited;
  const elapsedMs = Date.now() - started;
  // Give the kernel a moment to finish tearing down processes that were told to exit.
  await sleep(200);
  return {
    code,
    elapsedMs,
    children,
    survivors: [...children.filter(isRunning), ...processesMentioning(dataDir)],
  };
}

async function gone(find: () => number[], timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (find().length > 0 && Date.now() < deadline) await sleep(100);
  return find().length === 0;
}

async function query<T>(databaseUrl: string, sql: string): Promise<T[]> {
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    return (await client.query(sql)).rows;
  } finally {
    await client.end();
  }
}

describe('chronicle dev', () => {
  it('starts PostgreSQL, Temporal and the API, answers { version }, and stops on SIGINT leaving nothing behind', async () => {
    const run = await startDev();
    expect(run.output()).toContain(`http://localhost:${ports.api}/graphiql`);
    expect(run.output()).toContain(`http://localhost:${ports.temporalUi}`);

    const graphql = await fetch(`http://127.0.0.1:${ports.api}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ query: '{ version }' }),
    });
    expect(await graphql.json()).toEqual({ data: { version: expect.stringMatching(/^\d+\.\d+\.\d+/) } });
    await query(
      run.databaseUrl,
      `create table restart_marker (note text); insert into restart_marker values ('first run')`,
    );

    const stopped = await stopDev(run, 'SIGINT');
    expect(stopped.children.length).toBeGreaterThanOrEqual(2); // at least postgres and temporal
    expect(stopped.elapsedMs).toBeLessThan(10_000);
    expect(stopped.code).toBe(0);
    expect(stopped.survivors).toEqual([]);
  }, 90_000);

  it('starts again on the same data, finds the first run’s rows, and stops on SIGTERM', async () => {
    const run = await startDev();
    expect(await query(run.databaseUrl, 'select note from restart_marker')).toEqual([{ note: 'first run' }]);

    // A second start on the same directory refuses in one line and touches nothing of the first.
    const second = await runCli(
      ['dev', `--postgres-port=${await freePort()}`, `--temporal-port=${await freePort()}`],
      { DATA_DIR: dataDir, PORT: String(await freePort()), LOG_LEVEL: 'warn' },
    );
    expect(second.code).toBe(1);
    expect(second.stderr.trim()).toMatch(
      /^chronicle: another chronicle dev \(pid \d+, started .*\) is running on /,
    );
    expect(second.stderr.trim().split('\n')).toHaveLength(1);
    expect((await fetch(`http://127.0.0.1:${ports.api}/health/ready`)).status).toBe(200);
    // Operator commands find this system (its ports are not the defaults) without DATABASE_URL.
    const status = await runCli(['projections', 'status'], { DATA_DIR: dataDir, LOG_LEVEL: 'warn' });
    expect(status.code).toBe(0);
    expect(status.stdout).toContain('users');

    const stopped = await stopDev(run, 'SIGTERM');
    expect(stopped.elapsedMs).toBeLessThan(10_000);
    expect(stopped.survivors).toEqual([]);
  }, 90_000);

  it('recovers the data directory after a SIGKILL left its servers behind', async () => {
    const killed = await startDev();
    await stopDev(killed, 'SIGKILL');
    // The Temporal server was started with a parent-death signal; PostgreSQL is left for the next start.
    expect(await gone(() => processesMentioning(path.join(dataDir, 'temporal')), 5_000)).toBe(true);
    expect(processesMentioning(path.join(dataDir, 'postgres'))).not.toEqual([]);

    const run = await startDev();
    expect(await query(run.databaseUrl, 'select count(*)::int as n from restart_marker')).toEqual([{ n: 1 }]);
    const stopped = await stopDev(run, 'SIGINT');
    expect(stopped.survivors).toEqual([]);
  }, 120_000);
});
