import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { CLI, cleanEnv } from '../../support/cli.ts';
import { freePort } from '../../support/ports.ts';

/**
 * Chronicle as production runs it, for fault scenarios: `chronicle api` (one or more),
 * `chronicle projector` and `chronicle worker` as child processes against a real PostgreSQL and
 * Temporal. A scenario kills and restarts them one by one; `stop()` ends every child (and removes
 * the data directory) whatever state the scenario left them in.
 */
export type Role = 'api' | 'projector' | 'worker';

export interface SystemOptions {
  databaseUrl: string;
  temporalAddress: string;
  redisUrl?: string;
  /** How many `chronicle api` processes (default 1), each on a port of its own. */
  apiProcesses?: number;
  /** Extra environment for every child (wins over the defaults below). */
  env?: Record<string, string>;
  /** The roles started by `startSystem` (default all: every API process, the projector, the worker). */
  roles?: readonly Role[];
  /** How long `start` waits for a child to be ready (default 60 s: tsx compiles, the worker bundles its workflows). */
  readyTimeoutMs?: number;
}

export interface RunningSystem {
  /** `http://127.0.0.1:<port>`, one per API process; a restarted process keeps its port. */
  readonly apiUrls: string[];
  /** The AUTH_SECRET every child shares (tokens one API process issues work on the others). */
  readonly authSecret: string;
  /** Spawns `chronicle <role>` and waits until it is ready (api: `/health/ready` answers 200). */
  start(role: Role, index?: number): Promise<void>;
  /** Sends `signal` (default SIGKILL) and waits for the exit. A child that is not running is left be. */
  kill(role: Role, index?: number, signal?: NodeJS.Signals): Promise<void>;
  /** Kills (SIGKILL) if running, then starts again. */
  restart(role: Role, index?: number): Promise<void>;
  /** Whether the child runs now. */
  running(role: Role, index?: number): boolean;
  /** The pid of the running child, if any. */
  pid(role: Role, index?: number): number | undefined;
  /** Everything the child wrote to stdout and stderr, across restarts (each start marked). */
  output(role: Role, index?: number): string;
  /** SIGTERM to every child, SIGKILL to those still running after a grace period; idempotent. */
  stop(): Promise<void>;
}

/** Shared by every child so that tokens and webhook signatures agree across processes. */
export const FAULT_AUTH_SECRET = 'fault-suite-secret-of-at-least-32-characters';

/** A child's output is kept up to this many characters (the newest), so a long run stays small. */
const MAX_OUTPUT_CHARS = 2_000_000;
const STOP_GRACE_MS = 5_000;

interface Slot {
  role: Role;
  index: number;
  port?: number;
  child?: ChildProcess;
  exited?: Promise<unknown>;
  output: string;
  starts: number;
}

/** Children of every system still running, killed if the test process exits without `stop()`. */
const liveChildren = new Set<ChildProcess>();
let exitHookInstalled = false;
function installExitHook() {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.once('exit', () => {
    for (const child of liveChildren) child.kill('SIGKILL');
  });
}

