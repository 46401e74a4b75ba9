import type { ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { readFileSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';

/**
 * Terminates a child: SIGTERM, then SIGKILL when it has not exited after `graceMs`. Resolves once
 * it has exited. A child that already exited (for example because Ctrl-C reached the whole process
 * group) resolves at once.
 */
export async function stopProcess(child: ChildProcess, graceMs: number): Promise<void> {
  if (hasExited(child)) return;
  const exited = once(child, 'exit');
  child.kill('SIGTERM');
  // Cancelled once the child exits, so the grace timer does not keep the event loop alive.
  const grace = new AbortController();
  const outcome = await Promise.race([
    exited.then(() => 'exited' as const),
    sleep(graceMs, 'grace expired' as const, { signal: grace.signal }),
  ]);
  grace.abort();
  if (outcome !== 'exited' && !hasExited(child)) {
    child.kill('SIGKILL');
    await exited;
  }
}

function hasExited(child: ChildProcess): boolean {
  return child.exitCode !== null || child.signalCode !== null;
}

/** For processes that are not our children (no `exit` event): polls until `pid` is gone. */
export async function waitForExit(pid: number, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (!isRunning(pid)) return true;
    await sleep(50);
  }
  return !isRunning(pid);
}

/** A zombie (exited, not yet reaped by its parent) counts as gone: it holds no ports or files. */
export function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z';
  } catch {
    return process.platform !== 'linux';
  }
}
