import { spawnSync } from 'node:child_process';
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  acquireDevLock,
  DEV_LOCK_FILE,
  OperatorError,
  operatorDatabaseUrl,
  runningDev,
} from '../../src/roles/dev-lock.ts';

const dir = () => mkdtemp(path.join(tmpdir(), 'chronicle-lock-'));
/** The pid of a process that has exited. */
const deadPid = () => spawnSync(process.execPath, ['-e', '0']).pid ?? 1;

describe('the DATA_DIR lock of chronicle dev', () => {
  it('lets one process hold DATA_DIR and refuses a second while the first lives, naming it', async () => {
    const dataDir = await dir();
    const lock = await acquireDevLock(dataDir);
    const refusal = await acquireDevLock(dataDir, 4_000_000).catch((e: unknown) => e);
    expect(refusal).toBeInstanceOf(OperatorError);
    expect((refusal as Error).message).toContain(`pid ${process.pid}`);
    await lock.release();
    const next = await acquireDevLock(dataDir, 4_000_000);
    await next.release();
  });

  it('takes over a lock left by a process that is gone', async () => {
    const dataDir = await dir();
    await writeFile(
      path.join(dataDir, DEV_LOCK_FILE),
      JSON.stringify({ pid: deadPid(), startedAt: '2026-01-01T00:00:00Z', services: {} }),
    );
    expect(await runningDev(dataDir)).toBeUndefined();
    const lock = await acquireDevLock(dataDir);
    expect(JSON.parse(await readFile(path.join(dataDir, DEV_LOCK_FILE), 'utf8')).pid).toBe(process.pid);
    await lock.release();
  });

  it('tells operator commands where the running system is, and says so in one line when none runs', async () => {
    const dataDir = await dir();
    await expect(operatorDatabaseUrl({ DATA_DIR: dataDir })).rejects.toThrow(
      /no DATABASE_URL and no chronicle dev running/,
    );
    const lock = await acquireDevLock(dataDir);
    await expect(operatorDatabaseUrl({ DATA_DIR: dataDir })).rejects.toThrow(/still starting/);
    await lock.record({ databaseUrl: 'postgres://postgres@127.0.0.1:61234/chronicle' });
    expect(await operatorDatabaseUrl({ DATA_DIR: dataDir })).toBe(
      'postgres://postgres@127.0.0.1:61234/chronicle',
    );
    expect(await operatorDatabaseUrl({ DATA_DIR: dataDir, DATABASE_URL: 'postgres://elsewhere/db' })).toBe(
      'postgres://elsewhere/db',
    );
    await lock.release();
    expect(await runningDev(dataDir)).toBeUndefined();
  });
});