export async function startSystem(options: SystemOptions): Promise<RunningSystem> {
  installExitHook();
  const apiCount = options.apiProcesses ?? 1;
  const readyTimeoutMs = options.readyTimeoutMs ?? 60_000;
  const dataDir = await mkdtemp(path.join(tmpdir(), 'chronicle-faults-'));
  const slots = new Map<string, Slot>();
  const key = (role: Role, index: number) => `${role}:${index}`;
  for (let index = 0; index < apiCount; index++) {
    slots.set(key('api', index), { role: 'api', index, port: await freePort(), output: '', starts: 0 });
  }
  slots.set(key('projector', 0), { role: 'projector', index: 0, output: '', starts: 0 });
  slots.set(key('worker', 0), { role: 'worker', index: 0, output: '', starts: 0 });
  let stopped = false;

  const slotOf = (role: Role, index = 0): Slot => {
    const slot = slots.get(key(role, index));
    if (!slot) throw new Error(`There is no ${role} process #${index} in this system`);
    return slot;
  };
  const isRunning = (slot: Slot) =>
    slot.child !== undefined && slot.child.exitCode === null && slot.child.signalCode === null;

  const envFor = (slot: Slot): Record<string, string> => ({
    DATABASE_URL: options.databaseUrl,
    TEMPORAL_ADDRESS: options.temporalAddress,
    ...(options.redisUrl ? { REDIS_URL: options.redisUrl } : {}),
    AUTH_SECRET: FAULT_AUTH_SECRET,
    DATA_DIR: dataDir,
    // Readiness of the projector and the worker is read from their `info` lines.
    LOG_LEVEL: 'info',
    // Every request comes from 127.0.0.1: the scripted load must not trip the per-IP limits.
    API_RATE_LIMIT: '1000000',
    API_LOGIN_RATE_LIMIT: '1000000',
    ...(slot.port !== undefined ? { PORT: String(slot.port) } : {}),
    ...options.env,
  });

  const append = (slot: Slot, text: string) => {
    slot.output += text;
    if (slot.output.length > MAX_OUTPUT_CHARS) slot.output = slot.output.slice(-MAX_OUTPUT_CHARS);
  };

  async function waitUntilReady(slot: Slot, child: ChildProcess, outputFrom: number) {
    const deadline = Date.now() + readyTimeoutMs;
    const readyLine = slot.role === 'projector' ? '"msg":"projector started"' : '"msg":"worker running"';
    while (Date.now() < deadline) {
      if (child.exitCode !== null || child.signalCode !== null) {
        throw new Error(
          `chronicle ${slot.role} #${slot.index} exited (${child.exitCode ?? child.signalCode}) before it was ready:\n${slot.output.slice(outputFrom).slice(-4_000)}`,
        );
      }
      if (slot.role === 'api') {
        const status = await fetch(`http://127.0.0.1:${slot.port}/health/ready`, {
          signal: AbortSignal.timeout(2_000),
        })
          .then((response) => response.status)
          .catch(() => undefined);
        if (status === 200) return;
      } else if (slot.output.indexOf(readyLine, outputFrom) !== -1) {
        return;
      }
      await sleep(100);
    }
    throw new Error(
      `chronicle ${slot.role} #${slot.index} was not ready within ${readyTimeoutMs} ms:\n${slot.output.slice(outputFrom).slice(-4_000)}`,
    );
  }

  async function start(role: Role, index = 0) {
    if (stopped) throw new Error('This system was stopped');
    const slot = slotOf(role, index);
    if (isRunning(slot)) throw new Error(`chronicle ${role} #${index} is already running`);
    slot.starts += 1;
    append(slot, `\n----- start #${slot.starts} of chronicle ${role} #${index} -----\n`);
    const outputFrom = slot.output.length;
    const child = spawn(process.execPath, [CLI, role], {
      env: cleanEnv(envFor(slot)),
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    liveChildren.add(child);
    slot.child = child;
    slot.exited = once(child, 'exit').finally(() => liveChildren.delete(child));
    // Keeps an unexpected spawn error from becoming an unhandled rejection; waitUntilReady reports it.
    slot.exited.catch(() => undefined);
    child.stdout?.on('data', (chunk: Buffer) => append(slot, chunk.toString()));
    child.stderr?.on('data', (chunk: Buffer) => append(slot, chunk.toString()));
    await waitUntilReady(slot, child, Math.min(outputFrom, slot.output.length));
  }

  async function kill(role: Role, index = 0, signal: NodeJS.Signals = 'SIGKILL') {
    const slot = slotOf(role, index);
    if (!isRunning(slot) || !slot.child) return;
    slot.child.kill(signal);
    await slot.exited?.catch(() => undefined);
  }

  async function stopSlot(slot: Slot) {
    const child = slot.child;
    if (!child || !isRunning(slot)) return;
    child.kill('SIGTERM');
    const outcome = await Promise.race([
      slot.exited?.catch(() => undefined).then(() => 'exited' as const),
      sleep(STOP_GRACE_MS, 'grace expired' as const),
    ]);
    if (outcome !== 'exited' && isRunning(slot)) {
      child.kill('SIGKILL');
      await slot.exited?.catch(() => undefined);
    }
  }

  const system: RunningSystem = {
    apiUrls: [...slots.values()]
      .filter((slot) => slot.role === 'api')
      .map((slot) => `http://127.0.0.1:${slot.port}`),
    authSecret: FAULT_AUTH_SECRET,
    start,
    kill,
    async restart(role, index = 0) {
      await kill(role, index, 'SIGKILL');
      await start(role, index);
    },
    running: (role, index = 0) => isRunning(slotOf(role, index)),
    pid: (role, index = 0) => {
      const slot = slotOf(role, index);
      return isRunning(slot) ? slot.child?.pid : undefined;
    },
    output: (role, index = 0) => slotOf(role, index).output,
    async stop() {
      stopped = true;
      await Promise.allSettled([...slots.values()].map(stopSlot));
      await rm(dataDir, { recursive: true, force: true });
    },
  };

  try {
    const roles = options.roles ?? ['api', 'projector', 'worker'];
    // The projector first: API mutations wait (bounded) for the read models to show their writes.
    const starts: Promise<void>[] = [];
    if (roles.includes('projector')) starts.push(start('projector'));
    if (roles.includes('worker')) starts.push(start('worker'));
    if (roles.includes('api'))
      for (let index = 0; index < apiCount; index++) starts.push(start('api', index));
    const results = await Promise.allSettled(starts);
    const failure = results.find((result) => result.status === 'rejected');
    if (failure && failure.status === 'rejected') throw failure.reason;
  } catch (error) {
    await system.stop();
    throw error;
  }
  return system;
}

/** A seeded pseudo-random generator (mulberry32): the same seed replays the same fault schedule. */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** The seed from FAULT_SEED (to replay a failure), or a fresh one. */
export function faultSeed(): number {
  const fromEnv = Number(process.env.FAULT_SEED);
  return Number.isInteger(fromEnv) && fromEnv > 0 ? fromEnv : Math.floor(Math.random() * 2 ** 31) + 1;
}
