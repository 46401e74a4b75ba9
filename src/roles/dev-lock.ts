import { link, readFile, rename, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { z } from 'zod';

/**
 * `chronicle dev` owns its DATA_DIR while it runs: `DATA_DIR/chronicle-dev.json` names its process
 * and, once they are up, where its services listen. A second `chronicle dev` on the same directory
 * refuses before touching anything (round 1's stopped the first one's Temporal server, then failed
 * on PostgreSQL), and the operator commands (`users`, `projections`, `audit`) find the running
 * system's database there instead of guessing a port.
 */

export const DEV_LOCK_FILE = 'chronicle-dev.json';

const services = z.object({
  databaseUrl: z.string().optional(),
  temporalAddress: z.string().optional(),
  apiUrl: z.string().optional(),
});
const lockSchema = z.object({ pid: z.number().int().positive(), startedAt: z.string(), services });

export type DevServices = z.infer<typeof services>;
export type DevLockContent = z.infer<typeof lockSchema>;

/** A one-line problem for the operator: the CLI prints the message, no log line, no stack. */
export class OperatorError extends Error {
  constructor(
    message: string,
    readonly exitCode = 1,
  ) {
    super(message);
  }
}

export interface DevLock {
  /** Records where the services listen, for the operator commands. */
  record(services: DevServices): Promise<void>;
  release(): Promise<void>;
}

/** Takes DATA_DIR for this process; throws OperatorError when a live `chronicle dev` holds it. */
export async function acquireDevLock(dataDir: string, pid = process.pid): Promise<DevLock> {
  const file = path.join(dataDir, DEV_LOCK_FILE);
  const content: DevLockContent = { pid, startedAt: new Date().toISOString(), services: {} };
  for (let attempt = 0; !(await tryLink(file, content)); attempt++) {
    const holder = await readLock(file);
    if (holder && holder.pid !== pid && isAlive(holder.pid)) {
      throw new OperatorError(
        `another chronicle dev (pid ${holder.pid}, started ${holder.startedAt}) is running on ${dataDir}; stop it first, or set DATA_DIR to another directory`,
      );
    }
    if (attempt > 0) throw new OperatorError(`cannot take ${file}: another process keeps recreating it`);
    // Left by a process that is gone (a crash, a kill -9): the directory is free again.
    await rm(file, { force: true });
  }
  let released = false;
  return {
    async record(services) {
      content.services = { ...content.services, ...services };
      const temporary = `${file}.${pid}.tmp`;
      await writeFile(temporary, JSON.stringify(content));
      await rename(temporary, file);
    },
    async release() {
      if (released) return;
      released = true;
      const holder = await readLock(file);
      if (holder?.pid === pid) await rm(file, { force: true });
    },
  };
}

/** The `chronicle dev` running on DATA_DIR, if one is. */
export async function runningDev(dataDir: string): Promise<DevLockContent | undefined> {
  const holder = await readLock(path.join(dataDir, DEV_LOCK_FILE));
  return holder && isAlive(holder.pid) ? holder : undefined;
}

/**
 * The database an operator command acts on: DATABASE_URL, else the one the running `chronicle dev`
 * on DATA_DIR recorded; never a guessed port.
 */
export async function operatorDatabaseUrl(config: {
  DATABASE_URL?: string | undefined;
  DATA_DIR: string;
}): Promise<string> {
  if (config.DATABASE_URL) return config.DATABASE_URL;
  const dev = await runningDev(config.DATA_DIR);
  if (dev?.services.databaseUrl) return dev.services.databaseUrl;
  throw new OperatorError(
    dev
      ? `chronicle dev (pid ${dev.pid}) on ${config.DATA_DIR} is still starting; try again in a moment, or set DATABASE_URL`
      : `no DATABASE_URL and no chronicle dev running on ${config.DATA_DIR}: start it (npm start) or set DATABASE_URL`,
  );
}

/**
 * Written aside, then linked into place: the lock appears whole or not at all, and link() fails
 * when it exists, so two starters cannot both take it. False when it exists.
 */
async function tryLink(file: string, content: DevLockContent): Promise<boolean> {
  const staged = `${file}.${content.pid}.new`;
  await writeFile(staged, JSON.stringify(content));
  try {
    await link(staged, file);
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw error;
  } finally {
    await rm(staged, { force: true });
  }
}

async function readLock(file: string): Promise<DevLockContent | undefined> {
  try {
    const parsed = lockSchema.safeParse(JSON.parse(await readFile(file, 'utf8')));
    return parsed.success ? parsed.data : undefined;
  } catch {
    return undefined;
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: it exists, it is just not ours to signal.
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
